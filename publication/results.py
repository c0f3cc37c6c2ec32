"""What publication reads of a cycle: its rows (``grading.selectors.cycle_results``: employer,
computed ``grade`` row, final grade — an approved override, else the computed one — and the fired
rules) and what holds it back (overrides waiting for the supervisor, undecided objections)."""

from __future__ import annotations

from django.db.models import Q


def cycle_rows(cycle) -> list:
    from grading.selectors import cycle_results

    return list(cycle_results(cycle))


def pending_overrides(cycle) -> int:
    """Overrides of the cycle still waiting for the supervisor."""
    from grading.choices import OverrideStatus
    from grading.models import GradeOverride
    from grading.selectors import cycle_grades

    return GradeOverride.objects.filter(
        grade__in=cycle_grades(cycle).values("pk"), status=OverrideStatus.PENDING
    ).count()


def undecided_objections(cycle):
    """Objections that keep the cycle from being finalised (SPEC §8).

    Uses ``objections.selectors.open_grade_objections(cycle)`` when the objections app offers it.
    Otherwise, interpretation: an open grade objection against a grade of this cycle, or an open
    objection to a credit record filed by an employer of the cycle during the notice (it disputes
    what the grade rests on, seed 000 第十九条); one filed after the notice has ended is handled on
    its own and, if upheld, leads to a dated adjustment.
    """
    try:
        from objections.selectors import open_grade_objections
    except ImportError:
        open_grade_objections = None
    if open_grade_objections is not None:
        return open_grade_objections(cycle)
    from grading.selectors import cycle_grades
    from objections.choices import OPEN_STATUSES, ObjectionKind
    from objections.models import Objection

    grades = cycle_grades(cycle)
    during_notice = Q(kind=ObjectionKind.RECORD, employer_id__in=grades.values("employer_id"))
    if cycle.notice_start and cycle.notice_end:
        during_notice &= Q(received_on__range=(cycle.notice_start, cycle.notice_end))
    return Objection.objects.filter(status__in=OPEN_STATUSES).filter(
        Q(kind=ObjectionKind.GRADE, grade_id_ref__in=grades.values("pk")) | during_notice
    )


def upheld_grade_cases(cycle):
    """Closed grade objections and re-evaluations (复评, seed 003 二(四)) of a published cycle that
    were upheld: each calls for a dated adjustment of the published result (SPEC §8), which the
    publisher records with the new grade."""
    from objections.choices import CaseStatus, ObjectionKind, Outcome
    from objections.models import Objection

    from .models import PublishedResult

    return (
        Objection.objects.filter(
            kind__in=(ObjectionKind.GRADE, ObjectionKind.RE_EVALUATION),
            status=CaseStatus.CLOSED,
            outcome__in=(Outcome.UPHELD, Outcome.PARTLY_UPHELD),
            grade_id_ref__in=PublishedResult.objects.filter(cycle=cycle).values("grade_ref"),
        )
        .select_related("employer")
        .order_by("closed_on", "id")
    )
