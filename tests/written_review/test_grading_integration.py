"""The findings reach the grade (SPEC §10.5, §5.3): a jiangjin enterprise without any
enforcement is not graded (jiangjin.U.2); its written review is enforcement, and a problem found
is a case."""

import pytest

from employers.choices import Role
from grading.models import CurrentGrade, Grade
from grading.services import regrade
from written_review import services

from ..factories import EmployerFactory, UserFactory, jurisdiction
from .helpers import PROBLEM_CONTRACT, D, plan_with, proposed, submitted


@pytest.fixture
def jj_people(db):
    jj = jurisdiction("jiangjin")
    return (
        jj,
        UserFactory(role=Role.INSPECTOR, jurisdiction=jj),
        UserFactory(role=Role.SUPERVISOR, jurisdiction=jj),
    )


def cycle_grade(employer, year=2026):
    run = regrade(cycle=year, jurisdiction=jurisdiction("jiangjin"))
    grade = Grade.objects.get(run=run, employer=employer)
    return grade.grade, grade.rules


@pytest.mark.parametrize(
    ("problems", "result", "grade", "rules"),
    [
        ([], "qualified", "A", ["jiangjin.A.1"]),
        ([PROBLEM_CONTRACT], "basically_qualified", "B", ["jiangjin.B.1"]),
    ],
)
def test_the_grade_of_a_jiangjin_enterprise_after_its_review(
    jj_people, problems, result, grade, rules, django_capture_on_commit_callbacks
):
    jj, inspector, supervisor = jj_people
    employer = EmployerFactory(jurisdiction=jj, name="江津书审企业")
    owner = UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    assert cycle_grade(employer) == ("", ["jiangjin.U.2"])  # no enforcement in 2026

    plan = plan_with([employer], actor=inspector, jurisdiction=jj, year=2025)
    review = plan.reviews.get()
    submitted(review, inspector=inspector, owner=owner)
    proposed(review, inspector=inspector, problems=problems, result=result)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(actor=supervisor, review=review, approve=True, today=D(2026, 4, 1))

    assert cycle_grade(employer) == (grade, rules)
    # The live grade followed the ledger at once (record_changed → grading).
    live = CurrentGrade.objects.get(employer=employer, ruleset_code="jiangjin")
    assert live.grade == grade


def test_obstruction_makes_a_jiangjin_enterprise_c(jj_people):
    from credit_records.services import add_record

    jj, inspector, _supervisor = jj_people
    employer = EmployerFactory(jurisdiction=jj)
    add_record(actor=None, employer=employer, kind="patrol_inspection", date=D(2026, 2, 2),
               result="no_issue")  # fmt: skip
    assert cycle_grade(employer) == ("A", ["jiangjin.A.1"])
    review = plan_with([employer], actor=inspector, jurisdiction=jj, year=2025).reviews.get()
    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    services.issue_late_order(actor=inspector, review=review, new_due_date=D(2026, 3, 27),
                              today=D(2026, 3, 17))  # fmt: skip
    services.record_obstruction(actor=inspector, review=review, date=D(2026, 3, 30),
                                summary="逾期仍未申报", today=D(2026, 3, 31))  # fmt: skip
    assert cycle_grade(employer) == ("C", ["jiangjin.C.5"])
