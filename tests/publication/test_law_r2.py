"""Publication, revision 2: dishonesty information pushed to the platform (only 失信 classes;
SPEC §3 [r2]) and the corrected classes pushed once; the public notice page during 公示 and the
written notices with their read receipt and mail (SPEC §8 [r2]); jiaxian 第二十一条 items with
due dates in the publisher's queue (SPEC §5.1 [r2])."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse

from credit_records.models import CreditRecord
from credit_records.services import add_record, correct_record, void_record
from employers.choices import Role
from employers.models import Employer
from employers.workbench import queues_for
from grading.choices import CycleStatus
from publication import proposals, services
from publication.dishonesty import push_class_corrections
from publication.models import (
    AdjustmentProposal,
    OutboxMessage,
    PublicNotice,
    PublishedResult,
    WrittenNotice,
)
from publication.outbox import drain
from tests.factories import EmployerFactory, UserFactory

from .conftest import D, make_cycle

pytestmark = pytest.mark.django_db

BEFORE, START, NOTICE_END = D(2025, 9, 26), D(2025, 9, 29), D(2025, 10, 11)


def penalty(employer, **extra):
    return add_record(
        actor=None,
        employer=employer,
        kind="administrative_penalty",
        date=D(2024, 3, 1),
        performance="performed",
        procedure="general",
        **extra,
    )


# --- dishonesty information for the platform -----------------------------------------------------


def test_only_dishonesty_records_are_pushed(employer):
    penalty(employer, document_no="罚1")  # 失信—一般
    add_record(
        actor=None,
        employer=employer,
        kind="violation",
        date=D(2024, 3, 1),
        severity="general",
        category="wages",
        rectification="rectified",
    )  # 基础
    add_record(actor=None, employer=employer, kind="dishonest_judgment_debtor", date=D(2024, 3, 1))
    penalty(employer, document_no="罚2", mitigation="remedied")  # 但书: 基础
    add_record(actor=None, employer=employer, kind="fund_fraud", date=D(2024, 3, 1))  # 严重
    pushed = OutboxMessage.objects.filter(topic="record.dishonesty")
    assert sorted(m.payload["record"]["info_class"] for m in pushed) == [
        "dishonest_general",
        "dishonest_serious",
    ]
    assert all(m.payload["uscc"] == employer.uscc for m in pushed)


def test_a_correction_or_void_of_a_dishonesty_record_is_pushed(employer):
    record = penalty(employer)
    corrected = correct_record(actor=None, record=record, reason="从轻", mitigation="minor")
    message = OutboxMessage.objects.get(topic="record.dishonesty_corrected")
    assert message.payload["record"]["info_class"] == "basic"
    assert message.payload["record"]["dishonest"] is False
    assert message.payload["previous_info_class"] == "dishonest_general"
    void_record(actor=None, record=corrected, reason="作废")
    assert OutboxMessage.objects.filter(topic="record.dishonesty_corrected").count() == 1
    basic = add_record(actor=None, employer=employer, kind="patrol_inspection",
                       date=D(2024, 3, 1), result="no_issue")  # fmt: skip
    correct_record(actor=None, record=basic, reason="更正", result="issue_found")
    assert OutboxMessage.objects.filter(topic="record.dishonesty_corrected").count() == 1


def test_an_import_pushes_its_dishonesty_rows(tmp_path, employer):
    from django.core.management import call_command

    path = tmp_path / "r.csv"
    path.write_text(
        "uscc,kind,date,document_no,performance,procedure\n"
        f"{employer.uscc},administrative_penalty,2024-03-01,罚1,performed,general\n"
        f"{employer.uscc},administrative_penalty,2024-03-02,罚2,performed,simplified\n",
        encoding="utf-8",
    )
    call_command("import_records", str(path), stdout=io.StringIO())
    batch = OutboxMessage.objects.get(topic="record.dishonesty_batch")
    assert batch.payload["count"] == 1
    assert [r["document_no"] for r in batch.payload["records"]] == ["罚1"]
    assert batch.payload["names"] == {employer.uscc: employer.name}
    assert batch.status in ("pending", "delivered") and batch.message_id
    assert batch.jurisdiction_path == employer.jurisdiction.path


def test_the_corrected_classes_are_pushed_once(employer):
    """SPEC §3 [r2]: every record whose class the new reading changes, once (the migration runs
    the same function; running it again queues nothing)."""
    violation = add_record(
        actor=None, employer=employer, kind="violation", date=D(2024, 3, 1),
        severity="general", category="wages", rectification="in_progress",
    )  # fmt: skip
    revoked = add_record(actor=None, employer=employer, kind="license_revoked", date=D(2024, 3, 1))
    debtor = add_record(
        actor=None, employer=employer, kind="dishonest_judgment_debtor", date=D(2024, 3, 1)
    )
    unchanged = penalty(employer)
    minor_rectified = add_record(
        actor=None, employer=employer, kind="violation", date=D(2024, 3, 2),
        severity="minor", category="wages", rectification="rectified",
    )  # fmt: skip
    voided = add_record(
        actor=None, employer=employer, kind="violation", date=D(2024, 3, 3),
        severity="serious", category="wages", rectification="rectified",
    )  # fmt: skip
    void_record(actor=None, record=voided, reason="作废")
    models = {"CreditRecord": CreditRecord, "Employer": Employer, "OutboxMessage": OutboxMessage}
    assert push_class_corrections(**models) == 3
    assert push_class_corrections(**models) == 0
    messages = {
        m.payload["record"]["id"]: m.payload
        for m in OutboxMessage.objects.filter(topic="record.class_corrected")
    }
    assert set(messages) == {violation.pk, revoked.pk, debtor.pk}
    assert messages[revoked.pk]["previous_info_class"] == "dishonest_serious"
    assert messages[revoked.pk]["record"]["info_class"] == "dishonest_general"
    assert messages[violation.pk]["record"]["dishonest"] is False
    assert unchanged.pk not in messages and minor_rectified.pk not in messages


# --- the public notice page and the written notices ----------------------------------------------


@pytest.fixture
def noticed(db, publisher, django_capture_on_commit_callbacks):
    cycle = make_cycle(
        grades=(("A", ("jiaxian.A.1",)), ("B", ("jiaxian.B.1",)), ("C", ("jiaxian.C.1",))),
        names=["甲公司", "乙公司", "丙公司"],
    )
    services.start_review(cycle=cycle, actor=publisher)
    owner = UserFactory(
        role=Role.EMPLOYER, employer=cycle.test_employers[2], jurisdiction=None,
        email="hr@bing.example",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.start_public_notice(
            cycle=cycle, actor=publisher, start=START, today=BEFORE,
            title="关于2024年度用人单位劳动保障守法信用等级评价（拟评）的公示",
            document_no="郏人社〔2025〕12号",
            how_to_object="登录本系统在“本单位信息”页面提出异议，或向郏县人社局提交书面材料。",
            contact="郏县劳动保障监察大队 0375-5199999",
        )  # fmt: skip
    cycle.owner = owner
    return cycle


def test_the_public_notice_page_during_the_notice(client, noticed):
    notice = PublicNotice.objects.get(cycle=noticed)
    html = client.get(reverse("publication:public_notice", args=[notice.pk])).content.decode()
    for expected in (
        "关于2024年度用人单位劳动保障守法信用等级评价（拟评）的公示",
        "郏人社〔2025〕12号",
        "2025年9月29日至2025年10月11日（5个工作日）",
        "拟评价结果，正在公示，尚未最终确定",
        "郏县劳动保障监察大队 0375-5199999",
        "提出异议",
        "甲公司",
        "丙公司",
    ):
        assert expected in html, expected
    assert noticed.test_employers[0].legal_rep not in html  # nothing personal
    assert "jiaxian" not in html
    index = client.get(reverse("publication:public_index")).content.decode()
    assert reverse("publication:public_notice", args=[notice.pk]) in index
    found = client.get(reverse("publication:public_notice", args=[notice.pk]), {"q": "丙"})
    assert "丙公司" in found.content.decode() and "甲公司" not in found.content.decode()


def test_the_public_notice_page_ends_with_the_notice(client, noticed, publisher):
    notice = PublicNotice.objects.get(cycle=noticed)
    services.finalise(cycle=noticed, actor=publisher, today=D(2025, 10, 13))
    assert client.get(reverse("publication:public_notice", args=[notice.pk])).status_code == 404


def test_the_notice_is_mailed_through_the_outbox(noticed, platform_in_process):
    notice = WrittenNotice.objects.get(cycle=noticed)
    assert notice.mail is not None and notice.mail.topic == "mail.written_notice"
    assert notice.mail.payload["to"] == ["hr@bing.example"]
    drain(max_seconds=5)  # sent already by the drain the enqueue asked for; nothing twice
    notice.mail.refresh_from_db()
    assert notice.mail.status == "delivered"
    assert [m.to for m in mail.outbox] == [["hr@bing.example"]]
    body = mail.outbox[0].body
    assert "C级（一般）" in body and "第十一条" in body and "jiaxian" not in body


def test_the_employer_opens_its_notice_and_the_inspector_sees_the_receipt(
    client, noticed, inspector
):
    notice = WrittenNotice.objects.get(cycle=noticed)
    owner = noticed.owner
    client.force_login(owner)
    page = client.get(reverse("employers:mine")).content.decode()
    assert reverse("publication:notice", args=[notice.pk]) in page and "未读" in page
    closed = client.get(reverse("publication:notice", args=[notice.pk])).content.decode()
    assert "查看告知书" in closed and "第十一条" not in closed  # not open yet
    notice.refresh_from_db()
    assert notice.first_opened_at is None  # a GET never writes
    client.post(reverse("publication:notice_open", args=[notice.pk]))
    opened = client.get(reverse("publication:notice", args=[notice.pk])).content.decode()
    assert "第十一条" in opened and "jiaxian" not in opened
    notice.refresh_from_db()
    first = notice.first_opened_at
    assert first is not None and notice.first_opened_by == owner
    client.post(reverse("publication:notice_open", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.first_opened_at == first  # the first opening stays
    client.force_login(inspector)
    detail = client.get(reverse("employers:detail", args=[notice.employer_id])).content.decode()
    assert "已查阅" in detail
    cycle_page = client.get(reverse("publication:cycle_detail", args=[noticed.pk]))
    assert "已查阅" in cycle_page.content.decode()
    # Another employer cannot read it.
    client.force_login(
        UserFactory(role=Role.EMPLOYER, employer=EmployerFactory(), jurisdiction=None)
    )
    assert client.get(reverse("publication:notice", args=[notice.pk])).status_code == 404


# --- jiaxian 第二十一条 ------------------------------------------------------------------------------


def test_article_21_items_with_due_dates_in_the_publishers_queue(
    client, publisher, django_capture_on_commit_callbacks
):
    """A D employer of the 2024 cycle whose live grade as of 2025-01-01 is no longer D gets an
    item due 5 working days after 2024-12-31 (2025-01-08: 1 January is a holiday)."""
    cycle = make_cycle(
        grades=(("D", ("jiaxian.D.1",)), ("D", ("jiaxian.D.2",)), ("C", ("jiaxian.C.1",))),
        status=CycleStatus.PUBLISHED,
    )
    corrected, still_d, c_grade = cycle.test_employers
    # corrected: an old penalty, now performed: nothing keeps it D on 2025-01-01.
    add_record(
        actor=None, employer=corrected, kind="administrative_penalty", date=D(2023, 5, 1),
        performance="performed", procedure="general",
    )  # fmt: skip
    add_record(actor=None, employer=still_d, kind="wage_arrears_blacklist", date=D(2024, 6, 1))
    for employer, grade in ((corrected, "D"), (still_d, "D"), (c_grade, "C")):
        PublishedResult.objects.create(
            cycle=cycle, employer=employer, year=2024, ruleset_code="jiaxian",
            ruleset_version="2", name=employer.name, uscc=employer.uscc, grade=grade,
            computed_grade=grade, published_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        )  # fmt: skip
    assert proposals.make_article21_items(today=D(2025, 1, 2)) == 1
    assert proposals.make_article21_items(today=D(2025, 1, 3)) == 0  # once
    item = AdjustmentProposal.objects.get()
    assert (item.employer, item.current_grade, item.proposed_grade) == (corrected, "D", "B")
    assert (item.due_date, item.effective_date) == (D(2025, 1, 8), D(2025, 1, 1))
    assert "第二十一条" in item.basis
    # The publisher's queue (workbench) lists it with its due date.
    queue = next(q for q in queues_for(publisher) if q.key == "publication.adjustment_proposals")
    assert queue.count(publisher) == 1 and queue.items(publisher)[0].due == D(2025, 1, 8)
    client.force_login(publisher)
    page = client.get(reverse("publication:adjustments")).content.decode()
    assert corrected.name in page and "2025年1月8日" in page
    client.post(
        reverse("publication:adjustment_confirm", args=[item.pk]),
        {"public_note": "纠正违法行为、履行处罚决定后调整"},
    )
    item.refresh_from_db()
    assert item.status == "confirmed" and item.adjustment.new_grade == "B"
    assert item.adjustment.effective_date == D(2025, 3, 1)  # not before the publication
    assert OutboxMessage.objects.filter(topic="grade.adjusted").count() == 1


def test_an_item_of_an_unpublished_cycle_cannot_be_confirmed_yet(publisher):
    cycle = make_cycle(grades=(("D", ("jiaxian.D.1",)),), status=CycleStatus.UNDER_REVIEW)
    item = AdjustmentProposal.objects.create(
        source="article21", cycle=cycle, employer=cycle.test_employers[0], current_grade="D",
        proposed_grade="B", effective_date=D(2025, 1, 1), basis="第二十一条", reference="x",
    )  # fmt: skip
    with pytest.raises(services.WorkflowError, match="尚未公布"):
        proposals.confirm_proposal(proposal=item, actor=publisher, public_note="调整")
    with pytest.raises(services.WorkflowError, match="说明理由"):
        proposals.dismiss_proposal(proposal=item, actor=publisher, note="")
    proposals.dismiss_proposal(proposal=item, actor=publisher, note="已在复核中调整")
    item.refresh_from_db()
    assert item.status == "dismissed"
