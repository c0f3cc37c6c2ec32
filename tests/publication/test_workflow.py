"""The annual cycle workflow through its services (SPEC §8): every guard, the calendar, audit."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.utils import DatabaseError

from credit_records.models import AppendOnlyError, AuditEntry
from employers.choices import Role
from grading import rulesets
from grading.choices import CycleStatus
from grading.models import Cycle, Grade
from objections.choices import CaseStatus, ObjectionKind
from objections.models import Objection
from publication import outbox, services
from publication.choices import DocumentKind, JobStatus, OutboxStatus
from publication.models import (
    CycleTransition,
    DocumentJob,
    OutboxMessage,
    PlatformStubMessage,
    PublicNotice,
    PublishedAdjustment,
    PublishedResult,
    WrittenNotice,
)
from tests.factories import UserFactory, jurisdiction

from .conftest import D, make_cycle

pytestmark = pytest.mark.django_db

# 2025 National Day and Mid-Autumn (国办发明电〔2024〕12号): 1–8 October off, Sunday 28 September and
# Saturday 11 October worked. Five notice days from Monday 29 September are 29, 30 September,
# 9, 10 and 11 October; the next working day after them is Monday 13 October.
BEFORE = D(2025, 9, 26)
START = D(2025, 9, 29)
NOTICE_END = D(2025, 10, 11)
EARLIEST_FINAL = D(2025, 10, 13)


def reload(cycle):
    return Cycle.objects.get(pk=cycle.pk)


def to_review(cycle, publisher):
    return services.start_review(cycle=cycle, actor=publisher)


def start_notice(cycle, publisher, capture, **fields):
    """Start the public notice; the written notices are issued by the job it queues (run here)."""
    with capture(execute=True):
        started = services.start_public_notice(
            cycle=cycle, actor=publisher, start=START, today=BEFORE, **fields
        )
    job = DocumentJob.objects.filter(cycle=cycle).order_by("-id").first()
    assert job is not None and job.status == JobStatus.DONE, job and job.error
    return started


def to_notice(cycle, publisher, capture):
    to_review(cycle, publisher)
    return start_notice(cycle, publisher, capture)


def to_final(cycle, publisher, capture):
    to_notice(cycle, publisher, capture)
    return services.finalise(cycle=cycle, actor=publisher, today=EARLIEST_FINAL)


def test_a_cycle_goes_from_computed_to_published(
    cycle, publisher, django_capture_on_commit_callbacks
):
    to_review(cycle, publisher)
    assert reload(cycle).status == CycleStatus.UNDER_REVIEW
    start_notice(cycle, publisher, django_capture_on_commit_callbacks)
    noticed = reload(cycle)
    assert (noticed.status, noticed.notice_start, noticed.notice_end) == (
        CycleStatus.PUBLIC_NOTICE,
        START,
        NOTICE_END,
    )
    services.finalise(cycle=cycle, actor=publisher, today=EARLIEST_FINAL)
    assert reload(cycle).status == CycleStatus.FINAL
    assert reload(cycle).finalised_at is not None
    with django_capture_on_commit_callbacks(execute=False):
        services.publish(cycle=cycle, actor=publisher)
    published = reload(cycle)
    assert published.status == CycleStatus.PUBLISHED
    assert published.published_by == publisher and published.published_at is not None

    steps = list(
        CycleTransition.objects.filter(cycle=cycle).values_list("from_status", "to_status")
    )
    assert steps == [
        ("computed", "under_review"),
        ("under_review", "public_notice"),
        ("public_notice", "final"),
        ("final", "published"),
    ]
    actions = set(AuditEntry.objects.filter(actor=publisher).values_list("action", flat=True))
    assert {
        "publication.cycle_under_review",
        "publication.cycle_public_notice",
        "publication.cycle_final",
        "publication.cycle_published",
        "publication.public_notice",  # SPEC §8 [r2]: the notice page's data
    } <= actions
    # The written notice was issued by the job the notice started (SPEC §8 [r2]).
    assert AuditEntry.objects.filter(action="publication.written_notice_issued").count() == 1


# --- guards ------------------------------------------------------------------------------------


def test_finalising_before_the_notice_has_run_its_days_is_refused(
    cycle, publisher, django_capture_on_commit_callbacks
):
    to_notice(cycle, publisher, django_capture_on_commit_callbacks)
    for too_early in (START, NOTICE_END, D(2025, 10, 12)):  # the last is a Sunday
        with pytest.raises(services.WorkflowError, match="2025年10月13日起方可确定"):
            services.finalise(cycle=cycle, actor=publisher, today=too_early)
        assert reload(cycle).status == CycleStatus.PUBLIC_NOTICE
    services.finalise(cycle=cycle, actor=publisher, today=EARLIEST_FINAL)
    assert reload(cycle).status == CycleStatus.FINAL


def test_finalising_with_an_undecided_objection_is_refused(
    cycle, publisher, django_capture_on_commit_callbacks
):
    to_notice(cycle, publisher, django_capture_on_commit_callbacks)
    c_employer = cycle.test_employers[2]
    grade = Grade.objects.get(run=cycle.run, employer=c_employer)
    objection = Objection.objects.create(
        employer=c_employer,
        kind=ObjectionKind.GRADE,
        ground="error",
        reasons="已整改，申请更正等级",
        received_on=D(2025, 9, 30),
        due_days=3,
        grade_id_ref=grade.pk,
        grade_label="2024年度 C",
    )
    with pytest.raises(services.WorkflowError, match="1 件异议未办结"):
        services.finalise(cycle=cycle, actor=publisher, today=EARLIEST_FINAL)
    assert reload(cycle).status == CycleStatus.PUBLIC_NOTICE
    # A decided-and-closed objection no longer holds the cycle.
    Objection.objects.filter(pk=objection.pk).update(status=CaseStatus.CLOSED)
    services.finalise(cycle=cycle, actor=publisher, today=EARLIEST_FINAL)
    assert reload(cycle).status == CycleStatus.FINAL


def test_an_objection_of_another_cycle_does_not_hold_this_one(
    cycle, publisher, django_capture_on_commit_callbacks
):
    other = make_cycle(year=2023)
    other_grade = Grade.objects.filter(run=other.run).first()
    Objection.objects.create(
        employer=other_grade.employer,
        kind=ObjectionKind.GRADE,
        ground="error",
        reasons="x",
        received_on=D(2025, 9, 30),
        due_days=3,
        grade_id_ref=other_grade.pk,
    )
    to_final(cycle, publisher, django_capture_on_commit_callbacks)
    assert reload(cycle).status == CycleStatus.FINAL


def test_publishing_twice_is_refused(cycle, publisher, django_capture_on_commit_callbacks):
    to_final(cycle, publisher, django_capture_on_commit_callbacks)
    services.publish(cycle=cycle, actor=publisher)
    assert PublishedResult.objects.filter(cycle=cycle).count() == 3
    with pytest.raises(services.WorkflowError, match="不能重复公布"):
        services.publish(cycle=cycle, actor=publisher)
    assert PublishedResult.objects.filter(cycle=cycle).count() == 3
    assert OutboxMessage.objects.filter(topic="grade.published").count() == 3
    # Even with a stale status in hand the database refuses a second snapshot.
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.FINAL, published_at=None)
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError, whatever the backend
        with transaction.atomic():
            services.publish(cycle=cycle, actor=publisher)
    assert PublishedResult.objects.filter(cycle=cycle).count() == 3


def test_published_results_never_change(cycle, publisher, django_capture_on_commit_callbacks):
    to_final(cycle, publisher, django_capture_on_commit_callbacks)
    services.publish(cycle=cycle, actor=publisher)
    result = PublishedResult.objects.get(cycle=cycle, grade="C")
    result.grade = "A"
    with pytest.raises(AppendOnlyError):
        result.save()
    with pytest.raises(AppendOnlyError):
        PublishedResult.objects.filter(pk=result.pk).update(grade="A")
    with pytest.raises(AppendOnlyError):
        result.delete()
    with pytest.raises(AppendOnlyError):
        PublishedResult.objects.filter(cycle=cycle).delete()
    assert PublishedResult.objects.get(pk=result.pk).grade == "C"
    # Nor do later grading changes reach the snapshot.
    Grade.objects.filter(run=cycle.run).update(grade="D")
    assert sorted(PublishedResult.objects.values_list("grade", flat=True)) == ["A", "B", "C"]


@pytest.mark.postgres
def test_database_refuses_raw_sql_changes_of_published_results(
    cycle, publisher, django_capture_on_commit_callbacks
):
    to_final(cycle, publisher, django_capture_on_commit_callbacks)
    services.publish(cycle=cycle, actor=publisher)
    for sql in (
        "UPDATE publication_publishedresult SET grade = 'A'",
        "DELETE FROM publication_publishedresult",
        "UPDATE publication_cycletransition SET note = 'x'",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert sorted(PublishedResult.objects.values_list("grade", flat=True)) == ["A", "B", "C"]


def test_steps_out_of_order_are_refused(cycle, publisher):
    with pytest.raises(services.WorkflowError, match="不能转为"):
        services.finalise(cycle=cycle, actor=publisher, today=EARLIEST_FINAL)
    with pytest.raises(services.WorkflowError, match="不能转为"):
        services.publish(cycle=cycle, actor=publisher)
    with pytest.raises(services.WorkflowError, match="不能转为"):
        services.start_public_notice(cycle=cycle, actor=publisher, start=START, today=BEFORE)
    assert reload(cycle).status == CycleStatus.COMPUTED
    assert not CycleTransition.objects.exists()


def test_written_notices_are_issued_when_the_notice_starts(
    cycle, publisher, django_capture_on_commit_callbacks
):
    """SPEC §8 [r2]: not before — at the start of the public notice, by a background job."""
    to_review(cycle, publisher)
    with pytest.raises(services.WorkflowError, match="公示开始时生成"):
        services.request_written_notices(cycle=cycle, actor=publisher)
    assert not WrittenNotice.objects.exists()
    start_notice(
        cycle, publisher, django_capture_on_commit_callbacks,
        title="关于2024年度评价结果的公示", document_no="郏人社〔2025〕12号",
        contact="郏县人社局劳动保障监察大队 0375-5199999",
    )  # fmt: skip
    assert reload(cycle).status == CycleStatus.PUBLIC_NOTICE
    notice = WrittenNotice.objects.get()
    assert notice.employer == cycle.test_employers[2]  # the employer proposed C
    assert (notice.grade, notice.first_opened_at, notice.superseded_at) == ("C", None, None)
    assert notice.document.kind == DocumentKind.WRITTEN_NOTICE
    public = PublicNotice.objects.get(cycle=cycle)
    assert (public.document_no, public.start, public.end) == (
        "郏人社〔2025〕12号",
        START,
        NOTICE_END,
    )
    assert services.notices_missing(cycle) == []
    # Asking again in the notice issues nothing new: every notice matches its basis.
    with django_capture_on_commit_callbacks(execute=True):
        services.request_written_notices(cycle=cycle, actor=publisher)
    assert WrittenNotice.objects.count() == 1


def test_a_notice_after_an_override_states_the_overrides_basis(
    cycle, publisher, supervisor, inspector, django_capture_on_commit_callbacks, tmp_path
):
    """SPEC §8 [r2]: the basis is the final proposed grade — after an approved override B→C,
    the override's reason and the articles it cites, never the B rule of the computed grade."""
    from grading import services as grading_services
    from publication import jobs

    to_review(cycle, publisher)
    b_grade = Grade.objects.get(run=cycle.run, grade="B")
    override = grading_services.propose_override(
        actor=inspector,
        grade=b_grade,
        proposed_grade="C",
        reason="漏录一起查处案件：2024年5月拖欠工资已立案查处",
        cited_rules=["jiaxian.C.1"],
    )
    with pytest.raises(services.WorkflowError, match="人工复核等待负责人审批"):
        services.start_public_notice(cycle=cycle, actor=publisher, start=START, today=BEFORE)
    grading_services.decide_override(actor=supervisor, override=override, approve=True)
    start_notice(cycle, publisher, django_capture_on_commit_callbacks)
    notice = WrittenNotice.objects.get(employer=b_grade.employer)
    assert notice.grade == "C" and notice.rules == ["jiaxian.C.1"]
    assert notice.basis["override_reason"].startswith("漏录一起查处案件")
    assert notice.basis["rules"] == [
        {"article": "第十一条", "text": rulesets.rule_by_code("jiaxian.C.1", "1").text}
    ]
    # The PDF: the override's reason and article, the B rule nowhere, no internal code.
    from .test_documents import pdf_text

    text = pdf_text(notice.document.file.path).replace("\n", "")
    assert "漏录一起查处案件" in text and "第十一条" in text and "C级（一般）" in text
    assert "第十条" not in text and "未被发现有违反" not in text
    assert "jiaxian" not in text and "B.1" not in text and "C.1" not in text
    # The content object the PDF is made from says the same.
    row = next(r for r in services.notice_rows(cycle) if r.employer == b_grade.employer)
    content = jobs.written_notice_for(cycle, row, number=9, issued_on=START)
    assert [r.article for r in content.rules] == ["第十一条"]
    assert content.override_reason and content.computed_grade_label == "B级（良好）"
    services.finalise(cycle=cycle, actor=publisher, today=EARLIEST_FINAL)
    services.publish(cycle=cycle, actor=publisher)
    overridden = PublishedResult.objects.get(employer=b_grade.employer)
    assert (overridden.computed_grade, overridden.grade) == ("B", "C")


