"""Making the documents of a cycle in the background, with progress (``DocumentJob``).

- written notices (书面告知书): one PDF per employer to be graded C (or D), from the current
  results, before the public notice (seed 002 四(二));
- publication: from the *published snapshot* — the list PDF in parts of at most 2,000 rows
  (public), the full XLSX, for ``xuchang`` the 附件2 table (seed 003 六(十)), and the report to
  the higher authority (PDF and XLSX; seed 002 四(三): 报市人力社保局备案).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_noop

from credit_records.periods import cn_date
from employers.choices import EmployerKind, Industry

from . import documents
from .choices import DocumentKind, JobKind, JobStatus
from .models import CycleDocument, DocumentJob, PublishedResult

# The published list's name per rule set (what the bureau calls its list). The documents keep the
# Chinese name; pages show it translated (see publication.views.display_list_title).
LIST_TITLES = {
    "jiaxian": gettext_noop("用人单位劳动保障守法信用等级评价结果"),
    "xiqing": gettext_noop("用人单位劳动保障守法信用等级评价结果"),
    "jiangjin": gettext_noop("企业劳动保障守法诚信等级评价结果"),
    "xuchang": gettext_noop("人力资源服务机构信用等级评价结果"),
}
DEFAULT_LIST_TITLE = gettext_noop("守法诚信等级评价结果")
ENFORCEMENT_KINDS = ("violation", "administrative_decision", "administrative_penalty")


def list_title(cycle) -> str:
    return f"{cycle.year}年度{LIST_TITLES.get(cycle.ruleset_code, DEFAULT_LIST_TITLE)}名单"


def _progress(job: DocumentJob, *, done=None, total=None, step=None) -> None:
    """Progress of a job, and a renewed lease (``heartbeat_at``) with every report."""
    fields = {"heartbeat_at": timezone.now()}
    if done is not None:
        fields["done"] = done
    if total is not None:
        fields["total"] = total
    if step is not None:
        fields["step"] = step
    DocumentJob.objects.filter(pk=job.pk).update(**fields)


def _store(job, *, kind, path: Path, name: str, **fields) -> CycleDocument:
    document = CycleDocument(cycle=job.cycle, job=job, kind=kind, **fields)
    with path.open("rb") as fh:
        document.file.save(name, File(fh), save=False)
    document.save()
    return document


# A job still queued after this long lost its task: it may be queued again.
STALE_AFTER = dt.timedelta(hours=2)
# A running job renews its lease with every chunk (``_progress``); one whose lease ran out lost
# its worker (killed, out of memory, machine gone) and is taken over by the next run.
LEASE = dt.timedelta(minutes=10)


def is_stale(job: DocumentJob) -> bool:
    now = timezone.now()
    if job.status == JobStatus.RUNNING and job.heartbeat_at is not None:
        return job.heartbeat_at < now - LEASE
    return (job.started_at or job.created_at) < now - STALE_AFTER


class Interrupted(Exception):
    """Raised inside a job to stop it where it is, as a dying worker would (tests, benchmarks)."""


def run(job_id: int, *, max_chunks: int | None = None) -> None:
    """Run one job to its end; a failure is recorded on the job (and raised again).

    A job is restartable: a run that finds it running with a live lease leaves it alone; one
    that finds the lease expired (the worker died) takes it over and continues from the job's
    checkpoint. ``max_chunks`` stops after that many chunks, leaving the job running as a
    killed worker would (tests and benchmarks)."""
    with transaction.atomic():
        job = (
            DocumentJob.objects.select_for_update()
            .select_related("cycle__jurisdiction")
            .get(pk=job_id)
        )
        if job.status == JobStatus.DONE or (job.status == JobStatus.RUNNING and not is_stale(job)):
            return
        job.status = JobStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.error = ""
        job.save(update_fields=["status", "started_at", "heartbeat_at", "error"])
    try:
        if job.kind == JobKind.PUBLISH:
            from .publishing import publish_chunks

            publish_chunks(job, max_chunks=max_chunks)
        else:
            with tempfile.TemporaryDirectory(prefix="publication-") as tmp:
                if job.kind == JobKind.WRITTEN_NOTICES:
                    if not _written_notices(job, Path(tmp), max_chunks=max_chunks):
                        return  # the chunks run on the workers; the last one closes the job
                else:
                    _publication(job, Path(tmp))
    except Interrupted:
        return  # left running: the lease expires and the next run takes over
    except Exception as exc:
        fail(job.pk, exc)
        raise
    finish(job.pk)


def fail(job_id: int, exc: BaseException) -> None:
    """Record the failure on the job: the publisher sees it at once and may ask again (a job
    left running would wait for its lease to run out)."""
    DocumentJob.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        finished_at=timezone.now(),
    )


def finish(job_id: int) -> None:
    DocumentJob.objects.filter(pk=job_id).update(
        status=JobStatus.DONE, done=F("total"), step="", finished_at=timezone.now()
    )


# --- written notices ---------------------------------------------------------------------------


def _fired(codes, version) -> tuple[documents.FiredRule, ...]:
    from grading.selectors import rule_explanations

    return tuple(
        documents.FiredRule(e.code, e.article, e.text) for e in rule_explanations(codes, version)
    )


_UNREAD = object()


def written_notice_for(
    cycle, row, *, number: int, issued_on: dt.date, public_notice=_UNREAD
) -> documents.WrittenNotice:
    """The content of a written notice (SPEC §8 [r2]): the final proposed grade and its basis —
    after an approved override, its reason and cited articles — with the public notice's period,
    how to object and contact. ``public_notice``: the cycle's, when the caller has read it
    (None: it has none)."""
    from grading import rulesets

    from .models import PublicNotice
    from .notices import notice_basis
    from .services import authority_of

    basis = notice_basis(row)
    try:
        ruleset = rulesets.get(cycle.ruleset_code, basis.version)
    except KeyError:
        ruleset = None
    measures = basis.measures
    label = documents.grade_label(basis.grade)
    computed_label = documents.grade_label(basis.computed_grade) if basis.computed_grade else ""
    title = document = ""
    if ruleset is not None:
        label = ruleset.grade_labels.get(basis.grade, label)
        if basis.computed_grade:
            computed_label = ruleset.grade_labels.get(basis.computed_grade, computed_label)
        title, document = ruleset.title, ruleset.document
    if public_notice is _UNREAD:
        public_notice = PublicNotice.objects.filter(cycle=cycle).first()
    return documents.WrittenNotice(
        employer_name=row.employer.name,
        uscc=row.employer.uscc,
        year=cycle.year,
        grade=basis.grade,
        grade_label=label,
        authority=authority_of(cycle),
        ruleset_title=title,
        ruleset_document=document,
        rules=tuple(
            documents.FiredRule(code, article, text)
            for code, (article, text) in zip(basis.rules, basis.explained, strict=False)
        ),
        measures=measures,
        issued_on=issued_on,
        document_no=f"{cycle.jurisdiction.name}人社信告〔{issued_on.year}〕{number}号",
        override_reason=basis.override_reason,
        computed_grade_label=computed_label if basis.override_reason else "",
        notice_title=public_notice.title if public_notice else "",
        notice_document_no=public_notice.document_no if public_notice else "",
        notice_start=public_notice.start if public_notice else None,
        notice_end=public_notice.end if public_notice else None,
        contact=public_notice.contact if public_notice else "",
    )


# Employers per chunk of written notices (one PDF each, drawn with fpdf2: notice_pdf).
NOTICE_CHUNK = 200


def _allocate_numbers(job: DocumentJob, count: int) -> int:
    """Reserve ``count`` consecutive notice numbers for one chunk (chunks run in parallel);
    returns the first. A chunk lost with its worker leaves its numbers unused."""
    from .models import WrittenNotice

    with transaction.atomic():
        locked = DocumentJob.objects.select_for_update().get(pk=job.pk)
        first = locked.meta.get("next_number")
        if first is None:
            first = WrittenNotice.objects.filter(cycle_id=job.cycle_id).count() + 1
        locked.meta["next_number"] = first + count
        locked.save(update_fields=["meta"])
    return first


def notice_chunk(job: DocumentJob, *, after: int, upto: int | None, tmp: Path) -> int | None:
    """Issue the written notices owed in one chunk of employers (grade rows ``after < id <=
    upto``):
    only those whose current notice is missing or states something else (``basis_hash``), one
    PDF each (``documents.written_notice_pdfs``). Idempotent: run again, it finds nothing to do. Returns
    the chunk's last grade row id (None: the chunk was empty)."""
    from audit.services import write_audits

    from .models import PublicNotice
    from .notices import changed_rows, issue_notice, notice_rows_between

    cycle = job.cycle
    rows = notice_rows_between(cycle, after, upto)
    if not rows:
        return None
    changed = changed_rows(cycle, rows)
    issued_on = timezone.localdate()
    contents = []
    public_notice = PublicNotice.objects.filter(cycle=cycle).first()  # once per chunk
    if changed:
        first = _allocate_numbers(job, len(changed))
        contents = [
            written_notice_for(
                cycle, row, number=first + i, issued_on=issued_on, public_notice=public_notice
            )
            for i, row in enumerate(changed)
        ]
        paths = [tmp / f"notice-{row.employer.pk}.pdf" for row in changed]
        documents.written_notice_pdfs(contents, paths)
    last = rows[-1].grade.pk
    audits: list[dict] = []
    with transaction.atomic():
        for i, (row, notice) in enumerate(zip(changed, contents, strict=True)):
            number = first + i
            document = _store(
                job,
                kind=DocumentKind.WRITTEN_NOTICE,
                path=paths[i],
                name=f"书面告知书-{cycle.year}-{row.employer.uscc}-{number}.pdf",
                employer=row.employer,
                rows=1,
                meta={
                    "grade": notice.grade,
                    "rules": [r.code for r in notice.rules],
                    "grade_label": notice.grade_label,
                    "document_no": notice.document_no,
                },
            )
            issue_notice(
                cycle=cycle,
                row=row,
                number=number,
                document=document,
                issued_on=issued_on,
                public_notice=public_notice,
                audits=audits,
            )
        # the chunk's audit entries chained at once, late in the transaction (the head is
        # locked from here to the commit, as by every audited transaction)
        write_audits(audits)
        fields = {"done": F("done") + len(rows), "heartbeat_at": timezone.now()}
        if job.meta.get("mode") != "parallel":
            fields["cursor"] = str(last)  # the sequential run's checkpoint
        DocumentJob.objects.filter(pk=job.pk).update(**fields)
    return last


