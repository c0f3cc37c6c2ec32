"""An index on the ledger for grading's fact queries (PostgreSQL only).

grading.facts reads the effective records of a range of employers many times a night. With this
covering index the database answers from the index alone, in employer order, reading only the
range asked for (an index-only scan: the append-only ledger keeps its visibility map set), instead
of the whole table for every chunk. It lives in the grading app because grading is its only
reader; it changes nothing in how the ledger is written.
"""

from django.db import migrations

INDEX = "grading_creditrecord_facts"
COLUMNS = (
    "id, kind, entry_type, end_date, case_no, severity, category, rectification, performance, "
    "incident, level, value"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON credit_records_creditrecord "
        f"(employer_id, date) INCLUDE ({COLUMNS})"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("grading", "0005_bulk_tables"),
        ("credit_records", "0004_append_only_triggers"),
    ]
    operations = [migrations.RunPython(create, drop)]