def test_a_grade_changed_during_the_notice_gets_a_new_notice(
    cycle, publisher, supervisor, inspector, django_capture_on_commit_callbacks
):
    from grading import services as grading_services

    to_notice(cycle, publisher, django_capture_on_commit_callbacks)
    first = WrittenNotice.objects.get()
    c_grade = Grade.objects.get(run=cycle.run, grade="C")
    # An objection upheld during the notice: C → D, with its basis.
    override = grading_services.propose_override(
        actor=inspector, grade=c_grade, proposed_grade="D", reason="另查明受到行政处罚",
        cited_rules=["jiaxian.D.1"], objection=_objection_on(c_grade),
    )  # fmt: skip
    grading_services.decide_override(
        actor=supervisor, override=override, approve=True, objection=_objection_on(c_grade)
    )
    assert [r.employer for r in services.notices_missing(cycle)] == [c_grade.employer]
    with django_capture_on_commit_callbacks(execute=True):
        services.request_written_notices(cycle=cycle, actor=publisher)
    first.refresh_from_db()
    current = WrittenNotice.objects.get(superseded_at__isnull=True)
    assert first.superseded_at is not None and current.grade == "D"
    assert current.document_no != first.document_no


def _objection_on(grade):
    from types import SimpleNamespace

    return SimpleNamespace(grade_id_ref=grade.pk)


