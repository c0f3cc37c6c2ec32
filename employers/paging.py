"""Counting and paging large lists (issue 15: every page counted all matching rows).

An exact ``COUNT(*)`` over hundreds of thousands of rows is a scan on every view. On PostgreSQL
``estimated_count`` asks the planner (``EXPLAIN``: its row estimate from the table statistics)
and counts exactly only when the estimate is small; elsewhere (SQLite, the demo) it counts.
``EstimatedPaginator`` pages with that count; pages show "约" when it is an estimate (the
employer list, the results and notice lists, ``_pagination.html``).
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this many rows (by the planner's estimate) the rows are counted, and at most this many:
# counting 20,000 search matches took 200 ms at a million employers (each match is a row read),
# 2,000 take a tenth of it.
EXACT_BELOW = 2_000


def planner_estimate(queryset) -> int | None:
    """The planner's row estimate of ``queryset`` (PostgreSQL), else None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def estimated_count(queryset, *, exact_below: int = EXACT_BELOW) -> tuple[int, bool]:
    """(count, exact): the exact count when small or not on PostgreSQL, else the estimate.

    The planner can underestimate (a LIKE's or an array containment's selectivity is a guess),
    so the "small" count is capped: at most ``exact_below`` + 1 rows are counted, and a count
    that reaches the cap is reported as an estimate (the larger of the two) — a search with
    hundreds of thousands of matches never counts them all."""
    estimate = planner_estimate(queryset)
    if estimate is None:
        return queryset.order_by().count(), True
    if estimate >= exact_below:
        return estimate, False
    capped = queryset.order_by()[: exact_below + 1].count()
    if capped <= exact_below:
        return capped, True
    return max(estimate, capped), False


class EstimatedPaginator(Paginator):
    """A paginator whose total is ``estimated_count`` (an estimate only for large lists)."""

    exact = True

    @cached_property
    def count(self):
        total, self.exact = estimated_count(self.object_list)
        return total
