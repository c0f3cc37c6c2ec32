"""Everything the objections app needs from grading, in one place.

Grade objections are accepted while the employer's cycle is in public notice (SPEC §7, §8);
re-evaluation (复评, seed 003 二(四)) against a grade of a published cycle. The grading app owns
cycles, grades and regrading; this module reads them through ``grading.selectors`` and calls
``grading.services.regrade_employer``.

An upheld grade decision with a corrected grade (``Objection.new_grade``) changes the cycle
grade while the cycle is in public notice: on approval an override is proposed (by the inspector
who decided) and approved (by the approving supervisor) through ``grading.services`` in the same
transaction (seed 002 四(二) "对确需调整的及时在系统上变更等级"; SPEC §7, §8). A new dated
adjustment of a published cycle (SPEC §8) belongs to publication (``case_closed`` after commit).
The employer's live grade is recomputed and the decision is queued for the platform.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import ObjectionKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DisputableGrade:
    grade_id: int
    label: str


def _cycle_status_for(kind: str) -> str | None:
    from grading.choices import CycleStatus

    return {
        ObjectionKind.GRADE: CycleStatus.PUBLIC_NOTICE,
        ObjectionKind.RE_EVALUATION: CycleStatus.PUBLISHED,
    }.get(kind)


def _ruleset_title(code: str, version: str) -> str:
    """The regulation's title for people (never its internal code)."""
    from grading import rulesets

    try:
        return _(rulesets.get(code, version).title)
    except KeyError:
        return _("评价办法")


def disputable_grades(employer, *, kind: str) -> list[DisputableGrade]:
    """Grades of ``employer`` open to a grade objection (cycle in public notice) or to a
    re-evaluation (cycle published)."""
    try:
        from grading.selectors import employer_cycle_grades
    except ImportError:  # grading not installed in this build
        return []
    wanted = _cycle_status_for(kind)
    out = []
    for item in employer_cycle_grades(employer):
        cycle = item["cycle"]
        if cycle.status != wanted:
            continue
        letter = item["final_grade"] or _("未评级")
        label = _("%(year)s年度 %(j)s（%(rs)s）%(grade)s") % {
            "year": cycle.year,
            "j": cycle.jurisdiction.name,
            "rs": _ruleset_title(cycle.ruleset_code, item["grade"].ruleset_version),
            "grade": letter,
        }
        out.append(DisputableGrade(grade_id=item["grade"].pk, label=label))
    return out


def lock_grade_cycle(grade_id: int, *, kind: str) -> bool:
    """Lock the cycle of a disputed grade (a row lock in the caller's transaction) and say
    whether it still takes this kind of objection. ``publication.services.finalise`` locks the
    same row before it counts the open objections, so an objection filed while the cycle is
    being finalised is either counted there or refused here."""
    try:
        from grading.models import Cycle, Grade
    except ImportError:  # grading not installed in this build
        return True
    grade = (
        Grade.objects.filter(pk=grade_id)
        .values("run_id", "ruleset_code", "cycle_year", "jurisdiction_id")
        .first()
    )
    if grade is None:
        return False
    cycle = (
        Cycle.objects.select_for_update()
        .filter(
            run_id=grade["run_id"],
            ruleset_code=grade["ruleset_code"],
            year=grade["cycle_year"],
            jurisdiction_id=grade["jurisdiction_id"],
        )
        .first()
    )
    return cycle is not None and cycle.status == _cycle_status_for(kind)


def _grade_of(objection):
    from grading.models import Grade

    if not objection.grade_id_ref:
        return None
    return (
        Grade.objects.select_related("employer__jurisdiction")
        .filter(pk=objection.grade_id_ref)
        .first()
    )


def allowed_new_grades(objection) -> tuple[str, ...]:
    """The grades of the disputed grade's rule set (version of that grade); () when unknown."""
    try:
        from grading import rulesets
    except ImportError:  # grading not installed in this build
        return ()
    grade = _grade_of(objection)
    if grade is None:
        return ()
    try:
        return tuple(rulesets.get(grade.ruleset_code, grade.ruleset_version).grades)
    except KeyError:
        return ()


def current_cycle_grade(objection) -> str | None:
    """The disputed grade's final grade now (approved override, else computed)."""
    from grading.services import final_grade

    grade = _grade_of(objection)
    return None if grade is None else final_grade(grade)


def cycle_in_public_notice(objection) -> bool:
    from grading.choices import CycleStatus
    from grading.models import Cycle

    grade = _grade_of(objection)
    if grade is None:
        return False
    return Cycle.objects.filter(
        run_id=grade.run_id,
        ruleset_code=grade.ruleset_code,
        year=grade.cycle_year,
        jurisdiction_id=grade.jurisdiction_id,
        status=CycleStatus.PUBLIC_NOTICE,
    ).exists()


def override_cycle_grade(*, objection, actor, reason: str):
    """Change the disputed cycle grade to ``objection.new_grade`` (cycle in public notice): an
    override proposed by the deciding inspector and approved by ``actor`` (the approving
    supervisor), both through grading's services, which write the audit entries. Runs in the
    caller's transaction; a refusal (ValidationError) rolls the approval back."""
    from grading import services as grading_services

    grade = _grade_of(objection)
    override = grading_services.propose_override(
        actor=objection.decided_by,
        grade=grade,
        proposed_grade=objection.new_grade,
        reason=reason,
        objection=objection,
    )
    return grading_services.decide_override(
        actor=actor, override=override, approve=True, note=reason, objection=objection
    )


def give_effect_to_grade_decision(*, objection, actor, reason: str = "") -> None:
    """An upheld grade objection or re-evaluation: the cycle grade is overridden now when a
    corrected grade was given and the cycle is in public notice; the live grade is recomputed
    after commit; a published cycle's adjustment is publication's (``case_closed``)."""
    from django.db import transaction

    if objection.new_grade and cycle_in_public_notice(objection):
        override_cycle_grade(objection=objection, actor=actor, reason=reason)
    transaction.on_commit(lambda: regrade_employer(employer_id=objection.employer_id))


def regrade_employer(*, employer_id: int) -> None:
    """Regrade one employer now (a repair, or a grade decision, that wrote no ledger entry)."""
    try:
        from grading.services import regrade_employer as grading_regrade
    except ImportError:
        logger.warning(
            "grading.services.regrade_employer unavailable; employer %s not regraded", employer_id
        )
        return
    grading_regrade(employer_id)
