"""Publishing and written notices as restartable background jobs (issue 15 items 1–2, issue 11
item 5): chunked, checkpointed, a killed worker's job taken over without duplicates, only
changed notices made again, one rendering per batch, the request only starts the work."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grading.choices import CycleStatus
from grading.models import Cycle
from publication import jobs, publishing, services
from publication.choices import JobKind, JobStatus, OutboxStatus
from publication.models import DocumentJob, OutboxMessage, PublishedResult, WrittenNotice

from .conftest import make_cycle
from .test_workflow import BEFORE, EARLIEST_FINAL, START, _objection_on

pytestmark = pytest.mark.django_db

GRADES = (
    ("A", ("jiaxian.A.1",)),
    ("B", ("jiaxian.B.1",)),
    ("C", ("jiaxian.C.1",)),
    ("", ()),  # ungraded: not on the published list
    ("C", ("jiaxian.C.1",)),
    ("D", ("jiaxian.D.1",)),
    ("A", ("jiaxian.A.1",)),
)


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def _expire(job):
    """The worker died: its lease ran out."""
    DocumentJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - jobs.LEASE - dt.timedelta(seconds=1)
    )


def _final_cycle(publisher, capture, *, override_by=None):
    """A final cycle; with ``override_by`` (inspector, supervisor) its B employer is moved to D
    by an approved override, after a refused one to C."""
    cycle = make_cycle(grades=GRADES)
    services.start_review(cycle=cycle, actor=publisher)
    if override_by:
        from grading import services as grading_services
        from grading.models import Grade

        inspector, supervisor = override_by
        b_grade = Grade.objects.get(run=cycle.run, grade="B")
        for proposed, approve in (("C", False), ("D", True)):
            override = grading_services.propose_override(
                actor=inspector, grade=b_grade, proposed_grade=proposed, reason="复核",
                cited_rules=[f"jiaxian.{proposed}.1"],
            )  # fmt: skip
            grading_services.decide_override(
                actor=supervisor, override=override, approve=approve, note="审批意见"
            )
    with capture(execute=True):
        services.start_public_notice(cycle=cycle, actor=publisher, start=START, today=BEFORE)
    services.finalise(cycle=cycle, actor=publisher, today=EARLIEST_FINAL)
    return cycle


def _published_messages(cycle):
    return OutboxMessage.objects.filter(topic=services.TOPIC_PUBLISHED, key__endswith=":2024")


# --- publishing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("outbox_in_sql", [True, False], ids=["outbox-sql", "outbox-held"])
def test_a_killed_publishing_job_resumes_without_duplicates(
    publisher, django_capture_on_commit_callbacks, monkeypatch, outbox_in_sql
):
    """Both ways of writing the outbox: by SQL at the end (PostgreSQL) and held per chunk."""
    from django.db import connection

    if outbox_in_sql and connection.vendor != "postgresql":
        pytest.skip("the SQL outbox is PostgreSQL's")
    monkeypatch.setattr(publishing, "_outbox_in_sql", lambda: outbox_in_sql)
    monkeypatch.setattr(publishing, "CHUNK", 2)
    cycle = _final_cycle(publisher, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.publish(cycle=cycle, actor=publisher, inline=False)
    assert len(queued) == 1  # the request only queues the job
    job = DocumentJob.objects.get(cycle=cycle, kind=JobKind.PUBLISH)
    assert reload(cycle).status == CycleStatus.FINAL and job.status == JobStatus.QUEUED
    assert not PublishedResult.objects.filter(cycle=cycle).exists()

    jobs.run(job.pk, max_chunks=2)  # the worker dies after two chunks
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.RUNNING, 4, 7)
    assert PublishedResult.objects.filter(cycle=cycle).count() == 3  # one of 4 ungraded
    # Nothing reaches the platform before the cycle is published: on PostgreSQL the messages
    # are written by the last step, elsewhere they are written held.
    assert not _published_messages(cycle).filter(next_attempt_at__lte=timezone.now()).exists()
    assert _published_messages(cycle).count() == (0 if outbox_in_sql else 3)
    assert reload(cycle).status == CycleStatus.FINAL
    # The public pages do not list a cycle being published.
    assert services.publish_job(cycle) == job

    jobs.run(job.pk)  # another worker while the lease is live: leaves it alone
    assert reload(job).done == 4

    _expire(job)
    jobs.run(job.pk)  # the next run takes over from the checkpoint
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == job.total == 7
    results = PublishedResult.objects.filter(cycle=cycle)
    assert results.count() == 6
    assert results.values("employer").distinct().count() == 6
    assert len({r.published_at for r in results}) == 1
    messages = _published_messages(cycle)
    assert messages.count() == 6
    assert not messages.filter(next_attempt_at__gt=timezone.now()).exists()
    assert set(messages.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    assert len(set(messages.values_list("key", flat=True))) == 6
    cycle = reload(cycle)
    assert cycle.status == CycleStatus.PUBLISHED and cycle.published_by == publisher
    assert cycle.transitions.filter(to_status=CycleStatus.PUBLISHED).count() == 1
    # The documents job is queued by the last step.
    assert DocumentJob.objects.filter(cycle=cycle, kind=JobKind.PUBLICATION).exists()


@pytest.mark.postgres
def test_publishing_refreshes_the_planner_statistics_of_the_tables_it_filled(
    publisher, django_capture_on_commit_callbacks
):
    """A publication adds a county's rows at once: the job ANALYZEs the published results (before
    its last step, which reads them) and the outbox (after it), so the public list's first page
    is planned on the name index, not as if the table were still empty (4.4 s at 1M rows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cycle = _final_cycle(publisher, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        services.publish(cycle=cycle, actor=publisher, inline=False)
    job = DocumentJob.objects.get(cycle=cycle, kind=JobKind.PUBLISH)
    with CaptureQueriesContext(connection) as ctx:
        jobs.run(job.pk)
    assert reload(cycle).status == CycleStatus.PUBLISHED
    sql = [q["sql"] for q in ctx.captured_queries]
    analyzed = [q for q in sql if q.startswith("ANALYZE")]
    assert analyzed == [
        'ANALYZE "publication_publishedresult"',
        'ANALYZE "publication_outboxmessage"',
    ]
    # The results are analyzed after the last chunk, before the last step reads them.
    moved = next(i for i, q in enumerate(sql) if "publication_outboxmessage" in q and "INSERT" in q)
    assert sql.index(analyzed[0]) < moved < sql.index(analyzed[1])


def test_publishing_as_a_job_equals_the_old_whole_cycle_snapshot(
    publisher, inspector, supervisor, django_capture_on_commit_callbacks, monkeypatch
):
    """The chunked rows are the rows the single-transaction publish wrote (from cycle_results),
    whether the chunks are written by SQL (PostgreSQL) or through the ORM."""
    from grading.selectors import cycle_results

    monkeypatch.setattr(publishing, "CHUNK", 3)
    cycle = _final_cycle(
        publisher, django_capture_on_commit_callbacks, override_by=(inspector, supervisor)
    )
    expected = sorted(
        (
            r.employer.uscc,
            r.final_grade,
            tuple(r.rules),
            r.computed_grade,
            r.grade.pk,
            r.employer.name,
            r.employer.kind,
            r.employer.industry,
            r.employer.street.name if r.employer.street_id else "",
            r.grade.ruleset_version,
            cycle.year,
        )
        for r in cycle_results(cycle)
        if r.final_grade
    )
    # An approved override changes one grade (the published grade is the override's).
    assert any(r.final_grade != r.computed_grade for r in cycle_results(cycle))
    services.publish(cycle=cycle, actor=publisher)  # eager: in process
    got = sorted(
        (
            r.uscc,
            r.grade,
            tuple(r.rules),
            r.computed_grade,
            r.grade_ref,
            r.name,
            r.kind,
            r.industry,
            r.street_name,
            r.ruleset_version,
            r.year,
        )
        for r in PublishedResult.objects.filter(cycle=cycle)
    )
    assert got == expected
    cycle = reload(cycle)
    assert cycle.status == CycleStatus.PUBLISHED
    # The outbox payloads are those of services.result_payload, whichever way they were written.
    payloads = sorted(
        (m.key, m.payload) for m in _published_messages(cycle).filter(key__contains=":jiaxian:")
    )
    assert payloads == sorted(
        (f"{r.uscc}:{r.ruleset_code}:{r.year}", services.result_payload(r, cycle))
        for r in PublishedResult.objects.filter(cycle=cycle)
    )


def test_publishing_twice_while_the_job_runs_is_refused(
    publisher, django_capture_on_commit_callbacks
):
    cycle = _final_cycle(publisher, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        services.publish(cycle=cycle, actor=publisher, inline=False)
    with pytest.raises(services.WorkflowError, match="正在公布"):
        services.publish(cycle=cycle, actor=publisher, inline=False)
    assert DocumentJob.objects.filter(cycle=cycle, kind=JobKind.PUBLISH).count() == 1


def test_the_publish_request_only_starts_the_job_and_the_page_polls(
    client, publisher, django_capture_on_commit_callbacks, settings
):
    cycle = _final_cycle(publisher, django_capture_on_commit_callbacks)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("publication:cycle_publish", args=[cycle.pk]))
    assert response.status_code == 302
    assert reload(cycle).status == CycleStatus.FINAL
    job = DocumentJob.objects.get(cycle=cycle, kind=JobKind.PUBLISH)
    page = client.get(reverse("publication:cycle_detail", args=[cycle.pk]))
    html = page.content.decode()
    assert reverse("publication:job_progress", args=[job.pk]) in html
    assert "公布评价结果" in html and "正在公布" in html
    progress = client.get(reverse("publication:job_progress", args=[job.pk])).json()
    assert progress["finished"] is False and progress["total"] == 0
    jobs.run(job.pk)
    progress = client.get(reverse("publication:job_progress", args=[job.pk])).json()
    assert progress["finished"] is True and progress["done"] == progress["total"] == 7
    assert progress["percent"] == 100


# --- written notices ----------------------------------------------------------------------------


def _notice_cycle(publisher, capture, n=5):
    cycle = make_cycle(grades=(("A", ("jiaxian.A.1",)),) + (("C", ("jiaxian.C.1",)),) * n)
    services.start_review(cycle=cycle, actor=publisher)
    with capture(execute=False):
        services.start_public_notice(cycle=cycle, actor=publisher, start=START, today=BEFORE)
    return cycle, DocumentJob.objects.get(cycle=cycle, kind=JobKind.WRITTEN_NOTICES)


def test_a_killed_notices_job_resumes_without_duplicates(
    publisher, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(jobs, "NOTICE_CHUNK", 2)
    cycle, job = _notice_cycle(publisher, django_capture_on_commit_callbacks)
    jobs.run(job.pk, max_chunks=1)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.RUNNING, 2, 5)
    assert WrittenNotice.objects.filter(cycle=cycle).count() == 2
    _expire(job)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == 5
    notices = WrittenNotice.objects.filter(cycle=cycle)
    assert notices.count() == 5
    assert notices.values("employer").distinct().count() == 5
    assert len(set(notices.values_list("document_no", flat=True))) == 5
    assert all(n.content_hash and n.document_id for n in notices)


def test_a_chunk_chains_its_notices_audit_entries_at_once(
    publisher, django_capture_on_commit_callbacks, monkeypatch
):
    """One audit entry per notice, written per chunk (``write_audits``: the head locked and
    moved once), and the audit chain still verifies, entries interleaved with single writes."""
    from audit.models import AuditEntry, AuditHead
    from audit.services import verify_audit, write_audit

    monkeypatch.setattr(jobs, "NOTICE_CHUNK", 3)
    cycle, job = _notice_cycle(publisher, django_capture_on_commit_callbacks)
    jobs.run(job.pk, max_chunks=1)
    write_audit(actor=publisher, action="publication.test_between", object_id="1")
    _expire(job)
    jobs.run(job.pk)
    issued = AuditEntry.objects.filter(action="publication.written_notice_issued").order_by("pk")
    notices = WrittenNotice.objects.filter(cycle=cycle)
    assert notices.count() == 5
    assert sorted(int(e.object_id) for e in issued) == sorted(n.pk for n in notices)
    assert all(e.after["document_no"] for e in issued)
    head = AuditHead.objects.get(pk=1)
    last = AuditEntry.objects.order_by("pk").last()
    assert (head.last_id, head.last_hash) == (last.pk, last.entry_hash)
    assert list(verify_audit()) == []


def test_only_changed_notices_are_made_again(
    publisher, supervisor, inspector, django_capture_on_commit_callbacks
):
    from grading import services as grading_services
    from grading.models import Grade

    cycle, job = _notice_cycle(publisher, django_capture_on_commit_callbacks, n=3)
    jobs.run(job.pk)
    before = dict(WrittenNotice.objects.values_list("employer_id", "pk"))
    assert len(before) == 3
    # Asked again with nothing changed: nothing made.
    with django_capture_on_commit_callbacks(execute=True):
        services.request_written_notices(cycle=cycle, actor=publisher)
    assert WrittenNotice.objects.count() == 3
    # One grade changed during the notice (C → D): that one notice only.
    grade = Grade.objects.filter(run=cycle.run, grade="C").order_by("employer__uscc").first()
    override = grading_services.propose_override(
        actor=inspector, grade=grade, proposed_grade="D", reason="另查明受到行政处罚",
        cited_rules=["jiaxian.D.1"], objection=_objection_on(grade),
    )  # fmt: skip
    grading_services.decide_override(
        actor=supervisor, override=override, approve=True, objection=_objection_on(grade)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.request_written_notices(cycle=cycle, actor=publisher)
    current = dict(
        WrittenNotice.objects.filter(superseded_at__isnull=True).values_list("employer_id", "pk")
    )
    changed = {e for e in current if current[e] != before[e]}
    assert changed == {grade.employer_id}
    assert WrittenNotice.objects.count() == 4


@pytest.fixture
def chords(monkeypatch, settings):
    """Notices in parallel chunks of two, with a broker: the chord is caught, not sent; the
    dict gets its chunk signatures (``header``) and its closing signature (``body``)."""
    import celery

    monkeypatch.setattr(jobs, "NOTICE_CHUNK", 2)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.PUBLICATION_PARALLEL_NOTICES = True
    dispatched = {}

    def fake_chord(header):
        dispatched["header"] = list(header)
        return lambda body: dispatched.setdefault("body", body)

    monkeypatch.setattr(celery, "chord", fake_chord)
    return dispatched


def test_notices_in_parallel_chunks_on_the_workers(
    publisher, django_capture_on_commit_callbacks, chords
):
    """With a broker the chunks are a chord; here each signature is applied in process."""
    dispatched = chords
    cycle, job = _notice_cycle(publisher, django_capture_on_commit_callbacks)
    jobs.run(job.pk)
    assert reload(job).status == JobStatus.RUNNING  # the chunks close it
    assert len(dispatched["header"]) == 3  # 2 + 2 + 1
    for signature in reversed(dispatched["header"]):  # in any order
        signature.apply()
    dispatched["body"].apply()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == 5
    assert WrittenNotice.objects.filter(cycle=cycle).count() == 5
    numbers = WrittenNotice.objects.values_list("document_no", flat=True)
    assert len(set(numbers)) == 5


def test_a_chunk_that_fails_for_good_fails_the_job_at_once(
    publisher, django_capture_on_commit_callbacks, monkeypatch, chords
):
    """A failed chunk runs the chord's error callback (as Celery's result backend calls it when
    a header task fails): the job is failed with the chunk's error, not left running until
    its lease runs out."""
    from celery.backends.cache import CacheBackend

    from config.celery import app

    dispatched = chords
    cycle, job = _notice_cycle(publisher, django_capture_on_commit_callbacks)
    jobs.run(job.pk)
    assert reload(job).status == JobStatus.RUNNING

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(jobs, "notice_chunk", broken)
    failed = dispatched["header"][1].apply(throw=False)
    assert failed.failed()
    try:  # the backend handles the failure inside the failed task's stack
        raise failed.result
    except OSError as exc:
        CacheBackend(app=app, backend="memory").chord_error_from_stack(dispatched["body"], exc)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "磁盘已满" in job.error and job.finished_at is not None


def test_a_batch_gives_each_notice_its_own_pdf(tmp_path):
    from publication import documents

    from .test_documents import pdf_text

    def notice(name, uscc):
        return documents.WrittenNotice(
            employer_name=name, uscc=uscc, year=2024, grade="C", grade_label="C级（一般）",
            authority="郏县人力资源和社会保障局", ruleset_title="办法", ruleset_document="",
            rules=(documents.FiredRule("jiaxian.C.1", "第十一条", "拖欠工资"),),
            measures=(), issued_on=dt.date(2025, 9, 29), document_no=f"告〔2025〕{uscc[-1]}号",
        )  # fmt: skip

    notices = [notice(f"第{i}测试有限公司", f"91410425MA000000{i}X") for i in range(3)]
    paths = documents.written_notice_pdfs(notices, [tmp_path / f"{i}.pdf" for i in range(3)])
    for i, path in enumerate(paths):
        text = pdf_text(path)
        assert f"第{i}测试有限公司" in text
        assert all(f"第{j}测试有限公司" not in text for j in range(3) if j != i)
        assert "jiaxian" not in text


def test_the_public_notice_does_not_wait_for_the_written_notices(
    client, publisher, django_capture_on_commit_callbacks
):
    """SPEC §8 [r2]: the notice page carries the proposed list at once; the PDFs follow."""
    from publication.models import PublicNotice

    cycle, job = _notice_cycle(publisher, django_capture_on_commit_callbacks, n=2)
    assert job.status == JobStatus.QUEUED and not WrittenNotice.objects.exists()
    notice = PublicNotice.objects.get(cycle=cycle)
    page = client.get(reverse("publication:public_notice", args=[notice.pk]))
    assert page.status_code == 200
    for employer in cycle.test_employers:
        assert employer.uscc in page.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.PUBLIC_NOTICE


# --- pages at scale -----------------------------------------------------------------------------


def _old_overview(cycle):
    """The computation the cycle page did before: a walk over every result in Python."""
    from collections import Counter

    from publication.results import cycle_rows

    rows = cycle_rows(cycle)
    counts = Counter(r.final_grade for r in rows)
    grade_counts = [(g, counts[g]) for g in ("A", "B", "C", "D") if counts.get(g)] + (
        [("", counts[""])] if counts.get("") else []
    )
    return {
        "grade_counts": grade_counts,
        "result_count": len(rows),
        "overridden": sum(1 for r in rows if r.overridden),
    }


def test_the_cycle_overview_in_sql_equals_the_old_python_walk(
    client, publisher, supervisor, inspector, django_capture_on_commit_callbacks
):
    from grading import services as grading_services
    from grading.models import Grade
    from publication.selectors import cycle_overview

    cycle = make_cycle(grades=GRADES)
    services.start_review(cycle=cycle, actor=publisher)
    b_grade = Grade.objects.get(run=cycle.run, grade="B")
    for proposed, approve in (("C", False), ("D", True)):  # a refused and an approved one
        override = grading_services.propose_override(
            actor=inspector, grade=b_grade, proposed_grade=proposed, reason="复核",
            cited_rules=[f"jiaxian.{proposed}.1"],
        )  # fmt: skip
        grading_services.decide_override(
            actor=supervisor, override=override, approve=approve, note="审批意见"
        )
    overview = cycle_overview(cycle)
    assert overview == _old_overview(cycle)
    assert overview["grade_counts"] == [("A", 2), ("C", 2), ("D", 2), ("", 1)]
    # The page shows the same numbers and pages the proposed list.
    client.force_login(publisher)
    html = client.get(reverse("publication:cycle_detail", args=[cycle.pk])).content.decode()
    assert "共 7 家单位" in html and 'id="cycle-results"' in html
    assert b_grade.employer.uscc in html and "（自动评级 B）" in html


def test_estimated_counts_are_exact_for_small_lists_and_planner_estimates_for_large(
    monkeypatch,
):
    from django.db import connection

    from employers import paging

    cycle = make_cycle(grades=GRADES)
    qs = Cycle.objects.filter(pk=cycle.pk)
    assert paging.estimated_count(qs) == (1, True)
    if connection.vendor == "postgresql":
        assert paging.planner_estimate(qs) is not None
        monkeypatch.setattr(paging, "planner_estimate", lambda queryset: 123_456)
        assert paging.estimated_count(qs) == (123_456, False)
        paginator = paging.EstimatedPaginator(qs, 50)
        assert paginator.count == 123_456 and paginator.exact is False
    else:
        assert paging.planner_estimate(qs) is None


def test_the_computed_counts_are_counted_once_per_run(publisher, supervisor, inspector):
    """The unpublished cycle's overview counts its run's computed grades once (0.5 s at a million
    employers) and keeps them; an approved override still moves its employer at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grading import services as grading_services
    from grading.models import Grade
    from publication.selectors import cycle_overview

    cycle = make_cycle(grades=GRADES)
    services.start_review(cycle=cycle, actor=publisher)
    before = cycle_overview(cycle)
    b_grade = Grade.objects.get(run=cycle.run, grade="B")
    override = grading_services.propose_override(
        actor=inspector, grade=b_grade, proposed_grade="D", reason="复核",
        cited_rules=["jiaxian.D.1"],
    )  # fmt: skip
    grading_services.decide_override(actor=supervisor, override=override, approve=True, note="同意")
    with CaptureQueriesContext(connection) as queries:
        after = cycle_overview(cycle)
    assert not any("GROUP BY" in q["sql"] for q in queries.captured_queries)
    assert after == _old_overview(cycle) and after != before
    assert after["overridden"] == 1
