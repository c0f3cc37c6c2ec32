"""Credit repair (SPEC §7): eligibility at its boundaries, and the workflow end to end."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from credit_records.choices import EntryType
from credit_records.models import CreditRecord
from credit_records.services import add_record
from employers.choices import Role
from objections import services
from objections.choices import CaseStatus, RepairOutcome
from objections.eligibility import repair_eligibility
from objections.models import RepairApplication
from publication.models import OutboxMessage
from tests.factories import EmployerFactory, UserFactory

from .helpers import D, blacklist, months_ago, penalty, violation

pytestmark = pytest.mark.django_db


def unmet(result):
    return sorted(c.code for c in result.conditions if not c.met)


@pytest.fixture
def general_penalty(employer):
    return penalty(employer, D(2024, 1, 15))  # 一般程序 → 失信信息—一般


@pytest.mark.parametrize(
    ("today", "eligible"),
    [
        (D(2024, 4, 15), False),  # the last day of the 3-month minimum
        (D(2024, 4, 16), True),
        (D(2025, 1, 15), True),  # the last day of the 1-year maximum
    ],
)
def test_general_minimum_publicity_boundary(general_penalty, today, eligible):
    result = repair_eligibility(
        general_penalty, today=today, corrected_on=D(2024, 2, 1), commitment_signed=True
    )
    assert result.info_class == "dishonest_general"
    assert result.earliest == D(2024, 4, 16)
    assert result.eligible is eligible


def test_general_record_past_its_maximum_needs_no_repair(general_penalty):
    result = repair_eligibility(
        general_penalty, today=D(2025, 1, 16), corrected_on=D(2024, 2, 1), commitment_signed=True
    )
    assert not result.eligible
    assert "最长公示期" in result.note


@pytest.mark.parametrize(
    ("today", "eligible"),
    [(D(2025, 1, 15), False), (D(2025, 1, 16), True), (D(2027, 1, 15), True)],
)
def test_serious_minimum_publicity_is_one_year(employer, today, eligible):
    record = violation(employer, D(2024, 1, 15), severity="major")
    result = repair_eligibility(
        record, today=today, corrected_on=D(2024, 3, 1), commitment_signed=True
    )
    assert result.info_class == "dishonest_serious"
    assert result.eligible is eligible


def test_serious_record_past_three_years_needs_no_repair(employer):
    record = violation(employer, D(2024, 1, 15), severity="major")
    result = repair_eligibility(
        record, today=D(2027, 1, 16), corrected_on=D(2024, 3, 1), commitment_signed=True
    )
    assert not result.eligible and result.note


@pytest.mark.parametrize(
    ("today", "eligible"),
    [
        # corrected 3-31: 6 months end on 9-30 (month end), early removal from 10-01
        (D(2024, 9, 30), False),
        (D(2024, 10, 1), True),
    ],
)
def test_blacklist_early_removal_six_months_after_correction(employer, today, eligible):
    record = blacklist(employer, D(2024, 1, 10))
    result = repair_eligibility(
        record, today=today, corrected_on=D(2024, 3, 31), commitment_signed=True
    )
    assert result.earliest == D(2024, 10, 1)
    assert result.eligible is eligible


def test_blacklist_needs_written_commitment_and_no_new_arrears(employer):
    record = blacklist(employer, D(2024, 1, 10))
    result = repair_eligibility(
        record,
        today=D(2024, 12, 1),
        corrected_on=D(2024, 3, 31),
        commitment_signed=False,
        new_arrears_since_correction=True,
    )
    assert unmet(result) == ["commitment", "no_new_arrears"]


def test_blacklist_removed_or_expired_needs_no_repair(employer):
    removed = blacklist(employer, D(2023, 1, 10), end_date=D(2024, 2, 1))
    assert (
        "移出"
        in repair_eligibility(
            removed, today=D(2024, 6, 1), corrected_on=D(2023, 3, 1), commitment_signed=True
        ).note
    )
    expired = blacklist(employer, D(2021, 1, 10))
    assert not repair_eligibility(
        expired, today=D(2024, 1, 11), corrected_on=D(2021, 3, 1), commitment_signed=True
    ).eligible


def test_penalty_not_performed_is_not_eligible(employer):
    record = penalty(employer, D(2024, 1, 15), performance="pending")
    result = repair_eligibility(
        record, today=D(2024, 6, 1), corrected_on=D(2024, 2, 1), commitment_signed=True
    )
    assert unmet(result) == ["obligation"]


def test_violation_of_the_same_case_must_be_rectified(employer):
    record = penalty(employer, D(2024, 1, 15), case_no="JX-2024-7")
    related = violation(employer, D(2024, 1, 10), rectification="in_progress", case_no="JX-2024-7")
    result = repair_eligibility(
        record,
        today=D(2024, 6, 1),
        corrected_on=D(2024, 2, 1),
        commitment_signed=True,
        case_records=[related],
    )
    assert unmet(result) == ["obligation"]


@pytest.mark.parametrize(
    ("corrected_on", "ok"),
    [(None, False), (D(2024, 1, 14), False), (D(2024, 1, 15), True), (D(2024, 6, 2), False)],
)
def test_correction_date_must_be_between_record_and_today(general_penalty, corrected_on, ok):
    result = repair_eligibility(
        general_penalty, today=D(2024, 6, 1), corrected_on=corrected_on, commitment_signed=True
    )
    assert result.eligible is ok


def test_information_that_is_not_dishonesty_is_not_repaired(employer):
    simplified = penalty(employer, D(2024, 1, 15), procedure="simplified")
    minor = violation(employer, D(2024, 1, 15), severity="minor", rectification="rectified")
    for record in (simplified, minor):
        result = repair_eligibility(
            record, today=D(2024, 12, 1), corrected_on=D(2024, 2, 1), commitment_signed=True
        )
        assert not result.eligible and "无需信用修复" in result.note


# --- the workflow --------------------------------------------------------------------------------


def test_approved_blacklist_repair_removes_the_listing_early(
    employer, employer_user, inspector, supervisor
):
    today = timezone.localdate()
    record = blacklist(employer, months_ago(today, 12))
    application = services.apply_for_repair(
        actor=employer_user,
        employer=employer,
        record=record,
        corrected_on=months_ago(today, 7),
        commitment_signed=True,
        reasons="已全额支付拖欠工资",
    )
    assert application.status == CaseStatus.SUBMITTED
    assert application.eligibility["eligible"] is True
    assert application.due_date is None or application.due_date > today
    services.accept(actor=inspector, case=application)
    services.decide_repair(
        actor=inspector,
        application=application,
        outcome=RepairOutcome.APPROVED,
        reasons="经核实已支付",
    )
    closed = services.approve_decision(actor=supervisor, case=application)
    assert closed.status == CaseStatus.CLOSED
    assert closed.publicity_ends_on == today
    # SPEC §7 [r2]: a repair entry, removed from the list today and repaired from today.
    repair = CreditRecord.objects.get(supersedes=record)
    assert repair.entry_type == EntryType.REPAIR
    assert (repair.end_date, repair.repaired_on) == (today, today)
    assert CreditRecord.objects.filter(pk=record.pk).exists()  # the original stays
    assert OutboxMessage.objects.filter(topic="record.repaired").count() == 1


def test_approved_penalty_repair_is_a_repair_entry_from_today(
    employer, employer_user, inspector, supervisor
):
    today = timezone.localdate()
    record = penalty(employer, months_ago(today, 5))
    application = services.apply_for_repair(
        actor=employer_user,
        employer=employer,
        record=record,
        corrected_on=months_ago(today, 4),
        commitment_signed=True,
        reasons="罚款已缴纳",
    )
    services.accept(actor=inspector, case=application)
    services.decide_repair(
        actor=inspector, application=application, outcome=RepairOutcome.APPROVED, reasons="属实"
    )
    closed = services.approve_decision(actor=supervisor, case=application)
    assert closed.publicity_ends_on == today
    # SPEC §7 [r2]: the same content, plus the approval day; the original stays in the ledger.
    repair = closed.ledger_entry
    assert (repair.entry_type, repair.supersedes_id, repair.repaired_on) == (
        EntryType.REPAIR, record.pk, today,
    )  # fmt: skip
    assert (repair.date, repair.performance, repair.end_date) == (
        record.date, record.performance, None,
    )  # fmt: skip
    assert CreditRecord.objects.filter(pk=record.pk).exists()
    assert CreditRecord.objects.effective().filter(pk=repair.pk).exists()


def test_ineligible_application_is_refused_with_reasons(employer, employer_user):
    today = timezone.localdate()
    record = penalty(employer, months_ago(today, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.apply_for_repair(
            actor=employer_user,
            employer=employer,
            record=record,
            corrected_on=today,
            commitment_signed=False,
            reasons="x",
        )
    text = " ".join(excinfo.value.messages)
    assert "最短公示期" in text and "信用承诺书" in text
    assert not RepairApplication.objects.exists()


def test_rejected_repair_changes_nothing(employer, employer_user, inspector, supervisor):
    today = timezone.localdate()
    record = penalty(employer, months_ago(today, 5))
    application = services.apply_for_repair(
        actor=employer_user,
        employer=employer,
        record=record,
        corrected_on=months_ago(today, 4),
        commitment_signed=True,
        reasons="罚款已缴纳",
    )
    services.accept(actor=inspector, case=application)
    services.decide_repair(
        actor=inspector, application=application, outcome=RepairOutcome.REJECTED, reasons="材料不全"
    )
    closed = services.approve_decision(actor=supervisor, case=application)
    assert closed.publicity_ends_on is None
    assert not OutboxMessage.objects.filter(topic="record.repaired").exists()


def test_repair_has_no_verification_step(employer, employer_user, inspector):
    from objections.workflow import TransitionRefused

    today = timezone.localdate()
    record = penalty(employer, months_ago(today, 5))
    application = services.apply_for_repair(
        actor=employer_user,
        employer=employer,
        record=record,
        corrected_on=months_ago(today, 4),
        commitment_signed=True,
        reasons="x",
    )
    services.accept(actor=inspector, case=application)
    with pytest.raises(TransitionRefused):
        services.mark_needs_verification(actor=inspector, objection=application, note="核查")


def test_another_employer_cannot_apply_for_this_record(employer):
    today = timezone.localdate()
    record = penalty(employer, months_ago(today, 5))
    other = EmployerFactory()
    other_user = UserFactory(role=Role.EMPLOYER, employer=other, jurisdiction=None)
    with pytest.raises(ValidationError):
        services.apply_for_repair(
            actor=other_user,
            employer=other,
            record=record,
            corrected_on=months_ago(today, 4),
            commitment_signed=True,
            reasons="x",
        )


def test_double_repair_application_is_refused(employer, employer_user):
    today = timezone.localdate()
    record = penalty(employer, months_ago(today, 5))
    kwargs = dict(
        actor=employer_user,
        employer=employer,
        record=record,
        corrected_on=months_ago(today, 4),
        commitment_signed=True,
        reasons="x",
    )
    services.apply_for_repair(**kwargs)
    with pytest.raises(ValidationError):
        services.apply_for_repair(**kwargs)
    assert RepairApplication.objects.count() == 1


def test_new_arrears_after_correction_block_early_removal(employer, employer_user):
    today = timezone.localdate()
    record = blacklist(employer, months_ago(today, 12))
    add_record(
        actor=None,
        employer=employer,
        kind="violation",
        date=months_ago(today, 2),
        severity="general",
        category="wages",
        rectification="rectified",
    )
    result = services.check_repair_eligibility(
        record=record, corrected_on=months_ago(today, 7), commitment_signed=True
    )
    assert unmet(result) == ["no_new_arrears"]
    assert isinstance(result.earliest, datetime.date)
