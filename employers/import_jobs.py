"""Imports as background jobs (issue 14, item 7): upload → check (a full dry run, in a task) →
the user confirms → write (in a task) — with progress, all or nothing, in bounded memory.

A request never does the long work: it stores the file and starts a task (``employers.tasks``).
The write runs in ONE transaction that also holds the job's row lock and marks the job done, so
a job is written once even when its task is delivered twice (a double click, two tabs, a worker
killed and the task redelivered): the second task waits for the lock, then finds the job done.
If anything fails, the transaction rolls back — nothing half-written — and the job says so; the
user may try the write again.

Apps register what they import (``register_import_kind``) in their AppConfig.ready(): the
registry is how employers (a lower app) runs the credit records import without importing it.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ImportJobStatus
from .models import ImportJob

logger = logging.getLogger(__name__)

LISTED_ON_PAGE = 200


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str
    run: Callable  # (*, path, filename, actor, dry_run, progress) -> ImportReport
    roles: frozenset
    upload_url: str  # URL name of the upload page
    done_url: str  # URL name shown after a successful import


_KINDS: dict[str, ImportKind] = {}


def register_import_kind(*, key, label, run, roles, upload_url, done_url) -> None:
    _KINDS[key] = ImportKind(key, label, run, frozenset(roles), upload_url, done_url)


def import_kind(key: str) -> ImportKind:
    return _KINDS[key]


def upload_root() -> Path:
    path = Path(settings.IMPORT_UPLOAD_ROOT)
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(job: ImportJob) -> Path:
    return upload_root() / job.stored_name


def problems_path(job: ImportJob) -> Path | None:
    return upload_root() / job.problems_name if job.problems_name else None


# --- progress (the cache: the write's own transaction cannot show it in the database) ----------


def _progress_key(job_id) -> str:
    return f"employers:import-job:{job_id}"


def progress_of(job: ImportJob) -> dict:
    return cache.get(_progress_key(job.pk)) or {}


def _reporter(job: ImportJob) -> Callable:
    def report(rows: int, phase: str) -> None:
        cache.set(
            _progress_key(job.pk),
            {"rows": int(rows), "phase": phase, "at": time.time()},
            timeout=6 * 3600,
        )

    return report


# --- running ----------------------------------------------------------------------------------


def run(job_id, phase: str) -> str:
    """The task's work: ``phase`` "check" or "write". Returns the job's status."""
    if phase == "check":
        return _check(job_id)
    return _write(job_id)


def _summary(report) -> dict:
    return {
        "total": report.total,
        "created": report.created,
        "updated": report.updated,
        "skipped": report.skipped,
        "problem_count": report.problem_count,
        "problems": [
            {"row": p.row, "column": p.column, "message": p.message}
            for p in report.problems[:LISTED_ON_PAGE]
        ],
    }


def _write_problems(job: ImportJob, report) -> str:
    """Every listed problem as a CSV the user can download (UTF-8 with BOM, for Excel)."""
    name = f"{job.pk}-problems.csv"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["row", "column", "message"])
    for p in report.problems:
        writer.writerow([p.row, p.column, p.message])
    if report.unlisted_problems:
        writer.writerow(["", "", _("……另有 %(n)d 处错误未列出") % {"n": report.unlisted_problems}])
    (upload_root() / name).write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return name


def _fail(job_id, message: str) -> str:
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportJobStatus.DONE).update(
        status=ImportJobStatus.FAILED, error=message, updated_at=timezone.now()
    )
    return ImportJobStatus.FAILED


def _check(job_id) -> str:
    started = ImportJob.objects.filter(
        pk=job_id, status__in=(ImportJobStatus.UPLOADED, ImportJobStatus.CHECKING)
    ).update(status=ImportJobStatus.CHECKING, updated_at=timezone.now())
    if not started:
        return ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    path = stored_path(job)
    if not path.exists():
        return _fail(job_id, _("上传的文件已不存在，请重新上传"))
    try:
        report = import_kind(job.kind).run(
            path=path,
            filename=job.filename,
            actor=job.created_by,
            dry_run=True,
            progress=_reporter(job),
        )
    except Exception:
        logger.exception("import job %s: check failed", job_id)
        return _fail(job_id, _("校验时发生系统错误，未写入任何数据；请稍后重试或联系系统管理员"))
    status = ImportJobStatus.READY if report.ok else ImportJobStatus.INVALID
    problems_name = _write_problems(job, report) if not report.ok else ""
    ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.CHECKING).update(
        status=status,
        report=_summary(report),
        problems_name=problems_name,
        updated_at=timezone.now(),
    )
    return status


def _write(job_id) -> str:
    try:
        with transaction.atomic():
            # Held until the commit: a second task for the same job waits here, then finds it
            # done. The job's status and the imported rows commit together.
            job = (
                ImportJob.objects.select_for_update()
                .select_related("created_by")
                .filter(pk=job_id)
                .first()
            )
            if job is None or job.status != ImportJobStatus.WRITING:
                return job.status if job else ""
            path = stored_path(job)
            if not path.exists():
                raise FileNotFoundError(path)
            report = import_kind(job.kind).run(
                path=path,
                filename=job.filename,
                actor=job.created_by,
                dry_run=False,
                progress=_reporter(job),
            )
            job.report = _summary(report)
            job.finished_at = timezone.now()
            if report.ok:
                job.status = ImportJobStatus.DONE
                transaction.on_commit(lambda: path.unlink(missing_ok=True))
            else:
                # The ledger or the registry changed since the check: nothing was written.
                job.status = ImportJobStatus.INVALID
                job.problems_name = _write_problems(job, report)
            job.save()
            return job.status
    except FileNotFoundError:
        return _fail(job_id, _("上传的文件已不存在，请重新上传"))
    except Exception:
        logger.exception("import job %s: write failed", job_id)
        return _fail(job_id, _("导入时发生系统错误，未写入任何数据；可以重试导入"))


# --- cleaning up ------------------------------------------------------------------------------


def purge_stale(*, now=None) -> int:
    """Unconfirmed uploads older than ``IMPORT_UPLOAD_TTL_HOURS`` are deleted and their jobs
    marked expired; so are stray files in the upload directory. Returns the files deleted."""
    import datetime as dt

    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=float(getattr(settings, "IMPORT_UPLOAD_TTL_HOURS", 24)))
    deleted = 0
    waiting = (
        ImportJobStatus.UPLOADED,
        ImportJobStatus.READY,
        ImportJobStatus.INVALID,
        ImportJobStatus.FAILED,
    )
    stale = ImportJob.objects.filter(created_at__lt=cutoff, status__in=waiting)
    for job in stale.iterator(chunk_size=500):
        for path in (stored_path(job), problems_path(job)):
            if path is not None and path.exists():
                path.unlink()
                deleted += 1
        ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportJobStatus.EXPIRED, updated_at=now
        )
    finished = ImportJob.objects.filter(
        updated_at__lt=cutoff,
        status__in=(ImportJobStatus.DONE, ImportJobStatus.CANCELLED, ImportJobStatus.EXPIRED),
    ).exclude(problems_name="")
    for job in finished.iterator(chunk_size=500):
        path = problems_path(job)
        if path is not None and path.exists():
            path.unlink()
            deleted += 1
    # Files nobody points at any more (a job row rolled back, a crash between file and row).
    live = set()
    for stored, problems in ImportJob.objects.exclude(
        status__in=(ImportJobStatus.EXPIRED, ImportJobStatus.CANCELLED)
    ).values_list("stored_name", "problems_name"):
        live.update({stored, problems})
    for path in upload_root().iterdir():
        if path.is_file() and path.name not in live:
            if dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC) < cutoff:
                path.unlink()
                deleted += 1
    return deleted


def stuck_jobs(*, now=None):
    """Jobs whose task seems lost (no progress for ``IMPORT_STUCK_SECONDS``): the beat task sends
    them again. A task still running holds the write's lock, so a second one only waits."""
    import datetime as dt

    now = now or timezone.now()
    quiet = float(getattr(settings, "IMPORT_STUCK_SECONDS", 15 * 60))
    cutoff = now - dt.timedelta(seconds=quiet)
    for job in ImportJob.objects.filter(
        status__in=(ImportJobStatus.UPLOADED, ImportJobStatus.CHECKING, ImportJobStatus.WRITING),
        updated_at__lt=cutoff,
    ):
        beat = progress_of(job).get("at")
        if beat is None or beat < now.timestamp() - quiet:
            yield job
