"""An index for the search of published results (issue 15 item 4; PostgreSQL only — SQLite
scans).

``UPPER(name) LIKE UPPER('%q%')`` (Django's ``icontains``) is answered by a pg_trgm GIN index on
the same expression of the published name; the published USCC has its index and the
``varchar_pattern_ops`` index Django made with it (a prefix: ``uscc LIKE 'Q%'``). See
``publication.selectors.search_published_results``.

Built CONCURRENTLY (the migration is not atomic) so that a table of millions of published
results stays readable and writable while it is built; IF NOT EXISTS makes a re-run after an
interruption harmless (an interrupted concurrent build leaves an INVALID index: drop it and
migrate again).
"""

from django.db import migrations

TABLE = "publication_publishedresult"
INDEX = "publication_result_name_trgm"


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
    dependencies = [("publication", "0005_r2_class_corrections")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
