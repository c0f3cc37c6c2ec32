"""Credit repair, revision 2 (SPEC §7 [r2]): the policy chosen by filing date and named, the
periods as tabulated, the lists not repairable here, refusal before the minimum with the first
allowed day, a repaired record that stops counting from its approval day (a grade computed before
unchanged), the proposed adjustment of a published grade, and the nightly end of publicity (run
twice: one platform message)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from credit_records.models import CreditRecord
from credit_records.services import add_record, repair_record
from employers.choices import Role
from grading.facts import EmployerSelection, compute_facts
from grading.models import CurrentGrade
from grading.services import regrade_employer
from grading.windows import Span
from objections import services
from objections.choices import RepairOutcome
from objections.eligibility import policy_for, repair_eligibility
from objections.models import PublicityEnd
from publication.models import AdjustmentProposal, OutboxMessage
from tests.factories import UserFactory, jurisdiction

from .helpers import D, blacklist, penalty, violation

pytestmark = pytest.mark.django_db


# --- the policy, by filing date -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "name"),
    [
        (D(2023, 5, 1), "国家发展改革委令2023年第58号"),
        (D(2026, 3, 31), "国家发展改革委令2023年第58号"),
        (D(2026, 4, 1), "国家发展改革委令2025年第36号"),
        (D(2027, 1, 1), "国家发展改革委令2025年第36号"),
    ],
)
def test_the_policy_in_force_on_the_filing_day(employer, filed_on, name):
    assert policy_for(filed_on).name == name
    record = penalty(employer, D(2023, 1, 10))
    result = repair_eligibility(
        record,
        today=D(2023, 6, 1),
        corrected_on=D(2023, 2, 1),
        commitment_signed=True,
        filed_on=filed_on,
    )
    assert result.policy.startswith(name)


def test_an_application_is_decided_by_the_policy_of_its_filing_day(
    employer, employer_user, inspector, monkeypatch
):
    record = penalty(employer, D(2025, 12, 1))  # from 2026-03-02 under either policy
    application = services.apply_for_repair(
        actor=employer_user,
        employer=employer,
        record=record,
        corrected_on=D(2026, 1, 20),
        commitment_signed=True,
        reasons="罚款已缴纳",
        today=D(2026, 3, 31),
    )
    assert application.eligibility["policy"].startswith("国家发展改革委令2023年第58号")
    # Decided after 36号 came into force: still judged by 58号 (the filing day).
    result = services.check_repair_eligibility(
        record=record,
        corrected_on=application.corrected_on,
        commitment_signed=True,
        today=D(2026, 4, 2),
        filed_on=application.received_on,
    )
    assert result.policy.startswith("国家发展改革委令2023年第58号") and result.eligible


def test_before_the_minimum_the_application_is_refused_with_the_first_allowed_day(
    employer, employer_user
):
    today = timezone.localdate()
    record = penalty(employer, today - dt.timedelta(days=10))
    with pytest.raises(ValidationError) as exc:
        services.apply_for_repair(
            actor=employer_user,
            employer=employer,
            record=record,
            corrected_on=today,
            commitment_signed=True,
            reasons="已履行",
        )
    from django.utils.formats import date_format

    from credit_records.periods import add_months

    first = add_months(record.date, 3) + dt.timedelta(days=1)
    text = " ".join(exc.value.messages)
    assert f"最早可于{date_format(first)}申请" in text
    assert first.isoformat() not in text  # shown as 2026年…, never ISO


@pytest.mark.parametrize(
    ("kind", "issuer"),
    [("serious_dishonesty_list", "认定部门"), ("dishonest_judgment_debtor", "法院")],
)
def test_the_issuers_lists_are_not_repairable_here(employer, employer_user, kind, issuer):
    record = add_record(actor=None, employer=employer, kind=kind, date=D(2024, 1, 5))
    result = repair_eligibility(
        record, today=D(2025, 6, 1), corrected_on=D(2024, 2, 1), commitment_signed=True
    )
    assert not result.eligible and not result.repairable_here and issuer in result.note
    with pytest.raises(ValidationError) as exc:
        services.apply_for_repair(
            actor=employer_user,
            employer=employer,
            record=record,
            corrected_on=D(2024, 2, 1),
            commitment_signed=True,
            reasons="x",
        )
    assert issuer in " ".join(exc.value.messages)


@pytest.mark.parametrize(
    ("today", "expired"),
    [(D(2024, 8, 1), False), (D(2024, 8, 2), True)],  # listed through 2024-08-01 inclusive
)
def test_the_repair_page_reads_the_blacklist_expiry_as_grading_does(employer, today, expired):
    """One effective end (SPEC §4 [r2]): the repair page says the listing ended on its expiry,
    and grading stops counting it for every window that starts after that day."""
    from django.utils.formats import date_format

    record = blacklist(employer, D(2021, 8, 1))
    assert record.effective_end == D(2024, 8, 1)
    result = repair_eligibility(
        record, today=today, corrected_on=D(2023, 1, 1), commitment_signed=True
    )
    assert (date_format(record.effective_end) in result.note) is expired
    sel = EmployerSelection(employer_ids=(employer.pk,))
    # A window starting on the last listed day still sees it; one starting the next day not.
    last = compute_facts(Span.for_as_of(D(2025, 7, 31)), sel)[employer.pk]
    after = compute_facts(Span.for_as_of(D(2025, 8, 1)), sel)[employer.pk]
    assert "wage_arrears_blacklist" in last.listed_in_window
    assert "wage_arrears_blacklist" not in after.listed_in_window


def test_the_eligibility_page_names_the_policy_and_tabulates_the_periods(client, employer_user):
    client.force_login(employer_user)
    html = client.get(reverse("objections:repair_new")).content.decode()
    assert "国家发展改革委令2025年第36号《信用修复管理办法》" in html
    for expected in ("3个月", "1年", "3年", "严重失信主体名单", "失信被执行人", "执行法院"):
        assert expected in html, expected


# --- a repaired record stops counting from its approval day --------------------------------------


def test_a_repaired_record_stops_counting_from_the_approval_day(employer):
    employer.jurisdiction = jurisdiction("jiaxian")
    employer.save()
    record = penalty(employer, D(2024, 3, 1))
    sel = EmployerSelection(employer_ids=(employer.pk,))
    before = compute_facts(Span.for_as_of(D(2024, 9, 30)), sel)[employer.pk]
    assert "administrative_penalty" in before.kinds_in_window
    repair_record(actor=None, record=record, repaired_on=D(2024, 10, 1), reason="准予修复")
    # as_of before R: unchanged; from R on: the record no longer counts.
    assert compute_facts(Span.for_as_of(D(2024, 9, 30)), sel)[employer.pk] == before
    on_r = compute_facts(Span.for_as_of(D(2024, 10, 1)), sel)[employer.pk]
    assert "administrative_penalty" not in on_r.kinds_in_window and on_r.cases_in_window == 0


def test_the_approved_repair_regrades_at_once_and_an_earlier_grade_stays(
    employer, employer_user, inspector, supervisor, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    employer.jurisdiction = jurisdiction("jiaxian")
    employer.save()
    record = penalty(employer, today - dt.timedelta(days=120))
    regrade_employer(employer.pk)
    assert CurrentGrade.objects.get(employer=employer).grade == "D"
    import io

    from django.core.management import call_command

    call_command("regrade", "--cycle", str(today.year - 1), stdout=io.StringIO())
    application = services.apply_for_repair(
        actor=employer_user,
        employer=employer,
        record=record,
        corrected_on=record.date,
        commitment_signed=True,
        reasons="罚款已缴纳",
    )
    services.accept(actor=inspector, case=application)
    services.decide_repair(
        actor=inspector, application=application, outcome=RepairOutcome.APPROVED, reasons="属实"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_decision(actor=supervisor, case=application)
    current = CurrentGrade.objects.get(employer=employer)
    assert (current.grade, current.as_of) == ("B", today)  # regraded at once
    # A grade computed before the repair keeps reading it.
    facts = compute_facts(
        Span.for_as_of(today - dt.timedelta(days=1)), EmployerSelection(employer_ids=(employer.pk,))
    )
    assert "administrative_penalty" in facts[employer.pk].kinds_in_window
    assert OutboxMessage.objects.filter(topic="record.repaired").count() == 1


def test_a_published_grade_the_repair_changes_gets_a_proposed_adjustment(
    employer_user, inspector, supervisor, django_capture_on_commit_callbacks
):
    from grading.choices import CycleStatus
    from publication.models import PublishedResult
    from publication.proposals import confirm_proposal
    from tests.publication.conftest import make_cycle

    today = timezone.localdate()
    penalised_on = today - dt.timedelta(days=120)  # repairable today (3 months < 120 days < 1 year)
    cycle = make_cycle(
        year=penalised_on.year, grades=(("D", ("jiaxian.D.1",)),), status=CycleStatus.PUBLISHED
    )
    employer = cycle.test_employers[0]
    employer_user.employer = employer
    employer_user.save()
    record = penalty(employer, penalised_on)
    PublishedResult.objects.create(
        cycle=cycle, employer=employer, year=cycle.year, ruleset_code="jiaxian",
        ruleset_version="2", name=employer.name, uscc=employer.uscc, grade="D",
        rules=["jiaxian.D.1"], computed_grade="D", published_at=timezone.now(),
    )  # fmt: skip
    application = services.apply_for_repair(
        actor=employer_user,
        employer=employer,
        record=record,
        corrected_on=record.date,
        commitment_signed=True,
        reasons="罚款已缴纳",
    )
    services.accept(actor=inspector, case=application)
    services.decide_repair(
        actor=inspector, application=application, outcome=RepairOutcome.APPROVED, reasons="属实"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_decision(actor=supervisor, case=application)
    proposal = AdjustmentProposal.objects.get()
    assert (proposal.source, proposal.current_grade, proposal.proposed_grade) == (
        "repair", "D", "B",
    )  # fmt: skip
    assert proposal.effective_date == today and "信用修复" in proposal.basis
    publisher = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("jiaxian"))
    confirm_proposal(proposal=proposal, actor=publisher, public_note="信用修复后调整")
    adjustment = PublishedResult.objects.get(employer=employer).adjustments.get()
    assert (adjustment.old_grade, adjustment.new_grade, adjustment.effective_date) == (
        "D", "B", today,
    )  # fmt: skip
    assert OutboxMessage.objects.filter(topic="grade.adjusted").count() == 1


# --- the nightly end of publicity -----------------------------------------------------------------


def test_the_nightly_task_ends_publicity_once_and_tells_the_platform_once(employer):
    today = D(2026, 11, 30)
    general = penalty(employer, D(2025, 11, 29))  # 1 year ended 2026-11-29: ended
    still = penalty(employer, D(2025, 11, 30), document_no="罚2")  # last day is today
    serious = violation(employer, D(2023, 11, 29), severity="major")  # 3 years ended
    listing = blacklist(employer, D(2023, 11, 29))  # expired 2026-11-29
    removed = blacklist(employer, D(2023, 1, 5), end_date=D(2023, 6, 1))  # removed before
    basic = violation(employer, D(2020, 1, 5))  # not dishonesty: no publicity to end
    repaired = repair_record(
        actor=None, record=penalty(employer, D(2024, 1, 5), document_no="罚3"),
        repaired_on=D(2024, 6, 1), reason="修复",
    )  # fmt: skip
    assert services.end_expired_publicity(today=today) == 3
    assert services.end_expired_publicity(today=today) == 0  # run twice: nothing more
    ended = set(PublicityEnd.objects.values_list("record_id", flat=True))
    assert ended == {general.pk, serious.pk, listing.pk}
    assert not ended & {still.pk, removed.pk, basic.pk, repaired.pk}
    messages = OutboxMessage.objects.filter(topic="record.publicity_ended")
    assert messages.count() == 3
    by_record = {m.payload["record"]["id"]: m.payload for m in messages}
    assert by_record[listing.pk]["publicity_last_day"] == "2026-11-29"
    assert by_record[general.pk]["policy"].startswith("国家发展改革委令2025年第36号")
    assert CreditRecord.objects.filter(pk=general.pk).exists()  # the record stays


def test_the_nightly_task_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "objections.tasks.end_expired_publicity" in tasks
    assert "publication.tasks.make_article21_items" in tasks


def test_the_task_runs(employer):
    from objections.tasks import end_expired_publicity

    penalty(employer, timezone.localdate() - dt.timedelta(days=400))
    assert end_expired_publicity.apply().get() == 1
    assert end_expired_publicity.apply().get() == 0
