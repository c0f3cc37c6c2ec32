"""Fresh planner statistics after a bulk write (issue 15).

A regrade or a publication writes a county's rows at once; until autovacuum's analyser notices
(a minute or more later, and never where it is switched off) PostgreSQL plans on the table's old
statistics: at a million employers the first page of an unpublished cycle took 5 s (every grade
of the cycle sorted) instead of 0.1 s (the employers' name index walked), and the public list's
4.4 s instead of 1 ms. ``ANALYZE`` reads a sample: about a second at a million rows."""

from __future__ import annotations

from django.db import connection

# A write of fewer rows than this leaves the statistics to autovacuum.
ANALYZE_AFTER_ROWS = 10_000


def refresh_statistics(*models) -> None:
    """``ANALYZE`` the tables of ``models`` (PostgreSQL; nothing elsewhere)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