def notice_bounds(cycle, size: int | None = None) -> list[int]:
    """The grade row ids that close each chunk of ``size`` employers to be told in writing (the
    last chunk is open-ended), read as a stream of integers."""
    from .notices import notice_queryset

    size = size or NOTICE_CHUNK
    bounds = []
    ids = notice_queryset(cycle).order_by("pk").values_list("pk", flat=True)
    for i, pk in enumerate(ids.iterator(5000), 1):
        if i % size == 0:
            bounds.append(pk)
    return bounds


def _written_notices(job: DocumentJob, tmp: Path, *, max_chunks: int | None = None) -> bool:
    """Issue the written notices the cycle still owes (SPEC §8 [r2]): one per employer proposed C
    (or D) without a current notice stating the same. Notices already issued stay as they are;
    one whose basis changed is superseded by a new one (``notices.issue_notice``).

    With a broker the chunks run in parallel on the Celery workers (a chord; the last task
    closes the job) and this returns False; without one (eager) they run here one after the
    other from the job's checkpoint, and this returns True when done."""
    from django.conf import settings

    from .notices import notice_queryset

    cycle = job.cycle
    if not job.total:
        total = notice_queryset(cycle).order_by().count()
        _progress(job, done=0, total=total, step=gettext_noop("书面告知书"))
    if not settings.CELERY_TASK_ALWAYS_EAGER and settings.PUBLICATION_PARALLEL_NOTICES:
        from celery import chord

        from .tasks import finish_job, make_notice_chunk, notice_chunk_failed

        bounds = notice_bounds(cycle)
        DocumentJob.objects.filter(pk=job.pk).update(
            done=0, meta={**job.meta, "mode": "parallel"}, heartbeat_at=timezone.now()
        )
        edges = [0, *bounds]
        chunks = [
            make_notice_chunk.s(job.pk, edges[i], bounds[i] if i < len(bounds) else None)
            for i in range(len(edges))
        ]
        # A chunk that fails for good fails the job as soon as the other chunks have ended (the
        # chord's error callback, with the chunk's error), so the publisher need not wait for
        # the lease to run out before asking again; the notices made stay (content-hashed).
        chord(chunks)(finish_job.si(job.pk).on_error(notice_chunk_failed.s(job_id=job.pk)))
        return False
    cursor = int(DocumentJob.objects.values_list("cursor", flat=True).get(pk=job.pk) or 0)
    chunks = 0
    while True:
        if max_chunks is not None and chunks >= max_chunks:
            raise Interrupted
        upto = (
            notice_queryset(cycle)
            .filter(pk__gt=cursor)
            .order_by("pk")
            .values_list("pk", flat=True)[NOTICE_CHUNK - 1 : NOTICE_CHUNK]
        )
        upto = upto[0] if upto else None
        last = notice_chunk(job, after=cursor, upto=upto, tmp=tmp)
        if last is None:
            return True
        cursor = last
        chunks += 1


