"""The results of a cycle as publication reads them: one row per graded employer with the computed
grade, the final grade (an approved override, else the computed one) and the fired rules.

Prefers ``grading.selectors.cycle_results(cycle)`` (the grading app's contract); until that
exists, reads ``grading.models.Grade`` / ``GradeOverride`` directly with the same meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from employers.models import Employer


@dataclass(frozen=True)
class CycleRow:
    employer: Employer
    grade_id: int | None
    ruleset_version: str
    computed_grade: str
    final_grade: str
    rules: tuple[str, ...]

    @property
    def overridden(self) -> bool:
        return self.final_grade != self.computed_grade

    @property
    def grade(self) -> str:
        return self.final_grade


def cycle_employers_q(cycle, prefix: str = "employer__") -> Q:
    ids = list(cycle.jurisdiction.subtree().values_list("pk", flat=True))
    return Q(**{f"{prefix}jurisdiction_id__in": ids}) | Q(**{f"{prefix}street_id__in": ids})


def _from_grading_selector(cycle):
    try:
        from grading.selectors import cycle_results
    except ImportError:
        return None
    return [
        CycleRow(
            employer=r.employer,
            grade_id=r.grade.pk,
            ruleset_version=r.grade.ruleset_version,
            computed_grade=r.computed_grade,
            final_grade=r.final_grade,
            rules=tuple(r.rules),
        )
        for r in cycle_results(cycle)
    ]


def _from_models(cycle) -> list[CycleRow]:
    from grading.choices import OverrideStatus
    from grading.models import Grade, GradeOverride

    if cycle.run_id is None:
        return []
    grades = (
        Grade.objects.filter(run_id=cycle.run_id, ruleset_code=cycle.ruleset_code)
        .filter(cycle_employers_q(cycle))
        .select_related("employer", "employer__street", "employer__jurisdiction")
        .order_by("employer__name", "employer_id")
    )
    approved = dict(
        GradeOverride.objects.filter(
            grade__run_id=cycle.run_id,
            grade__ruleset_code=cycle.ruleset_code,
            status=OverrideStatus.APPROVED,
        )
        .order_by("decided_at", "id")
        .values_list("grade_id", "proposed_grade")
    )
    return [
        CycleRow(
            employer=g.employer,
            grade_id=g.pk,
            ruleset_version=g.ruleset_version,
            computed_grade=g.grade,
            final_grade=approved.get(g.pk, g.grade),
            rules=tuple(g.rules),
        )
        for g in grades
    ]


def cycle_rows(cycle) -> list[CycleRow]:
    rows = _from_grading_selector(cycle)
    if rows is None:
        rows = _from_models(cycle)
    return rows


def pending_overrides(cycle) -> int:
    """Overrides of the cycle still waiting for the supervisor."""
    from grading.choices import OverrideStatus
    from grading.models import GradeOverride

    if cycle.run_id is None:
        return 0
    return (
        GradeOverride.objects.filter(
            grade__run_id=cycle.run_id,
            grade__ruleset_code=cycle.ruleset_code,
            status=OverrideStatus.PENDING,
        )
        .filter(cycle_employers_q(cycle, prefix="grade__employer__"))
        .count()
    )


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
    from grading.models import Grade
    from objections.choices import OPEN_STATUSES, ObjectionKind
    from objections.models import Objection

    grade_ids = Grade.objects.filter(run_id=cycle.run_id, ruleset_code=cycle.ruleset_code).values(
        "pk"
    )
    during_notice = Q(kind=ObjectionKind.RECORD)
    if cycle.notice_start and cycle.notice_end:
        during_notice &= Q(received_on__range=(cycle.notice_start, cycle.notice_end))
    return Objection.objects.filter(status__in=OPEN_STATUSES).filter(
        Q(kind=ObjectionKind.GRADE, grade_id_ref__in=grade_ids)
        | (during_notice & cycle_employers_q(cycle))
    )
