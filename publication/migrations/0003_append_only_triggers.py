"""On PostgreSQL the database itself refuses UPDATE and DELETE of published results, their
adjustments and the cycle status history (SPEC §8: published results never change), with the
ledger's trigger function ``credit_records_refuse_change()``."""

from django.db import migrations

TABLES = [
    "publication_publishedresult",
    "publication_publishedadjustment",
    "publication_cycletransition",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION credit_records_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0002_workflow_results_documents"),
        ("credit_records", "0004_append_only_triggers"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
