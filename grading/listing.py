"""Grading's part of the staff employer list (employers.listing): current grades as a column
and as filters."""

from __future__ import annotations

from django.db.models import Exists, OuterRef


def ruleset_choices(user):
    from employers.selectors import visible_jurisdictions

    from .labels import ruleset_name
    from .models import RuleSetAssignment

    codes = (
        RuleSetAssignment.objects.filter(jurisdiction__in=visible_jurisdictions(user))
        .values_list("ruleset_code", flat=True)
        .distinct()
        .order_by("ruleset_code")
    )
    codes = list(codes) or ["jiaxian", "xiqing", "jiangjin", "xuchang"]
    return [(code, ruleset_name(code)) for code in codes]


def filter_by_grade(employers, grade: str, ruleset: str):
    from .models import CurrentGrade

    current = CurrentGrade.objects.filter(employer=OuterRef("pk"))
    if ruleset:
        current = current.filter(ruleset_code=ruleset)
    if grade:
        current = current.filter(grade="" if grade == "U" else grade)
    return employers.filter(Exists(current))


def grades_of(employer_ids) -> dict[int, list[tuple[str, str]]]:
    from .labels import ruleset_name
    from .models import CurrentGrade

    out: dict[int, list[tuple[str, str]]] = {}
    rows = CurrentGrade.objects.filter(employer_id__in=list(employer_ids)).order_by(
        "employer_id", "ruleset_code"
    )
    for row in rows.values_list("employer_id", "ruleset_code", "grade"):
        out.setdefault(row[0], []).append((ruleset_name(row[1]), row[2]))
    return out


def register() -> None:
    from employers.listing import register_grade_source

    register_grade_source(choices=ruleset_choices, filter=filter_by_grade, grades=grades_of)
