"""Reference data: which rule set grades whom (grading.reference, SPEC §5, §5.5)."""

from django.db import migrations

from grading.reference import ASSIGNMENTS, ensure_assignments


def load(apps, schema_editor):
    ensure_assignments(apps.get_model("employers", "Jurisdiction"), apps.get_model("grading", "RuleSetAssignment"))


def unload(apps, schema_editor):
    RuleSetAssignment = apps.get_model("grading", "RuleSetAssignment")
    for code, kind, ruleset, version, _start in ASSIGNMENTS:
        RuleSetAssignment.objects.filter(
            jurisdiction__code=code, employer_kind=kind, ruleset_code=ruleset,
            ruleset_version=version,
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("grading", "0001_initial"),
        ("employers", "0002_reference_jurisdictions"),
    ]
    operations = [migrations.RunPython(load, unload)]
