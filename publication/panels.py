"""The employer page's panel: this year's and every past year's published grade (seed 002
四(三): 企业可通过系统查询本次和历年守法诚信评价等级), with the dated adjustments, and the written
notices issued at public notice (SPEC §8 [r2]) with their read receipt (first opened at) — the
employer opens its own, the inspector sees whether and when it was opened."""

from grading.choices import CycleStatus

from .models import WrittenNotice
from .selectors import employer_published_results
from .services import authority_of, current_grade

NOTICE_STATUSES = (CycleStatus.PUBLIC_NOTICE, CycleStatus.FINAL, CycleStatus.PUBLISHED)


def published_grades_context(request, employer):
    results = list(employer_published_results(employer))
    notices = list(
        WrittenNotice.objects.filter(
            employer=employer, superseded_at__isnull=True, cycle__status__in=NOTICE_STATUSES
        )
        .select_related("cycle__jurisdiction")
        .order_by("-cycle__year", "-id")
    )
    by_cycle = {n.cycle_id: n for n in notices}
    published_cycles = {r.cycle_id for r in results}
    pending = [n for n in notices if n.cycle_id not in published_cycles]
    if not results and not pending:
        return None
    rows = [
        {
            "result": r,
            "current": current_grade(r),
            "adjustments": sorted(r.adjustments.all(), key=lambda a: (a.effective_date, a.pk)),
            "authority": authority_of(r.cycle),
            "notice": by_cycle.get(r.cycle_id),
        }
        for r in results
    ]
    return {
        "rows": rows,
        "pending_notices": pending,
        "is_employer": request.user.role == "employer",
    }
