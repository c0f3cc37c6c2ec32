"""SPEC revision 2 for grading:

- xuchang grades 职业介绍机构 (``job_agency``) as well (SPEC §5.4 [r2]): one more reference
  assignment (grading.reference);
- the covering index of the fact queries (0006) also carries ``repaired_on``, which they now read
  (SPEC §7 [r2]: a repaired record does not count from its approval day), so the database still
  answers them from the index alone.
"""

from django.db import migrations

from grading.reference import ensure_assignments

INDEX = "grading_creditrecord_facts"
COLUMNS = (
    "id, kind, entry_type, end_date, case_no, severity, category, rectification, performance, "
    "incident, level, value"
)


def load(apps, schema_editor):
    ensure_assignments(
        apps.get_model("employers", "Jurisdiction"), apps.get_model("grading", "RuleSetAssignment")
    )


def unload(apps, schema_editor):
    RuleSetAssignment = apps.get_model("grading", "RuleSetAssignment")
    RuleSetAssignment.objects.filter(
        jurisdiction__code="xuchang", employer_kind="job_agency", ruleset_code="xuchang"
    ).delete()


def _index(schema_editor, columns):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON credit_records_creditrecord (employer_id, date) "
        f"INCLUDE ({columns})"
    )


def widen_index(apps, schema_editor):
    _index(schema_editor, COLUMNS + ", repaired_on")


def narrow_index(apps, schema_editor):
    _index(schema_editor, COLUMNS)


class Migration(migrations.Migration):
    dependencies = [
        ("grading", "0007_run_lifecycle"),
        ("credit_records", "0005_r2_mitigation_repair"),
    ]
    operations = [
        migrations.RunPython(load, unload),
        migrations.RunPython(widen_index, narrow_index),
    ]
