"""Indexes for the name / USCC search (issue 15 item 4; PostgreSQL only — SQLite scans).

``UPPER(name) LIKE UPPER('%q%')`` (Django's ``icontains``) is answered by a pg_trgm GIN index on
the same expression; the USCC has its unique index (a full code) and the ``varchar_pattern_ops``
index Django made with it (a prefix: ``uscc LIKE 'Q%'``). See ``employers.selectors.search_*``.

Built CONCURRENTLY (the migration is not atomic) so that a registry of millions of rows stays
writable while it is built; IF NOT EXISTS makes a re-run after an interruption harmless (an
interrupted concurrent build leaves an INVALID index: drop it and migrate again).
"""

from django.db import migrations

TABLE = "employers_employer"
INDEX = "employers_employer_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {TABLE} "
        f"USING gin (UPPER(name) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("employers", "0008_accountrequest_consultee_role")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
