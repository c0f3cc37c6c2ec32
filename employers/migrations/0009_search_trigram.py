"""Indexes for the name / USCC search (issue 15 item 4; PostgreSQL only — SQLite scans).

``UPPER(name) LIKE UPPER('%q%')`` (Django's ``icontains``) is answered by a pg_trgm GIN index on
the same expression; the USCC has its unique index (a full code) and the ``varchar_pattern_ops``
index Django made with it (a prefix: ``uscc LIKE 'Q%'``). A two-character fragment — the usual
Chinese word — has no trigram: ``search_bigrams(name)`` (the distinct upper-cased character pairs
of a name, a function made here) with a GIN index answers ``@> ARRAY['红星']`` instead. See
``employers.selectors.search_*``.

Built CONCURRENTLY (the migration is not atomic) so that a registry of millions of rows stays
writable while it is built; IF NOT EXISTS makes a re-run after an interruption harmless (an
interrupted concurrent build leaves an INVALID index: drop it and migrate again).
"""

from django.db import migrations

TABLE = "employers_employer"
INDEX = "employers_employer_name_trgm"
BIGRAMS = "employers_employer_name_bigrams"
FUNCTION = """
CREATE OR REPLACE FUNCTION search_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(upper(value), i, 2)), '{}')
    FROM generate_series(1, char_length(value) - 1) AS i
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {TABLE} "
        f"USING gin (UPPER(name) gin_trgm_ops)"
    )
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {BIGRAMS} ON {TABLE} "
        f"USING gin (search_bigrams(name))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {BIGRAMS}")
    schema_editor.execute("DROP FUNCTION IF EXISTS search_bigrams(text)")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("employers", "0008_accountrequest_consultee_role")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
