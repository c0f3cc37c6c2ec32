"""Celery tasks: the nightly live regrade in chunks, and the live regrade of one employer.

``nightly_regrade`` plans a live run as of today (chunks by primary-key range), sends one
``regrade_chunk`` task per chunk and schedules ``finalise_run``. ``acks_late`` is set globally, so
a chunk whose worker is killed is delivered again; ``finalise_run`` also looks for chunks that
failed or whose worker vanished and sends them again, then completes the run once every chunk is
done (each chunk is an idempotent upsert, so a chunk done twice grades its employers once).
Without a broker (CELERY_TASK_ALWAYS_EAGER) everything runs in-process, in order.
"""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .choices import RunStatus
from .models import GradingChunk, GradingRun

logger = logging.getLogger(__name__)

# A chunk dispatched longer ago than this without finishing is presumed lost with its worker.
STALE_AFTER = dt.timedelta(seconds=getattr(settings, "GRADING_STALE_CHUNK_SECONDS", 15 * 60))
FINALISE_EVERY_SECONDS = 5
FINALISE_MAX_CHECKS = 1000


def _eager() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


@shared_task(name="grading.tasks.nightly_regrade")
def nightly_regrade(as_of: str | None = None, jurisdiction_id: int | None = None, actor_id=None):
    """Live grades of every employer as of today (the beat entry), or as of ``as_of``."""
    from django.contrib.auth import get_user_model

    from employers.models import Jurisdiction

    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    jurisdiction = Jurisdiction.objects.get(pk=jurisdiction_id) if jurisdiction_id else None
    actor = get_user_model().objects.get(pk=actor_id) if actor_id else None
    run = services.start_run(as_of=day, jurisdiction=jurisdiction, actor=actor)
    dispatch(run.pk)
    return run.pk


@shared_task(name="grading.tasks.dispatch_run")
def dispatch_run(run_id: int) -> None:
    """Grade a run planned elsewhere (the runs page): send its chunks and the finaliser."""
    dispatch(run_id)


def dispatch(run_id: int) -> None:
    """Send every chunk still to do, then schedule the finaliser."""
    run = GradingRun.objects.get(pk=run_id)
    chunk_ids = list(services.chunks_to_redo(run).values_list("pk", flat=True))
    _mark_sent(chunk_ids)
    for chunk_id in chunk_ids:
        try:
            regrade_chunk.delay(run_id, chunk_id)
        except Exception:  # eager mode raises here; the chunk is marked failed and redone
            logger.warning(
                "chunk %s of run %s failed; the finaliser will redo it", chunk_id, run_id
            )
    if _eager():
        finalise_run(run_id)
    else:
        finalise_run.apply_async((run_id,), countdown=FINALISE_EVERY_SECONDS)


def _mark_sent(chunk_ids) -> None:
    GradingChunk.objects.filter(pk__in=chunk_ids).update(dispatched_at=timezone.now())


@shared_task(name="grading.tasks.regrade_chunk", acks_late=True)
def regrade_chunk(run_id: int, chunk_id: int) -> bool:
    return services.process_chunk(chunk_id)


@shared_task(name="grading.tasks.finalise_run")
def finalise_run(run_id: int, checks: int = 0) -> str:
    """Complete the run when every chunk is done; otherwise redo lost or failed chunks and
    look again later."""
    if services.finalise_run(run_id):
        return RunStatus.COMPLETE
    run = GradingRun.objects.get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return run.status
    if _eager():
        # In-process: redo failed chunks right here until done or out of attempts.
        return services.drive_run(run).status
    redo = list(services.chunks_to_redo(run, stale_after=STALE_AFTER).values_list("pk", flat=True))
    if redo:
        logger.warning("run %s: sending chunks %s again (failed or lost)", run_id, redo)
        _mark_sent(redo)
    for chunk_id in redo:
        regrade_chunk.delay(run_id, chunk_id)
    if checks + 1 >= FINALISE_MAX_CHECKS:
        services.fail_run(run, _("运行超时：部分批次长时间未完成"))
        return RunStatus.FAILED
    finalise_run.apply_async((run_id, checks + 1), countdown=FINALISE_EVERY_SECONDS)
    return RunStatus.RUNNING


@shared_task(name="grading.tasks.watch_runs")
def watch_runs() -> int:
    """Beat safety net: a running run whose finaliser chain was lost gets a new one."""
    recent = timezone.now() - dt.timedelta(days=2)
    count = 0
    for run_id in GradingRun.objects.filter(
        status=RunStatus.RUNNING, started_at__gte=recent
    ).values_list("pk", flat=True):
        finalise_run.delay(run_id)
        count += 1
    return count


@shared_task(
    name="grading.tasks.regrade_employer",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def regrade_employer_task(employer_id: int, record_id: int | None = None) -> int:
    from credit_records.models import CreditRecord

    record = CreditRecord.objects.filter(pk=record_id).first() if record_id else None
    return len(services.regrade_employer(employer_id, record=record))


@shared_task(
    name="grading.tasks.regrade_imported",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def regrade_imported_task(first_id: int, last_id: int) -> int:
    """The live regrade of every employer a records import touched, in batches."""
    return services.regrade_imported(first_id, last_id)
