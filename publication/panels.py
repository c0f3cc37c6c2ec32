"""The employer page's panel: this year's and every past year's published grade (seed 002
四(三): 企业可通过系统查询本次和历年守法诚信评价等级), with the dated adjustments and the written
notice when there was one."""

from grading.choices import CycleStatus

from .choices import DocumentKind
from .models import CycleDocument
from .selectors import employer_published_results
from .services import authority_of, current_grade


def published_grades_context(request, employer):
    results = list(employer_published_results(employer))
    notices = {
        d.cycle_id: d
        for d in CycleDocument.objects.filter(
            employer=employer,
            kind=DocumentKind.WRITTEN_NOTICE,
            cycle__status__in=(
                CycleStatus.PUBLIC_NOTICE,
                CycleStatus.FINAL,
                CycleStatus.PUBLISHED,
            ),
        ).select_related("cycle")
    }
    published_cycles = {r.cycle_id for r in results}
    pending = [d for cycle_id, d in notices.items() if cycle_id not in published_cycles]
    if not results and not pending:
        return None
    rows = [
        {
            "result": r,
            "current": current_grade(r),
            "adjustments": sorted(r.adjustments.all(), key=lambda a: (a.effective_date, a.pk)),
            "authority": authority_of(r.cycle),
            "notice": notices.get(r.cycle_id),
        }
        for r in results
    ]
    return {"rows": rows, "pending_notices": pending}
