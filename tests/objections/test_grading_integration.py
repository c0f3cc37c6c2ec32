"""Objections against grades (public notice), re-evaluation of published grades, and the grade
change an upheld objection causes. Uses the grading app's selectors and services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from credit_records.signals import record_changed
from objections import services
from objections.choices import CaseStatus, ObjectionKind, Outcome, RecordRemedy
from tests.factories import jurisdiction

from .helpers import penalty

pytestmark = pytest.mark.django_db


def test_upheld_objection_voids_the_record_and_changes_the_grade(
    employer, employer_user, inspector, supervisor, django_capture_on_commit_callbacks
):
    grading_services = pytest.importorskip("grading.services")
    grading_selectors = pytest.importorskip("grading.selectors")
    if not record_changed.has_listeners():
        pytest.skip("grading does not listen to record_changed in this build")
    today = timezone.localdate()
    record = penalty(employer, today - datetime.timedelta(days=30))
    grading_services.regrade_employer(employer.pk)
    assert grading_selectors.current_grade(employer, "jiaxian").grade == "D"

    objection = services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.RECORD,
        ground="error",
        reasons="处罚决定已被撤销",
        record=record,
    )
    services.accept(actor=inspector, case=objection)
    services.decide(
        actor=inspector,
        objection=objection,
        outcome=Outcome.UPHELD,
        reasons="复议机关已撤销该处罚决定",
        remedy=RecordRemedy.VOID,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_decision(actor=supervisor, case=objection)
    assert grading_selectors.current_grade(employer, "jiaxian").grade == "B"


def test_grade_objection_only_during_public_notice(employer, employer_user, cycle_grade):
    from grading.choices import CycleStatus

    cycle, grade = cycle_grade
    objection = services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.GRADE,
        ground="error",
        reasons="2024年度无被查处记录",
        grade_id=grade.pk,
    )
    assert objection.status == CaseStatus.SUBMITTED
    assert "2024" in objection.grade_label and "C" in objection.grade_label
    with pytest.raises(ValidationError):  # re-evaluation is for published grades
        services.file_objection(
            actor=employer_user,
            employer=employer,
            kind=ObjectionKind.RE_EVALUATION,
            ground="error",
            reasons="x",
            grade_id=grade.pk,
        )
    cycle.status = CycleStatus.PUBLISHED
    cycle.save()
    services.withdraw(actor=employer_user, case=objection)
    with pytest.raises(ValidationError):  # the notice is over
        services.file_objection(
            actor=employer_user,
            employer=employer,
            kind=ObjectionKind.GRADE,
            ground="error",
            reasons="x",
            grade_id=grade.pk,
        )
    re_evaluation = services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.RE_EVALUATION,
        ground="error",
        reasons="申请复评",
        grade_id=grade.pk,
    )
    assert re_evaluation.kind == ObjectionKind.RE_EVALUATION
    assert re_evaluation.due_days == 3


def test_re_evaluation_runs_the_same_workflow(
    employer, employer_user, inspector, supervisor, cycle_grade
):
    from grading.choices import CycleStatus

    cycle, grade = cycle_grade
    cycle.status = CycleStatus.PUBLISHED
    cycle.save()
    case = services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.RE_EVALUATION,
        ground="error",
        reasons="申请复评",
        grade_id=grade.pk,
    )
    services.accept(actor=inspector, case=case)
    with pytest.raises(ValidationError):  # a grade decision does not void records
        services.decide(
            actor=inspector,
            objection=case,
            outcome=Outcome.UPHELD,
            reasons="x",
            remedy=RecordRemedy.VOID,
        )
    services.decide(
        actor=inspector, objection=case, outcome=Outcome.UPHELD, reasons="复评后应调整为B级"
    )
    closed = services.approve_decision(actor=supervisor, case=case)
    assert closed.status == CaseStatus.CLOSED
    from publication.models import OutboxMessage

    assert OutboxMessage.objects.get(topic="objection.decided").payload["grade"]["id"] == grade.pk


def test_another_employers_grade_cannot_be_disputed(employer, employer_user, cycle_grade):
    from grading.models import Grade
    from tests.factories import EmployerFactory

    _cycle, grade = cycle_grade
    other_grade = Grade.objects.create(
        run=grade.run,
        employer=EmployerFactory(),
        ruleset_code="jiaxian",
        ruleset_version="1",
        as_of=grade.as_of,
        cycle_year=2024,
        grade="D",
        jurisdiction=jurisdiction("jiaxian"),
    )
    with pytest.raises(ValidationError):
        services.file_objection(
            actor=employer_user,
            employer=employer,
            kind=ObjectionKind.GRADE,
            ground="error",
            reasons="x",
            grade_id=other_grade.pk,
        )
    with pytest.raises(PermissionDenied):
        services.file_objection(
            actor=employer_user,
            employer=other_grade.employer,
            kind=ObjectionKind.GRADE,
            ground="error",
            reasons="x",
            grade_id=other_grade.pk,
        )