def _articles(codes, version) -> tuple[str, ...]:
    """Fired rules as people read them: article and text, never the internal code."""
    from grading.selectors import rule_explanations

    return tuple(
        f"{e.article} {e.text}".strip() for e in rule_explanations(codes, version) if e.article
    )


# --- publication -------------------------------------------------------------------------------


def published_list_rows(cycle) -> list[documents.ListRow]:
    return list(iter_published_list_rows(cycle))


def iter_published_list_rows(cycle):
    """The published list as ``ListRow``s, read in chunks (``.iterator``), never held whole."""
    kinds = dict(EmployerKind.choices)
    industries = dict(Industry.choices)
    results = PublishedResult.objects.filter(cycle=cycle).order_by("name", "id")
    explained = {}  # a few distinct rule combinations for the whole list
    for r in results.iterator(chunk_size=2000):
        key = (tuple(r.rules), r.ruleset_version)
        if key not in explained:
            explained[key] = _articles(r.rules, r.ruleset_version)
        yield documents.ListRow(
            name=r.name,
            uscc=r.uscc,
            grade=r.grade,
            kind=str(kinds.get(r.kind, r.kind)),
            industry=str(industries.get(r.industry, r.industry)),
            street=r.street_name,
            rules=explained[key],
        )


def _stored_parts(job: DocumentJob) -> int:
    """How many list PDF parts, from the first on, this job has stored (a run that died)."""
    stored = 0
    parts = CycleDocument.objects.filter(job=job, kind=DocumentKind.LIST_PDF)
    for part in parts.order_by("part").values_list("part", flat=True):
        if part != stored + 1:
            break
        stored = part
    return stored


