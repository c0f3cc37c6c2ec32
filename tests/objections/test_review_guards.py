"""Guards found in the access review: a decision is approved by a second person, and a grade
cannot carry two open objections however fast they are submitted."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from employers.choices import Role
from objections import services, workflow
from objections.choices import Action, CaseStatus, ObjectionKind, Outcome
from objections.models import Objection
from tests.factories import UserFactory, jurisdiction

from .helpers import D, penalty

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided_by_supervisor(employer, employer_user, supervisor):
    objection = services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.RECORD,
        ground="error",
        reasons="文书号错误",
        record=penalty(employer, D(2024, 9, 2)),
        today=D(2024, 9, 27),
    )
    services.accept(actor=supervisor, case=objection)
    return services.decide(
        actor=supervisor, objection=objection, outcome=Outcome.REJECTED, reasons="证据充分"
    )


def test_the_supervisor_who_decided_does_not_approve(decided_by_supervisor, supervisor):
    case = decided_by_supervisor
    assert Action.APPROVE not in workflow.allowed_actions(case, supervisor)
    assert Action.RETURN in workflow.allowed_actions(case, supervisor)  # may still send it back
    with pytest.raises(PermissionDenied):
        services.approve_decision(actor=supervisor, case=case)
    assert Objection.objects.get(pk=case.pk).status == CaseStatus.DECIDED
    other = UserFactory(role=Role.SUPERVISOR, jurisdiction=jurisdiction("jiaxian"))
    assert Action.APPROVE in workflow.allowed_actions(case, other)
    closed = services.approve_decision(actor=other, case=case)
    assert closed.status == CaseStatus.CLOSED and closed.approved_by == other


def test_self_approval_by_a_forged_post_is_refused(client, decided_by_supervisor, supervisor):
    client.force_login(supervisor)
    response = client.post(f"/objections/{decided_by_supervisor.pk}/approve/", {"note": ""})
    assert response.status_code == 403
    assert Objection.objects.get(pk=decided_by_supervisor.pk).status == CaseStatus.DECIDED


def test_one_open_objection_per_grade_in_the_database(employer, employer_user):
    """The service checks first; the constraint holds when two submits race past the check."""

    def grade_objection():
        return Objection.objects.create(
            employer=employer,
            kind=ObjectionKind.GRADE,
            ground="error",
            reasons="等级有误",
            received_on=D(2025, 9, 29),
            due_days=3,
            filed_by=employer_user,
            grade_id_ref=4242,
        )

    first = grade_objection()
    with pytest.raises(IntegrityError), transaction.atomic():
        grade_objection()
    Objection.objects.filter(pk=first.pk).update(status=CaseStatus.WITHDRAWN)
    assert grade_objection().pk != first.pk  # a new one once the first is no longer open


def test_a_grade_objection_racing_the_finalise_is_refused(employer, employer_user, monkeypatch):
    """The employer's page read the cycle in public notice; by the time the objection is saved
    the publisher has finalised it. The cycle row is re-read under lock and the objection refused
    (else it would sit open on a final cycle that ``finalise`` believed had none)."""
    from grading import services as grading
    from grading.models import Cycle, Grade
    from objections import grading_bridge

    add_record = pytest.importorskip("credit_records.services").add_record
    add_record(
        actor=None,
        employer=employer,
        kind="violation",
        date=D(2024, 5, 1),
        severity="general",
        category="wages",
        rectification="rectified",
    )
    grade = Grade.objects.get(run=grading.regrade(cycle=2024), employer=employer)
    cycle = Cycle.objects.get(jurisdiction__code="jiaxian", year=2024)
    Cycle.objects.filter(pk=cycle.pk).update(status="public_notice")
    stale = grading_bridge.disputable_grades(employer, kind=ObjectionKind.GRADE)
    assert [g.grade_id for g in stale] == [grade.pk]
    monkeypatch.setattr(grading_bridge, "disputable_grades", lambda *a, **kw: stale)
    Cycle.objects.filter(pk=cycle.pk).update(status="final")  # the publisher was quicker

    with pytest.raises(ValidationError):
        services.file_objection(
            actor=employer_user,
            employer=employer,
            kind=ObjectionKind.GRADE,
            ground="error",
            reasons="等级有误",
            grade_id=grade.pk,
        )
    assert not Objection.objects.exists()
    Cycle.objects.filter(pk=cycle.pk).update(status="public_notice")
    assert services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.GRADE,
        ground="error",
        reasons="等级有误",
        grade_id=grade.pk,
    ).pk
