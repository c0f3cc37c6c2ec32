"""Exports of the employer registry in the background (issue 15 item 1; issue 11 item 5).

The list page's export link streams a small selection straight from the request; a large one
(``EXPORT_INLINE_MAX_ROWS``) becomes an ``ExportJob``: a Celery task (in process without a
broker) reads the employers with ``.iterator(chunk_size=…)`` and writes them row by row — CSV
through ``tabular.write_csv``, XLSX through openpyxl's write-only workbook — to a temporary file,
then into private storage (``config.storage``); the requester downloads it through a checked
view. Progress is counted in employers on the job row, which renews the worker's lease.

A job whose worker died (lease expired) is run again from the start: an export writes one file
and keeps nothing else, so starting over cannot duplicate anything — the file is replaced.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from .choices import ExportFormat, ExportJobStatus
from .models import ExportJob

LEASE = dt.timedelta(minutes=10)
CHUNK = 2000


def employers_for(user, query: str):
    """The employers the list page shows ``user`` for the query string ``query`` (its filters
    and its jurisdiction scope), ordered as on the page."""
    from .views import filtered_employers

    return filtered_employers(user, QueryDict(query))[1]


def employer_rows(employers):
    """The export's rows (``resources.EMPLOYER_COLUMNS``), read in chunks."""
    for e in employers.iterator(chunk_size=CHUNK):
        yield [
            e.uscc,
            e.name,
            e.kind,
            e.jurisdiction.code,
            e.industry,
            e.street.name if e.street_id else "",
            e.employees,
            e.legal_rep,
            e.address,
            e.phone,
            e.status,
        ]


def file_name(fmt: str) -> str:
    return f"employers-{timezone.localdate().strftime('%Y%m%d')}.{fmt}"


def is_stale(job: ExportJob) -> bool:
    seen = job.heartbeat_at or job.started_at or job.created_at
    return seen < timezone.now() - LEASE


@transaction.atomic
def start_export(*, user, fmt: str, query: str) -> ExportJob:
    """Queue an export of what the list page shows ``user`` for ``query``; runs after commit."""
    if fmt not in ExportFormat.values:
        raise ValueError(fmt)
    from audit.services import write_audit

    job = ExportJob.objects.create(format=fmt, params={"query": query}, requested_by=user)
    write_audit(
        actor=user,
        action="employers.export_requested",
        obj=job,
        jurisdiction_path=user.jurisdiction.path if user.jurisdiction_id else "",
        after={"format": fmt, "query": query},
    )
    transaction.on_commit(lambda: _start(job.pk))
    return job


def _start(job_id: int) -> None:
    import logging

    from django.conf import settings

    from .tasks import run_export_job

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            run_export_job.apply(kwargs={"job_id": job_id})
        else:
            run_export_job.apply_async(kwargs={"job_id": job_id})
    except Exception:
        logging.getLogger(__name__).exception("export job %s failed", job_id)


def _progress(job_id: int, done: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(done=done, heartbeat_at=timezone.now())


def run(job_id: int) -> str:
    """Write the export of one job (or leave it to the worker whose lease is live)."""
    from .resources import EMPLOYER_COLUMNS
    from .tabular import write_csv, write_xlsx

    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("requested_by").get(pk=job_id)
        if job.status == ExportJobStatus.DONE or (
            job.status == ExportJobStatus.RUNNING and not is_stale(job)
        ):
            return job.status
        now = timezone.now()
        job.status, job.started_at, job.heartbeat_at, job.error = (
            ExportJobStatus.RUNNING,
            now,
            now,
            "",
        )
        job.save(update_fields=["status", "started_at", "heartbeat_at", "error"])
    try:
        employers = employers_for(job.requested_by, job.params.get("query", ""))
        total = employers.order_by().count()
        ExportJob.objects.filter(pk=job.pk).update(total=total, done=0)
        rows = employer_rows(employers)
        name = file_name(job.format)
        with tempfile.TemporaryDirectory(prefix="export-") as tmp:
            path = Path(tmp) / name
            report = lambda n: _progress(job.pk, n)  # noqa: E731
            if job.format == ExportFormat.CSV:
                with path.open("wb") as fh:
                    count = write_csv(EMPLOYER_COLUMNS, rows, fh, progress=report)
            else:
                count = write_xlsx(EMPLOYER_COLUMNS, rows, path, title="employers", progress=report)
            old = ExportJob.objects.get(pk=job.pk).file
            with path.open("rb") as fh:
                job.file.save(name, File(fh), save=False)
            if old and old.name != job.file.name:
                old.delete(save=False)  # a re-run replaces the file of the run it took over
        ExportJob.objects.filter(pk=job.pk).update(
            file=job.file.name,
            status=ExportJobStatus.DONE,
            done=count,
            total=count,
            finished_at=timezone.now(),
        )
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    return ExportJobStatus.DONE
