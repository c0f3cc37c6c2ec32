"""Everything the objections app needs from grading, in one place.

Grade objections are accepted while the employer's cycle is in public notice (SPEC §7, §8);
re-evaluation (复评, seed 003 二(四)) against a grade of a published cycle. The grading app owns
cycles, grades and regrading; this module reads them through ``grading.selectors`` and calls
``grading.services.regrade_employer``.

What an upheld grade objection does to the cycle itself (an adjustment of a grade in public
notice, or a new dated adjustment of a published one, SPEC §8) belongs to grading/publication:
they receive ``objections.signals.case_closed`` after commit. Here the employer's live grade is
recomputed and the decision is queued for the platform.
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
            "rs": cycle.ruleset_code,
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


def give_effect_to_grade_decision(*, objection, actor) -> None:
    """An upheld grade objection or re-evaluation: the live grade is recomputed after commit;
    the cycle adjustment is grading's and publication's (``case_closed``)."""
    from django.db import transaction

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
