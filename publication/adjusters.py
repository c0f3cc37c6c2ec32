"""Published grades as they stand after dated adjustments (SPEC §8), for the sampling of lower
apps: registered with ``grading.selectors.register_published_grade_adjuster`` in ready(), so
grading (below publication) can honour adjustments without importing publication."""

from __future__ import annotations


def adjusted_published_grades(rows: list[dict], as_of=None) -> dict[tuple[int, int], str]:
    """{(cycle id, employer id): the grade in force on ``as_of`` (default: the latest)} for the
    rows that have an adjustment."""
    from .models import PublishedAdjustment

    if not rows:
        return {}
    cycle_ids = {r["cycle_id"] for r in rows}
    employer_ids = {r["employer_id"] for r in rows}
    adjustments = PublishedAdjustment.objects.filter(
        result__cycle_id__in=cycle_ids, result__employer_id__in=employer_ids
    )
    if as_of is not None:
        adjustments = adjustments.filter(effective_date__lte=as_of)
    out: dict[tuple[int, int], str] = {}
    for cycle_id, employer_id, grade in adjustments.order_by("effective_date", "id").values_list(
        "result__cycle_id", "result__employer_id", "new_grade"
    ):
        out[(cycle_id, employer_id)] = grade  # the latest adjustment wins
    return out
