"""An index for the 1- and 2-character name searches (issue 15 item 4; PostgreSQL only — SQLite
scans).

pg_trgm answers ``UPPER(name) LIKE '%q%'`` from the trigrams of q, and a query of one or two
characters has none (安泰, 机械 — the common Chinese case): the trigram index is then read whole.
``lc_name_grams(name)`` is the array of the upper-cased name's single characters and character
pairs (an IMMUTABLE function), indexed with GIN; ``lc_name_grams(name) @> ARRAY[UPPER(q)]``
for a q of one or two characters means exactly ``UPPER(name) LIKE '%Q%'`` and is answered by
this index (``employers.selectors.NameGramsContain``). The pg_bigm extension would do the same but
is not packaged for Debian's PostgreSQL.

Built CONCURRENTLY (the migration is not atomic) so that a registry of millions of rows stays
writable while it is built; IF NOT EXISTS makes a re-run after an interruption harmless (an
interrupted concurrent build leaves an INVALID index: drop it and migrate again). The published
results' name has the same index (publication migration 0008_search_name_grams).
"""

from django.db import migrations

TABLE = "employers_employer"
INDEX = "employers_employer_name_grams"

# plpgsql: five times faster than the same in SQL (generate_series and array_agg), which matters
# for building the index over millions of names. The pairs may repeat (GIN keeps each key once).
FUNCTION = """
CREATE OR REPLACE FUNCTION lc_name_grams(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    u text := upper(name);
    grams text[] := regexp_split_to_array(u, '');
BEGIN
    IF u = '' THEN
        RETURN '{}';
    END IF;
    FOR i IN 1 .. char_length(u) - 1 LOOP
        grams := grams || substr(u, i, 2);
    END LOOP;
    RETURN grams;
END
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {TABLE} USING gin (lc_name_grams(name))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
    schema_editor.execute("DROP FUNCTION IF EXISTS lc_name_grams(text)")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("employers", "0010_export_job")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
