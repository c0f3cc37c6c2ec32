"""The review's pipeline through its services (SPEC §10): every transition and every refused one,
deadlines in working days, approval and the ledger, rectification, late declarations."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credit_records.models import AuditEntry, CreditRecord
from employers.choices import Role
from written_review import services
from written_review.models import Declaration, Review, ReviewTransition

from ..factories import EmployerFactory, UserFactory, jurisdiction
from .helpers import (
    PROBLEM_CONTRACT,
    PROBLEM_HOURS,
    PROBLEM_NOT_VIOLATION,
    D,
    declare,
    pdf,
    proposed,
    submitted,
)


def statuses(review):
    return list(ReviewTransition.objects.filter(review=review).values_list("to_status", flat=True))


def ledger(employer):
    return list(
        CreditRecord.objects.effective()
        .filter(employer=employer)
        .order_by("kind", "pk")
        .values_list("kind", "result", "rectification", "source", "case_no")
    )


# --- notice and deadlines ----------------------------------------------------------------------

# (notice day, working days, due) — counted by hand on the State Council calendars (SPEC §6:
# the start day is not counted; make-up Saturdays and Sundays are working days).
DEADLINES = [
    (D(2024, 9, 27), 10, D(2024, 10, 16)),  # 9-29 Sun make-up; 10-1…7 off; 10-12 Sat make-up
    (D(2025, 9, 30), 5, D(2025, 10, 14)),  # 10-1…8 off; 10-11 Sat make-up
    (D(2026, 3, 2), 10, D(2026, 3, 16)),
]


@pytest.mark.parametrize(("day", "days", "due"), DEADLINES)
def test_working_day_deadlines(db, day, days, due):
    assert services.due_for(day, days) == (due, None)


def test_notice_sets_the_ten_working_day_deadline_and_tells_the_employer(
    review, inspector, owner, django_capture_on_commit_callbacks, mailoutbox
):
    owner.email = "hr@example.com"
    owner.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_review(actor=inspector, review=review, today=D(2024, 9, 27))
    review.refresh_from_db()
    assert (review.status, review.notified_on, review.due_date) == (
        "notified",
        D(2024, 9, 27),
        D(2024, 10, 16),
    )
    assert Declaration.objects.filter(review=review).exists()
    assert len(mailoutbox) == 1 and "2024年10月16日前" in mailoutbox[0].body
    assert mailoutbox[0].to == ["hr@example.com"]
    from objections.models import Notification

    assert Notification.objects.filter(recipient=owner, subject__contains="书面审查通知").exists()


def test_a_deadline_in_a_year_not_loaded_is_flagged_then_computed(
    review, inspector, django_capture_on_commit_callbacks
):
    from objections.services import enter_calendar_year

    services.notify_review(actor=inspector, review=review, today=D(2026, 12, 24))
    review.refresh_from_db()
    assert review.due_date is None and review.due_pending_year == 2027
    sysadmin = UserFactory(role=Role.SYSADMIN, jurisdiction=None)
    with django_capture_on_commit_callbacks(execute=True):
        enter_calendar_year(
            actor=sysadmin,
            year=2027,
            notice_reference="国办发明电〔2026〕1号",
            holidays=[(D(2027, 1, 1), "元旦")],
            makeup_workdays=[],
        )
    review.refresh_from_db()
    # 12-25, 28, 29, 30, 31 (5), 2027-01-01 off, 01-04…08 (10)
    assert (review.due_date, review.due_pending_year) == (D(2027, 1, 8), None)


def test_send_notices_notifies_every_sampled_employer(
    plan, inspector, jx, django_capture_on_commit_callbacks
):
    extra = EmployerFactory(jurisdiction=jx)
    services.add_manual(actor=inspector, plan=plan, employer=extra, reason="后加")
    with django_capture_on_commit_callbacks(execute=True):  # the job runs after commit
        waiting = services.send_notices(actor=inspector, plan=plan, today=D(2026, 3, 2))
    assert waiting == 2
    assert set(plan.reviews.values_list("status", "due_date")) == {("notified", D(2026, 3, 16))}
    plan.refresh_from_db()
    assert plan.notices_running is False
    with pytest.raises(ValidationError, match="没有待通知的单位"):
        services.send_notices(actor=inspector, plan=plan)


def test_notice_twice_is_refused(review, inspector):
    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    with pytest.raises(ValidationError, match="已经通知过"):
        services.notify_review(actor=inspector, review=review, today=D(2026, 3, 3))


# --- declaration -------------------------------------------------------------------------------


def test_declaration_before_notice_and_by_others_is_refused(review, owner, jx):
    with pytest.raises(ValidationError, match="不能再修改"):
        services.save_declaration(actor=owner, review=review, data={"headcount": 3})
    stranger = UserFactory(role=Role.EMPLOYER, employer=EmployerFactory(jurisdiction=jx))
    with pytest.raises(PermissionDenied):
        services.save_declaration(actor=stranger, review=review, data={"headcount": 3})


def test_submit_lists_what_is_missing(review, owner, inspector):
    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    services.save_declaration(actor=owner, review=review, data={"headcount": 7,
                                                                "contracts_signed": 8})  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.submit(actor=owner, review=review, today=D(2026, 3, 3))
    message = exc.value.messages[0]
    for part in ("未填写：填报联系人", "未选择工时制度", "已签订劳动合同人数（8）不能大于职工人数（7）",
                 "尚未上传职工花名册", "未上传：登记证照"):  # fmt: skip
        assert part in message
    review.refresh_from_db()
    assert review.status == "notified"


def test_submit_needs_every_paper_of_the_checklist(review, owner, inspector):
    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    declare(review, owner, documents=False)
    with pytest.raises(ValidationError) as exc:
        services.submit(actor=owner, review=review, today=D(2026, 3, 3))
    # 4 unit papers + 5 drawn workers × 5 papers
    assert exc.value.messages[0].count("未上传：") == 29


def test_submit_return_resubmit(review, owner, inspector):
    submitted(review, inspector=inspector, owner=owner)
    review.refresh_from_db()
    assert review.status == "submitted" and review.submitted_on == D(2026, 3, 6)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.save_declaration(actor=owner, review=review, data={"headcount": 8})
    with pytest.raises(ValidationError, match="退回的理由"):
        services.return_declaration(actor=inspector, review=review, reasons=" ")
    services.return_declaration(
        actor=inspector, review=review, reasons="考勤记录不清晰", today=D(2025, 9, 30)
    )
    review.refresh_from_db()
    assert (review.status, review.due_date, review.return_reasons) == (
        "returned",
        D(2025, 10, 14),
        "考勤记录不清晰",
    )
    services.upload_documents(
        actor=owner, review=review, items=[("attendance_may", review.roster.filter(
            sampled=True).first(), [pdf("重扫.pdf")])]
    )  # fmt: skip
    services.submit(actor=owner, review=review, today=D(2025, 10, 9))
    assert statuses(review) == ["notified", "submitted", "returned", "submitted"]


def test_return_is_refused_outside_submitted(review, inspector):
    with pytest.raises(ValidationError, match="只有已申报"):
        services.return_declaration(actor=inspector, review=review, reasons="缺材料")


def test_late_submission_is_noted(review, owner, inspector):
    submitted(review, inspector=inspector, owner=owner, notice=D(2026, 3, 2), on=D(2026, 3, 20))
    note = ReviewTransition.objects.filter(review=review, to_status="submitted").get().note
    assert note == "逾期申报（期限 2026年3月16日）"


def test_documents_refused_for_a_worker_not_drawn(review, owner, inspector):
    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    declare(review, owner, documents=False)
    not_drawn = review.roster.filter(sampled=False).first()
    with pytest.raises(ValidationError, match="抽中的职工"):
        services.upload_documents(
            actor=owner, review=review, items=[("labor_contract", not_drawn, [pdf()])]
        )
    with pytest.raises(ValidationError, match="内容与扩展名不符"):
        services.upload_documents(
            actor=owner, review=review,
            items=[("license", None, [pdf("假.pdf").__class__("假.pdf", b"MZ\x90\x00", "application/pdf")])],
        )  # fmt: skip
    assert review.documents.count() == 0


# --- review and approval -----------------------------------------------------------------------


@pytest.fixture
def submitted_review(review, inspector, owner):
    return submitted(review, inspector=inspector, owner=owner)


def test_propose_checks_the_findings_against_the_problem_list(submitted_review, inspector):
    review = submitted_review
    with pytest.raises(ValidationError, match="请对“劳动合同”作出审查判断"):
        services.propose(actor=inspector, review=review, result="qualified")
    services.save_findings(
        actor=inspector,
        review=review,
        findings={"labor_contract": "problem", "wages": "no_problem",
                  "working_hours": "no_problem", "social_insurance": "no_problem"},
    )  # fmt: skip
    with pytest.raises(ValidationError, match="请在问题清单中写明问题"):
        services.propose(actor=inspector, review=review, result="basically_qualified")
    services.add_problem(actor=inspector, review=review, **PROBLEM_CONTRACT)
    with pytest.raises(ValidationError, match="不能为“合格”"):
        services.propose(actor=inspector, review=review, result="qualified")
    services.propose(actor=inspector, review=review, result="basically_qualified")
    review.refresh_from_db()
    assert review.status == "proposed" and review.proposed_by == inspector


def test_problems_can_only_change_while_reviewing(submitted_review, inspector):
    proposed(submitted_review, inspector=inspector, problems=[PROBLEM_CONTRACT])
    with pytest.raises(ValidationError, match="只有已申报"):
        services.add_problem(actor=inspector, review=submitted_review, **PROBLEM_HOURS)


def test_the_proposer_cannot_approve(submitted_review, supervisor):
    """A supervisor who proposed the result cannot approve it, and nothing is written."""
    review = submitted_review
    proposed(review, inspector=supervisor, problems=[PROBLEM_CONTRACT])
    records = CreditRecord.objects.count()
    with pytest.raises(PermissionDenied, match="不能审批自己提出的审查意见"):
        services.decide(actor=supervisor, review=review, approve=True, today=D(2026, 4, 1))
    review.refresh_from_db()
    assert review.status == "proposed" and CreditRecord.objects.count() == records


def test_an_inspector_cannot_approve(submitted_review, inspector, inspector2):
    proposed(submitted_review, inspector=inspector)
    with pytest.raises(PermissionDenied, match="负责人审批"):
        services.decide(actor=inspector2, review=submitted_review, approve=True)


def test_a_supervisor_of_another_jurisdiction_cannot_approve(submitted_review, inspector):
    proposed(submitted_review, inspector=inspector)
    outsider = UserFactory(role=Role.SUPERVISOR, jurisdiction=jurisdiction("xiqing"))
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.decide(actor=outsider, review=submitted_review, approve=True)


def test_reject_sends_it_back_for_review(submitted_review, inspector, supervisor):
    proposed(submitted_review, inspector=inspector)
    with pytest.raises(ValidationError, match="写明理由"):
        services.decide(actor=supervisor, review=submitted_review, approve=False)
    services.decide(actor=supervisor, review=submitted_review, approve=False, note="请核对工资表")
    submitted_review.refresh_from_db()
    assert submitted_review.status == "submitted"
    assert CreditRecord.objects.filter(employer=submitted_review.employer).count() == 0


def test_approval_writes_the_ledger_records(
    submitted_review, inspector, supervisor, employer, django_capture_on_commit_callbacks
):
    review = submitted_review
    proposed(review, inspector=inspector,
             problems=[PROBLEM_CONTRACT, PROBLEM_HOURS, PROBLEM_NOT_VIOLATION])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(actor=supervisor, review=review, approve=True, note="同意",
                        today=D(2026, 4, 1))  # fmt: skip
    review.refresh_from_db()
    assert review.status == "approved" and review.result == "basically_qualified"
    assert review.rectification_due == D(2026, 12, 31)
    assert review.suggestion_no == "郏县人社监书审建〔2026〕1号"
    assert ledger(employer) == [
        ("violation", "", "in_progress", "written_review", ""),
        ("violation", "", "in_progress", "written_review", ""),
        ("written_review", "basically_qualified", "", "written_review", ""),
    ]
    record = review.record
    assert (record.date, record.created_by) == (D(2026, 4, 1), supervisor)
    violations = CreditRecord.objects.filter(employer=employer, kind="violation")
    assert sorted(violations.values_list("category", "severity")) == [
        ("labor_contract", "minor"),
        ("working_hours", "general"),
    ]
    assert review.problems.get(area="social_insurance").record is None
    assert bool(review.suggestion_file)  # the 建议书 was made after commit


def test_nothing_is_written_when_approval_fails(submitted_review, inspector, supervisor, employer):
    """The second violation record fails: no record, no status change, no audit entry stays."""
    review = submitted_review
    proposed(review, inspector=inspector, problems=[PROBLEM_CONTRACT, PROBLEM_HOURS])
    audit, records = AuditEntry.objects.count(), CreditRecord.objects.count()
    real = services.add_record
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["kind"])
        if len(calls) == 3:
            raise ValidationError("账本暂不可用")
        return real(**kwargs)

    with mock.patch.object(services, "add_record", side_effect=failing):
        with pytest.raises(ValidationError, match="账本暂不可用"):
            services.decide(actor=supervisor, review=review, approve=True, today=D(2026, 4, 1))
    assert calls == ["written_review", "violation", "violation"]
    review.refresh_from_db()
    assert (review.status, review.result, review.record_id, review.suggestion_no) == (
        "proposed", "", None, "",
    )  # fmt: skip
    assert CreditRecord.objects.count() == records and AuditEntry.objects.count() == audit
    assert review.plan.__class__.objects.get(pk=review.plan_id).suggestion_seq == 0


def test_a_clean_review_is_closed_at_approval(submitted_review, inspector, supervisor, employer):
    proposed(submitted_review, inspector=inspector)
    services.decide(actor=supervisor, review=submitted_review, approve=True, today=D(2026, 4, 1))
    submitted_review.refresh_from_db()
    assert submitted_review.status == "closed" and submitted_review.suggestion_no == ""
    assert ledger(employer) == [("written_review", "qualified", "", "written_review", "")]
    assert statuses(submitted_review)[-3:] == ["proposed", "approved", "closed"]


# --- feedback and rectification ----------------------------------------------------------------


@pytest.fixture
def approved_review(submitted_review, inspector, supervisor):
    proposed(submitted_review, inspector=inspector, problems=[PROBLEM_CONTRACT, PROBLEM_HOURS])
    services.decide(actor=supervisor, review=submitted_review, approve=True, today=D(2026, 4, 1))
    submitted_review.refresh_from_db()
    return submitted_review


def test_filing_a_case_corrects_the_violation_record(approved_review, inspector, employer):
    problem = approved_review.problems.get(area="working_hours")
    original = problem.record
    services.file_case(actor=inspector, problem=problem, case_no="郏人社监案〔2026〕8号",
                       today=D(2026, 4, 3))  # fmt: skip
    problem.refresh_from_db()
    assert (
        problem.case_no == "郏人社监案〔2026〕8号" and problem.record.supersedes_id == original.pk
    )
    assert ("violation", "", "in_progress", "written_review", "郏人社监案〔2026〕8号") in ledger(
        employer
    )
    with pytest.raises(ValidationError, match="已立案"):
        services.file_case(actor=inspector, problem=problem, case_no="另一号")


def test_rectification_until_the_last_is_accepted(approved_review, owner, inspector, employer):
    first, second = approved_review.problems.order_by("number")
    with pytest.raises(ValidationError, match="佐证材料"):
        services.report_rectification(actor=owner, problem=first, text="已整改")
    r1 = services.report_rectification(actor=owner, problem=first, text="已补签", uploads=[pdf()])
    with pytest.raises(ValidationError, match="已报告"):
        services.report_rectification(actor=owner, problem=first, text="再报", uploads=[pdf()])
    with pytest.raises(PermissionDenied):
        services.decide_rectification(actor=owner, report=r1, accept=True)
    with pytest.raises(ValidationError, match="写明理由"):
        services.decide_rectification(actor=inspector, report=r1, accept=False)
    services.decide_rectification(actor=inspector, report=r1, accept=False, note="未见签字页")
    first.refresh_from_db()
    assert first.rectification == "rejected"
    r2 = services.report_rectification(actor=owner, problem=first, text="补签字页", uploads=[pdf()])
    services.decide_rectification(actor=inspector, report=r2, accept=True, today=D(2026, 5, 6))
    approved_review.refresh_from_db()
    assert approved_review.status == "approved"  # one problem still open
    assert [r[2] for r in ledger(employer) if r[0] == "violation"] == ["in_progress", "in_progress"]
    r3 = services.report_rectification(actor=owner, problem=second, text="已调班", uploads=[pdf()])
    services.decide_rectification(actor=inspector, report=r3, accept=True, today=D(2026, 6, 1))
    approved_review.refresh_from_db()
    assert approved_review.status == "closed" and approved_review.closed_on == D(2026, 6, 1)
    assert [r[2] for r in ledger(employer) if r[0] == "violation"] == ["rectified", "rectified"]
    with pytest.raises(ValidationError, match="没有需要整改"):
        services.report_rectification(actor=owner, problem=second, text="x", uploads=[pdf()])


def test_unrectified_after_the_year_end(approved_review, inspector, employer):
    problem = approved_review.problems.order_by("number").first()
    with pytest.raises(ValidationError, match="尚未届满"):
        services.mark_unrectified(actor=inspector, problem=problem, today=D(2026, 12, 31))
    services.mark_unrectified(actor=inspector, problem=problem, today=D(2027, 1, 4))
    problem.refresh_from_db()
    assert problem.rectification == "overdue"
    assert sorted(r[2] for r in ledger(employer) if r[0] == "violation") == [
        "in_progress",
        "not_rectified",
    ]


# --- late declarations -------------------------------------------------------------------------


def test_late_order_and_obstruction(review, inspector, owner, employer):
    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))  # due 3-16
    with pytest.raises(ValidationError, match="逾期未申报"):
        services.issue_late_order(actor=inspector, review=review, new_due_date=D(2026, 3, 30),
                                  today=D(2026, 3, 16))  # fmt: skip
    with pytest.raises(ValidationError, match="须先责令限期申报"):
        services.record_obstruction(actor=inspector, review=review, date=D(2026, 3, 17),
                                    summary="拒不申报", today=D(2026, 3, 17))  # fmt: skip
    services.issue_late_order(actor=inspector, review=review, new_due_date=D(2026, 3, 27),
                              document_no="郏人社监令〔2026〕3号", today=D(2026, 3, 17))  # fmt: skip
    review.refresh_from_db()
    assert review.due_date == D(2026, 3, 27) and review.orders.count() == 1
    with pytest.raises(ValidationError, match="须先责令限期申报"):  # the order still runs
        services.record_obstruction(actor=inspector, review=review, date=D(2026, 3, 20),
                                    summary="拒不申报", today=D(2026, 3, 20))  # fmt: skip
    services.record_obstruction(actor=inspector, review=review, date=D(2026, 3, 30),
                                summary="逾期仍未申报", today=D(2026, 3, 31))  # fmt: skip
    assert ("obstruction", "", "", "written_review", "") in ledger(employer)
    assert CreditRecord.objects.get(kind="obstruction").document_no == "郏人社监令〔2026〕3号"
    with pytest.raises(ValidationError, match="已记录过"):
        services.record_obstruction(actor=inspector, review=review, date=D(2026, 3, 31),
                                    summary="再记", today=D(2026, 3, 31))  # fmt: skip
    # The employer may still declare after all.
    declare(review, owner)
    services.submit(actor=owner, review=review, today=D(2026, 4, 1))


# --- who may act -------------------------------------------------------------------------------


REFUSED = [
    # (what, who) — every one must be refused with PermissionDenied
    ("notify", "owner"),
    ("return", "owner"),
    ("findings", "owner"),
    ("declare", "inspector"),
    ("submit", "inspector"),
    ("notify", "outsider"),
    ("notify", "publisher"),
    ("notify", "sysadmin"),
]


@pytest.mark.parametrize(("what", "who"), REFUSED)
def test_roles_are_checked(review, inspector, owner, what, who):
    users = {
        "owner": owner,
        "inspector": inspector,
        "outsider": UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing")),
        "publisher": UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("jiaxian")),
        "sysadmin": UserFactory(role=Role.SYSADMIN, jurisdiction=None),
    }
    actor = users[who]
    if what in ("declare", "submit", "return", "findings"):
        services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    action = {
        "notify": lambda: services.notify_review(actor=actor, review=review),
        "return": lambda: services.return_declaration(actor=actor, review=review, reasons="x"),
        "findings": lambda: services.save_findings(actor=actor, review=review, findings={}),
        "declare": lambda: services.save_declaration(actor=actor, review=review, data={}),
        "submit": lambda: services.submit(actor=actor, review=review),
    }[what]
    with pytest.raises(PermissionDenied):
        action()


def test_every_step_is_audited(approved_review):
    actions = set(
        AuditEntry.objects.filter(object_type="written_review.Review").values_list(
            "action", flat=True
        )
    )
    for action in ("written_review.status.notified", "written_review.declaration.save",
                   "written_review.roster.upload", "written_review.documents.upload",
                   "written_review.status.submitted", "written_review.findings",
                   "written_review.problem.add", "written_review.status.proposed",
                   "written_review.status.approved"):  # fmt: skip
        assert action in actions


def test_review_is_unique_per_plan(plan, employer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(plan=plan, employer=employer, reason="manual")
