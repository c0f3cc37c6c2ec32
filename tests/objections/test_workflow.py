"""Objection workflow through its services (SPEC §7): every path, every refused transition,
deadlines 3 → 10 working days, the ledger effect, notifications, scoping and concurrency."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from credit_records.choices import EntryType
from credit_records.models import AuditEntry, CreditRecord
from employers.choices import Role
from objections import services
from objections.choices import Action, CaseStatus, ObjectionKind, Outcome, RecordRemedy
from objections.models import CaseTransition, Notification, Objection
from objections.workflow import TransitionRefused, allowed_actions
from publication.models import OutboxMessage
from tests.factories import EmployerFactory, UserFactory, jurisdiction

from .helpers import D, penalty

pytestmark = pytest.mark.django_db

RECEIVED = D(2024, 9, 27)  # SPEC §6: 3 working days → 2024-10-08


@pytest.fixture
def record(employer):
    return penalty(employer, D(2024, 9, 2))


@pytest.fixture
def filed(employer_user, employer, record):
    return services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.RECORD,
        ground="error",
        reasons="处罚决定已被复议撤销",
        record=record,
        today=RECEIVED,
    )


def status(objection):
    return Objection.objects.get(pk=objection.pk).status


def test_filing_sets_the_three_working_day_deadline(filed, employer_user):
    assert filed.status == CaseStatus.SUBMITTED
    assert filed.received_on == RECEIVED
    assert filed.due_date == D(2024, 10, 8)
    log = CaseTransition.objects.get(objection=filed)
    assert (log.action, log.to_status, log.actor) == (
        Action.FILE,
        CaseStatus.SUBMITTED,
        employer_user,
    )
    assert AuditEntry.objects.filter(action="objection.file", object_id=str(filed.pk)).exists()


def test_verification_moves_the_deadline_to_ten_working_days(filed, inspector):
    services.accept(actor=inspector, case=filed)
    objection = services.mark_needs_verification(
        actor=inspector, objection=filed, note="需向仲裁院核实"
    )
    # 9-29 (Sun, make-up), 9-30, 10-8 … 10-12 (Sat, make-up), 10-14, 10-15, 10-16
    assert objection.due_date == D(2024, 10, 16)
    assert objection.due_days == 10
    assert objection.status == CaseStatus.VERIFYING


def test_verification_needs_a_note(filed, inspector):
    services.accept(actor=inspector, case=filed)
    with pytest.raises(ValidationError):
        services.mark_needs_verification(actor=inspector, objection=filed, note=" ")
    assert status(filed) == CaseStatus.ACCEPTED


def test_upheld_objection_voids_the_record_and_queues_the_platform_push(
    filed,
    record,
    employer,
    employer_user,
    inspector,
    supervisor,
    django_capture_on_commit_callbacks,
):
    employer_user.email = "hr@example.com"
    employer_user.save()
    services.accept(actor=inspector, case=filed)
    services.decide(
        actor=inspector,
        objection=filed,
        outcome=Outcome.UPHELD,
        reasons="经核实处罚决定已撤销",
        remedy=RecordRemedy.VOID,
    )
    assert status(filed) == CaseStatus.DECIDED
    assert CreditRecord.objects.effective().filter(pk=record.pk).exists()  # not before approval
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.approve_decision(actor=supervisor, case=filed, note="同意")
    assert closed.status == CaseStatus.CLOSED
    assert not CreditRecord.objects.effective().filter(pk=record.pk).exists()
    void = CreditRecord.objects.get(supersedes=record)
    assert void.entry_type == EntryType.VOID
    assert closed.ledger_entry == void
    assert CreditRecord.objects.filter(pk=record.pk).exists()  # the original stays
    message = OutboxMessage.objects.get(topic="objection.decided")
    assert message.payload["uscc"] == employer.uscc
    assert message.payload["ledger_entry"]["entry_type"] == "void"
    assert closed.platform_due_date is not None
    note = Notification.objects.get(recipient=employer_user)
    assert "异议成立" in note.subject
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hr@example.com"]


def test_partly_upheld_objection_corrects_the_record(filed, record, inspector, supervisor):
    services.accept(actor=inspector, case=filed)
    services.decide(
        actor=inspector,
        objection=filed,
        outcome=Outcome.PARTLY_UPHELD,
        reasons="处罚已履行",
        remedy=RecordRemedy.CORRECT,
        corrections={"performance": "performed", "document_no": "郏人社罚〔2024〕9号"},
    )
    closed = services.approve_decision(actor=supervisor, case=filed)
    correction = CreditRecord.objects.get(supersedes=record)
    assert correction.entry_type == EntryType.CORRECTION
    assert correction.document_no == "郏人社罚〔2024〕9号"
    assert closed.ledger_entry == correction


def test_correction_identical_to_the_record_is_refused(filed, inspector):
    services.accept(actor=inspector, case=filed)
    with pytest.raises(ValidationError):
        services.decide(
            actor=inspector,
            objection=filed,
            outcome=Outcome.PARTLY_UPHELD,
            reasons="x",
            remedy=RecordRemedy.CORRECT,
            corrections={"performance": "performed"},
        )
    assert status(filed) == CaseStatus.ACCEPTED


@pytest.mark.parametrize(
    ("outcome", "remedy"),
    [
        (Outcome.UPHELD, ""),
        (Outcome.PARTLY_UPHELD, RecordRemedy.VOID),
        (Outcome.REJECTED, RecordRemedy.VOID),
        ("maybe", ""),
    ],
)
def test_inconsistent_decisions_are_refused(filed, inspector, outcome, remedy):
    services.accept(actor=inspector, case=filed)
    with pytest.raises(ValidationError):
        services.decide(
            actor=inspector, objection=filed, outcome=outcome, reasons="理由", remedy=remedy
        )
    assert status(filed) == CaseStatus.ACCEPTED


def test_rejected_objection_leaves_the_record(filed, record, inspector, supervisor, employer_user):
    services.accept(actor=inspector, case=filed)
    services.mark_needs_verification(actor=inspector, objection=filed, note="核查")
    services.decide(actor=inspector, objection=filed, outcome=Outcome.REJECTED, reasons="证据不足")
    closed = services.approve_decision(actor=supervisor, case=filed)
    assert closed.outcome == Outcome.REJECTED
    assert CreditRecord.objects.effective().filter(pk=record.pk).exists()
    assert not OutboxMessage.objects.filter(topic="objection.decided").exists()
    assert Notification.objects.filter(
        recipient=employer_user, subject__contains="不予支持"
    ).exists()


@pytest.mark.parametrize("needs_verification", [False, True])
def test_supervisor_returns_the_decision_to_where_it_was_made(
    filed, inspector, supervisor, needs_verification
):
    services.accept(actor=inspector, case=filed)
    if needs_verification:
        services.mark_needs_verification(actor=inspector, objection=filed, note="核查")
    services.decide(actor=inspector, objection=filed, outcome=Outcome.REJECTED, reasons="证据不足")
    returned = services.return_decision(actor=supervisor, case=filed, note="理由不充分")
    expected = CaseStatus.VERIFYING if needs_verification else CaseStatus.ACCEPTED
    assert returned.status == expected
    assert returned.outcome == ""
    services.decide(actor=inspector, objection=filed, outcome=Outcome.REJECTED, reasons="补充理由")
    assert status(filed) == CaseStatus.DECIDED


@pytest.mark.parametrize("steps", [[], ["accept"], ["accept", "verify"]])
def test_employer_withdraws_before_decision(filed, employer_user, inspector, steps):
    if "accept" in steps:
        services.accept(actor=inspector, case=filed)
    if "verify" in steps:
        services.mark_needs_verification(actor=inspector, objection=filed, note="核查")
    services.withdraw(actor=employer_user, case=filed, note="已自行沟通")
    assert status(filed) == CaseStatus.WITHDRAWN


def _advance(objection, to, inspector, supervisor, employer_user):
    if to in ("accepted", "verifying", "decided", "closed"):
        services.accept(actor=inspector, case=objection)
    if to == "verifying":
        services.mark_needs_verification(actor=inspector, objection=objection, note="核查")
    if to in ("decided", "closed"):
        services.decide(
            actor=inspector, objection=objection, outcome=Outcome.REJECTED, reasons="证据不足"
        )
    if to == "closed":
        services.approve_decision(actor=supervisor, case=objection)
    if to == "withdrawn":
        services.withdraw(actor=employer_user, case=objection)


# Every (status, action) pair the pipeline does not allow.
REFUSED = [
    ("submitted", "needs_verification"),
    ("submitted", "decide"),
    ("submitted", "approve"),
    ("submitted", "return"),
    ("accepted", "accept"),
    ("accepted", "approve"),
    ("accepted", "return"),
    ("verifying", "accept"),
    ("verifying", "needs_verification"),
    ("verifying", "approve"),
    ("verifying", "return"),
    ("decided", "accept"),
    ("decided", "needs_verification"),
    ("decided", "decide"),
    ("decided", "withdraw"),
    ("closed", "accept"),
    ("closed", "needs_verification"),
    ("closed", "decide"),
    ("closed", "approve"),
    ("closed", "return"),
    ("closed", "withdraw"),
    ("withdrawn", "accept"),
    ("withdrawn", "needs_verification"),
    ("withdrawn", "decide"),
    ("withdrawn", "approve"),
    ("withdrawn", "return"),
    ("withdrawn", "withdraw"),
]


def _do(action, objection, inspector, supervisor, employer_user):
    if action == "accept":
        services.accept(actor=inspector, case=objection)
    elif action == "needs_verification":
        services.mark_needs_verification(actor=inspector, objection=objection, note="核查")
    elif action == "decide":
        services.decide(
            actor=inspector, objection=objection, outcome=Outcome.REJECTED, reasons="理由"
        )
    elif action == "approve":
        services.approve_decision(actor=supervisor, case=objection)
    elif action == "return":
        services.return_decision(actor=supervisor, case=objection, note="退回")
    elif action == "withdraw":
        services.withdraw(actor=employer_user, case=objection)


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_refused_transitions(filed, inspector, supervisor, employer_user, state, action):
    _advance(filed, state, inspector, supervisor, employer_user)
    transitions = CaseTransition.objects.filter(objection=filed).count()
    with pytest.raises(TransitionRefused):
        _do(action, filed, inspector, supervisor, employer_user)
    assert status(filed) == state
    assert CaseTransition.objects.filter(objection=filed).count() == transitions


@pytest.mark.parametrize(
    ("state", "action", "who"),
    [
        ("submitted", "accept", "employer"),
        ("submitted", "withdraw", "inspector"),
        ("accepted", "decide", "employer"),
        ("decided", "approve", "inspector"),  # the inspector cannot approve their own decision
        ("decided", "return", "inspector"),
        ("submitted", "accept", "sysadmin"),
        ("submitted", "accept", "auditor"),
    ],
)
def test_wrong_role_is_refused(filed, inspector, supervisor, employer_user, state, action, who):
    _advance(filed, state, inspector, supervisor, employer_user)
    actor = {
        "employer": employer_user,
        "inspector": inspector,
        "sysadmin": UserFactory(role=Role.SYSADMIN, jurisdiction=None),
        "auditor": UserFactory(role=Role.AUDITOR),
    }[who]
    with pytest.raises(PermissionDenied):
        _do(action, filed, actor, actor, actor)
    assert status(filed) == state


def test_inspector_outside_the_jurisdiction_cannot_decide(filed, inspector):
    services.accept(actor=inspector, case=filed)
    outsider = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    with pytest.raises(PermissionDenied):
        services.decide(actor=outsider, objection=filed, outcome=Outcome.REJECTED, reasons="x")
    assert status(filed) == CaseStatus.ACCEPTED
    assert allowed_actions(Objection.objects.get(pk=filed.pk), outsider) == []


def test_street_inspector_of_the_employer_may_act(employer, filed):
    employer.street = jurisdiction("jiaxian-longshan")
    employer.save()
    street_inspector = UserFactory(
        role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian-longshan")
    )
    services.accept(actor=street_inspector, case=filed)
    assert status(filed) == CaseStatus.ACCEPTED


def test_another_employer_cannot_withdraw(filed):
    other = EmployerFactory()
    other_user = UserFactory(role=Role.EMPLOYER, employer=other, jurisdiction=None)
    with pytest.raises(PermissionDenied):
        services.withdraw(actor=other_user, case=filed)
    assert status(filed) == CaseStatus.SUBMITTED


def test_employer_cannot_object_to_another_employers_record(record):
    other = EmployerFactory()
    other_user = UserFactory(role=Role.EMPLOYER, employer=other, jurisdiction=None)
    with pytest.raises(ValidationError):
        services.file_objection(
            actor=other_user,
            employer=other,
            kind=ObjectionKind.RECORD,
            ground="error",
            reasons="x",
            record=record,
        )
    with pytest.raises(PermissionDenied):
        services.file_objection(
            actor=other_user,
            employer=record.employer,
            kind=ObjectionKind.RECORD,
            ground="error",
            reasons="x",
            record=record,
        )
    assert not Objection.objects.exists()


def test_double_submit_opens_one_objection(filed, employer, employer_user, record):
    with pytest.raises(ValidationError):
        services.file_objection(
            actor=employer_user,
            employer=employer,
            kind=ObjectionKind.RECORD,
            ground="error",
            reasons="再次提交",
            record=record,
        )
    assert Objection.objects.count() == 1


def test_a_new_objection_is_possible_after_the_first_is_closed(
    filed, employer, employer_user, record
):
    services.withdraw(actor=employer_user, case=filed)
    again = services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.RECORD,
        ground="error",
        reasons="补充材料后再提",
        record=record,
    )
    assert again.status == CaseStatus.SUBMITTED


def test_double_accept_is_refused_and_logged_once(filed, inspector, supervisor):
    services.accept(actor=inspector, case=filed)
    with pytest.raises(TransitionRefused):
        services.accept(actor=supervisor, case=filed)
    assert CaseTransition.objects.filter(objection=filed, action=Action.ACCEPT).count() == 1


def test_decision_on_a_record_corrected_meanwhile_fails_whole(filed, record, inspector, supervisor):
    from credit_records.services import correct_record

    services.accept(actor=inspector, case=filed)
    services.decide(
        actor=inspector,
        objection=filed,
        outcome=Outcome.UPHELD,
        reasons="撤销",
        remedy=RecordRemedy.VOID,
    )
    correct_record(actor=inspector, record=record, reason="录入错误", document_no="改号")
    with pytest.raises(ValidationError):
        services.approve_decision(actor=supervisor, case=filed)
    assert status(filed) == CaseStatus.DECIDED


def test_deadline_in_a_year_not_loaded_is_flagged_and_recomputed(employer, employer_user, record):
    objection = services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.RECORD,
        ground="error",
        reasons="x",
        record=record,
        today=D(2026, 12, 29),
    )
    assert objection.due_date is None
    assert objection.due_pending_year == 2027
    assert objection.due_pending
    sysadmin = UserFactory(role=Role.SYSADMIN, jurisdiction=None)
    services.enter_calendar_year(
        actor=sysadmin,
        year=2027,
        notice_reference="测试",
        holidays=[(D(2027, 1, 1), "元旦")],
        makeup_workdays=[],
    )
    objection.refresh_from_db()
    # 12-30, 12-31, (1-1 off, weekend), 1-4
    assert objection.due_date == D(2027, 1, 4)
    assert objection.due_pending_year is None


def test_deadline_within_loaded_years_is_not_flagged(employer, employer_user, record):
    objection = services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.RECORD,
        ground="error",
        reasons="x",
        record=record,
        today=D(2026, 12, 25),
    )
    assert objection.due_date == D(2026, 12, 30)
    assert objection.due_pending_year is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_inspectors_deciding_at_once_leave_one_decision(employer, inspector):
    import threading

    from django.db import connection

    from tests.objections.helpers import penalty as make_penalty

    employer_user = UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    record = make_penalty(employer, D(2024, 9, 2))
    objection = services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.RECORD,
        ground="error",
        reasons="x",
        record=record,
        today=RECEIVED,
    )
    services.accept(actor=inspector, case=objection)
    other = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    barrier = threading.Barrier(2)
    results = []

    def act(user, outcome):
        try:
            barrier.wait()
            services.decide(actor=user, objection=objection, outcome=outcome, reasons=str(user))
            results.append("ok")
        except TransitionRefused:
            results.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(inspector, Outcome.REJECTED)),
        threading.Thread(target=act, args=(other, Outcome.REJECTED)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert CaseTransition.objects.filter(objection=objection, action=Action.DECIDE).count() == 1
    objection.refresh_from_db()
    assert objection.status == CaseStatus.DECIDED


def test_transition_log_keeps_the_order(filed, inspector):
    services.accept(actor=inspector, case=filed)
    actions = list(CaseTransition.objects.filter(objection=filed).values_list("action", flat=True))
    assert actions == [Action.FILE, Action.ACCEPT]
