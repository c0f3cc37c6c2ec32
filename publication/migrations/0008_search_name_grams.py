"""An index for the 1- and 2-character searches of published results (issue 15 item 4;
PostgreSQL only — SQLite scans): the GIN index of ``lc_name_grams(name)`` (the function and its
meaning: employers migration 0011_search_name_grams), as on the employers' name.

Built CONCURRENTLY (the migration is not atomic); IF NOT EXISTS makes a re-run after an
interruption harmless (an interrupted concurrent build leaves an INVALID index: drop it and
migrate again).
"""

from django.db import migrations

TABLE = "publication_publishedresult"
INDEX = "publication_result_name_grams"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {TABLE} USING gin (lc_name_grams(name))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("publication", "0007_job_checkpoints"),
        ("employers", "0011_search_name_grams"),
    ]
    operations = [migrations.RunPython(create, drop, elidable=False)]