def _publication(job: DocumentJob, tmp: Path) -> None:
    """The documents of a published cycle, each from its own pass over the published rows (the
    list is streamed: the PDF part by part, the XLSX write-only, the report by counting).

    Each list PDF part is stored as soon as it is made, and a run taking over the job from a
    dead worker keeps the parts the job already stored and goes on from the next one (a million
    rows are 500 parts, hours of rendering: issue 15)."""
    from itertools import islice

    from .services import authority_of

    cycle = job.cycle
    count = PublishedResult.objects.filter(cycle=cycle).count()
    authority = authority_of(cycle)
    title = list_title(cycle)
    issued_on = timezone.localdate(cycle.published_at) if cycle.published_at else None
    is_xuchang = cycle.ruleset_code == "xuchang"
    per_part = documents.MAX_ROWS_PER_FILE
    resumed = _stored_parts(job)
    # Units of progress: one per PDF row, plus one per other file.
    extra = 3 + (1 if is_xuchang else 0)
    _progress(
        job,
        done=min(count, resumed * per_part),
        total=count + extra,
        step=gettext_noop("公布名单 PDF"),
    )
    # A remade set replaces the previous one (same snapshot, same content); the list parts this
    # job already stored stay.
    kept = CycleDocument.objects.filter(job=job, kind=DocumentKind.LIST_PDF, part__lte=resumed)
    for old in (
        CycleDocument.objects.filter(cycle=cycle)
        .exclude(kind=DocumentKind.WRITTEN_NOTICE)
        .exclude(pk__in=kept.values("pk"))
    ):
        old.file.delete(save=False)
        old.delete()

    stored = set()

    def store_part(k: int, parts: int, path: Path) -> None:
        stored.add(k)
        _store(
            job,
            kind=DocumentKind.LIST_PDF,
            path=path,
            name=path.name,
            part=k,
            parts=parts,
            rows=max(0, min(per_part, count - (k - 1) * per_part)),
            is_public=True,
        )
        path.unlink()  # stored: the temporary copy is not kept for the hours the list takes

    stem = f"{cycle.jurisdiction.code}-{cycle.year}-{cycle.ruleset_code}"
    if resumed < max(1, -(-count // per_part)):
        listed = iter_published_list_rows(cycle)
        try:
            written = documents.grades_pdf(
                islice(listed, resumed * per_part, None),
                tmp / f"{stem}-名单.pdf",
                title=title,
                subtitle=f"共 {count} 家",
                authority=authority,
                issued_on=issued_on,
                progress=lambda done, total: _progress(job, done=done),
                total=count,
                start_part=resumed + 1,
                on_part=store_part,
            )
        finally:
            listed.close()  # the parts read ``count`` rows: close the database cursor now
        for k, path in enumerate(written, start=resumed + 1):  # any part not stored as made
            if k not in stored:
                store_part(k, resumed + len(written), path)
    done = count

    _progress(job, step=gettext_noop("评价结果明细 XLSX"))
    path = documents.list_xlsx(
        iter_published_list_rows(cycle), tmp / f"{stem}-明细.xlsx", title=title, authority=authority
    )
    _store(job, kind=DocumentKind.LIST_XLSX, path=path, name=path.name, rows=count)
    done += 1
    _progress(job, done=done)

    if is_xuchang:
        _progress(job, step=gettext_noop("附件2 汇总表"))
        path = documents.annex2_xlsx(
            annex2_rows(cycle),
            tmp / f"{stem}-附件2汇总表.xlsx",
            filled_by=authority,
            filled_on=issued_on,
        )
        _store(job, kind=DocumentKind.ANNEX2_XLSX, path=path, name=path.name, rows=count)
        done += 1
        _progress(job, done=done)

    _progress(job, step=gettext_noop("上报报告"))
    report = documents.build_report(
        iter_published_list_rows(cycle),
        title=f"{cycle.year}年度{LIST_TITLES.get(cycle.ruleset_code, DEFAULT_LIST_TITLE)}统计报告",
        authority=authority,
        year=cycle.year,
        grades=_grades(cycle),
        issued_on=issued_on,
        notes=report_notes(cycle),
    )
    path = documents.report_pdf(report, tmp / f"{stem}-上报报告.pdf")
    _store(job, kind=DocumentKind.REPORT_PDF, path=path, name=path.name, rows=count)
    path = documents.report_xlsx(report, tmp / f"{stem}-上报统计表.xlsx")
    _store(job, kind=DocumentKind.REPORT_XLSX, path=path, name=path.name, rows=count)
    _progress(job, done=done + 2)


def _grades(cycle) -> tuple[str, ...]:
    from grading import rulesets

    try:
        return rulesets.get(cycle.ruleset_code).grades
    except KeyError:
        return ("A", "B", "C", "D")


def report_notes(cycle) -> list[str]:
    from .models import CycleTransition

    notes = []
    steps = {t.to_status: t for t in CycleTransition.objects.filter(cycle=cycle)}
    if cycle.notice_start and cycle.notice_end:
        notes.append(f"公示期：{cn_date(cycle.notice_start)}至{cn_date(cycle.notice_end)}。")
    overridden = (
        PublishedResult.objects.filter(cycle=cycle).exclude(computed_grade=F("grade")).count()
    )
    if overridden:
        notes.append(f"经人工复核并经监察机构负责人审批调整等级的单位 {overridden} 家。")
    if "published" in steps and cycle.published_at:
        day = timezone.localdate(cycle.published_at)
        notes.append(f"评价结果于{cn_date(day)}公布。")
    return notes


def annex2_rows(cycle) -> list[documents.Annex2Row]:
    """附件2 rows: 失信情况 from the fired rules, 查处情况 from the enforcement records of the
    cycle year, 诚信机构典型 from grading's ExemplaryAgency."""
    from credit_records.choices import EntryType
    from credit_records.models import CreditRecord
    from grading.models import ExemplaryAgency

    from .services import authority_of

    results = list(PublishedResult.objects.filter(cycle=cycle).order_by("name", "id"))
    employer_ids = [r.employer_id for r in results]
    start, end = dt.date(cycle.year, 1, 1), dt.date(cycle.year, 12, 31)
    enforcement = defaultdict(list)
    # 查处情况 as the ledger stood when the cycle was published: a remade table is the published
    # one (SPEC §8: published results never change), whatever was corrected or voided since.
    at = cycle.published_at or timezone.now()
    fixed_by_then = CreditRecord.objects.filter(supersedes_id=OuterRef("pk"), created_at__lte=at)
    records = (
        CreditRecord.objects.filter(created_at__lte=at)
        .exclude(entry_type=EntryType.VOID)
        .filter(~Exists(fixed_by_then))
        .filter(employer_id__in=employer_ids, kind__in=ENFORCEMENT_KINDS, date__range=(start, end))
        .order_by("date", "id")
    )
    for record in records:
        text = f"{record.date.year}年{record.date.month}月，{record.get_kind_display()}"
        if record.document_no:
            text += f"（{record.document_no}）"
        if record.rectification:
            text += f"，{record.get_rectification_display()}"
        if record.performance:
            text += f"，{record.get_performance_display()}"
        enforcement[record.employer_id].append(text)
    exemplary = dict(
        ExemplaryAgency.objects.filter(cycle=cycle).values_list("employer_id", "reason")
    )
    unit = authority_of(cycle)
    rows = []
    for r in results:
        fired = _fired(r.rules, r.ruleset_version)
        dishonesty = (
            "无"
            if r.grade == "A"
            else "；".join(f"{cycle.year}年度，{f.text}" for f in fired if f.text) or "无"
        )
        remark = ""
        if r.computed_grade and r.computed_grade != r.grade:
            remark = f"经人工复核，由{r.computed_grade}级调整为{r.grade}级"
        rows.append(
            documents.Annex2Row(
                name=r.name,
                uscc=r.uscc,
                grade=r.grade,
                dishonesty=dishonesty,
                enforcement="；".join(enforcement.get(r.employer_id, [])) or "无",
                exemplary=r.employer_id in exemplary,
                exemplary_reason=exemplary.get(r.employer_id, ""),
                unit=unit,
                remark=remark,
            )
        )
    return rows