def test_notice_cannot_start_in_the_past_or_in_an_unloaded_year(
    cycle, publisher, django_capture_on_commit_callbacks
):
    to_review(cycle, publisher)
    with pytest.raises(services.WorkflowError, match="不能早于今天"):
        services.start_public_notice(cycle=cycle, actor=publisher, start=BEFORE, today=START)
    with pytest.raises(services.WorkflowError, match="2031年的节假日安排尚未载入"):
        services.start_public_notice(
            cycle=cycle, actor=publisher, start=D(2031, 12, 29), today=BEFORE
        )
    assert reload(cycle).status == CycleStatus.UNDER_REVIEW


def test_only_a_publisher_of_the_jurisdiction_moves_the_cycle(cycle, inspector, supervisor):
    elsewhere = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("xiqing"))
    for actor in (inspector, supervisor, elsewhere):
        with pytest.raises(PermissionDenied):
            services.start_review(cycle=cycle, actor=actor)
    assert reload(cycle).status == CycleStatus.COMPUTED
    above = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("pingdingshan"))
    services.start_review(cycle=cycle, actor=above)
    assert reload(cycle).status == CycleStatus.UNDER_REVIEW


# --- publication, outbox, adjustments ----------------------------------------------------------


def test_publication_pushes_every_result_once(
    db, publisher, django_capture_on_commit_callbacks, platform_in_process
):
    cycle = make_cycle(grades=[("A", ["jiaxian.A.1"]), ("C", ["jiaxian.C.1"]), ("", ["x.U.1"])])
    to_final(cycle, publisher, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(cycle=cycle, actor=publisher)
    # The ungraded employer is not on the list.
    assert PublishedResult.objects.filter(cycle=cycle).count() == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
    received = {m.key: m.payload for m in PlatformStubMessage.objects.all()}
    expected = {
        f"{e.uscc}:jiaxian:2024": g for e, g in zip(cycle.test_employers[:2], "AC", strict=True)
    }
    assert {k: v["grade"] for k, v in received.items()} == expected
    assert all(v["authority"] == "郏县人力资源和社会保障局" for v in received.values())


def test_a_publication_that_rolls_back_sends_nothing(
    cycle, publisher, django_capture_on_commit_callbacks, monkeypatch
):
    to_final(cycle, publisher, django_capture_on_commit_callbacks)

    def broken_move(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_queue_job", broken_move)
    with pytest.raises(RuntimeError):
        services.publish(cycle=cycle, actor=publisher)
    assert reload(cycle).status == CycleStatus.FINAL
    assert not PublishedResult.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_adjustment_is_dated_published_and_pushed(
    cycle, publisher, django_capture_on_commit_callbacks, monkeypatch
):
    to_final(cycle, publisher, django_capture_on_commit_callbacks)
    services.publish(cycle=cycle, actor=publisher)
    result = PublishedResult.objects.get(cycle=cycle, grade="C")
    published_on = result.published_at.date()
    monkeypatch.setattr(services.timezone, "localdate", lambda *a: published_on)
    with pytest.raises(services.WorkflowError, match="相同"):
        services.adjust_published_result(
            result=result,
            new_grade="C",
            effective_date=published_on,
            public_note="经复评调整",
            reason="r",
            actor=publisher,
        )
    with pytest.raises(services.WorkflowError, match="不属于"):
        services.adjust_published_result(
            result=result,
            new_grade="E",
            effective_date=published_on,
            public_note="经复评调整",
            reason="r",
            actor=publisher,
        )
    adjustment = services.adjust_published_result(
        result=result,
        new_grade="B",
        effective_date=published_on,
        public_note="经复评调整",
        reason="原处罚决定已被行政复议撤销",
        reference="复评 #7",
        actor=publisher,
    )
    assert (adjustment.old_grade, adjustment.new_grade) == ("C", "B")
    assert PublishedResult.objects.get(pk=result.pk).grade == "C"  # the original stays
    assert services.current_grade(PublishedResult.objects.get(pk=result.pk)) == "B"
    message = OutboxMessage.objects.get(topic="grade.adjusted")
    assert message.payload["grade"] == "B" and message.payload["original_grade"] == "C"
    assert message.payload["effective_date"] == published_on.isoformat()
    with pytest.raises(AppendOnlyError):
        PublishedAdjustment.objects.filter(pk=adjustment.pk).update(new_grade="A")
    assert AuditEntry.objects.filter(action="publication.result_adjusted").count() == 1


def test_enqueue_outside_the_publish_transaction_is_impossible(cycle):
    # The contract other apps rely on: enqueue needs the caller's transaction.
    assert transaction.get_connection().in_atomic_block  # the test's own
    message = outbox.enqueue(topic="t", key="k", payload={})
    assert message.status == OutboxStatus.PENDING


def test_documents_job_records_a_failure(
    cycle, publisher, django_capture_on_commit_callbacks, monkeypatch
):
    to_final(cycle, publisher, django_capture_on_commit_callbacks)
    from publication import documents

    monkeypatch.setattr(
        documents, "grades_pdf", lambda *a, **k: (_ for _ in ()).throw(OSError("no font"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(cycle=cycle, actor=publisher)
    job = DocumentJob.objects.get(cycle=cycle, kind="publication")
    assert job.status == JobStatus.FAILED and "no font" in job.error
    assert reload(cycle).status == CycleStatus.PUBLISHED  # the publication itself stands


def test_a_job_whose_worker_died_is_run_again(cycle, publisher, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from publication import jobs

    to_review(cycle, publisher)
    with django_capture_on_commit_callbacks(execute=False):
        services.start_public_notice(cycle=cycle, actor=publisher, start=START, today=BEFORE)
    lost = DocumentJob.objects.get(cycle=cycle)
    DocumentJob.objects.filter(pk=lost.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now() - dt.timedelta(minutes=30)
    )
    jobs.run(lost.pk)  # still within its time: someone is on it
    assert DocumentJob.objects.get(pk=lost.pk).status == JobStatus.RUNNING
    with django_capture_on_commit_callbacks(execute=False):
        assert services.request_written_notices(cycle=cycle, actor=publisher).pk == lost.pk
    DocumentJob.objects.filter(pk=lost.pk).update(started_at=timezone.now() - dt.timedelta(hours=3))
    jobs.run(lost.pk)
    assert DocumentJob.objects.get(pk=lost.pk).status == JobStatus.DONE
    assert services.notices_missing(cycle) == []
