"""What other apps add to the staff's employer list (a hook, like the page's panels): grading
contributes the current-grade column and the grade / rule-set filters, so "all D employers of my
county" is one click (issue 11 item 2) while the employers app knows nothing of grades.

    register_grade_source(
        choices=lambda user: [(code, label), ...],         # rule sets the user can filter by
        filter=lambda employers, grade, ruleset: employers,  # narrowed QuerySet
        grades=lambda employer_ids: {employer_id: [(ruleset label, grade), ...]},
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class GradeSource:
    choices: Callable
    filter: Callable
    grades: Callable


_SOURCE: list[GradeSource] = []


def register_grade_source(*, choices: Callable, filter: Callable, grades: Callable) -> None:
    _SOURCE[:] = [GradeSource(choices, filter, grades)]


def grade_source() -> GradeSource | None:
    return _SOURCE[0] if _SOURCE else None
