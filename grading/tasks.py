"""Celery tasks: the nightly live regrade in chunks, the safety net, and the live regrade of one
employer.

``nightly_regrade`` plans a live run as of today (incremental when it can be, grading.incremental;
chunks by primary-key range), and ``dispatch`` sends its chunks in a few lanes
(``regrade_lane``, GRADING_CELERY_LANES, each graded in order by one worker process with the
command line's pipeline and the process's cached evaluator) and starts the run's finaliser chain: ``finalise_run``
looks every few seconds, completes the run once every chunk is done (each chunk is an idempotent
upsert, so a chunk done twice grades its employers once) and otherwise sends again the chunks
that were lost (``services.chunks_to_resend``: a chunk whose worker died is found at the next
look through its released row lock; a lost message after GRADING_STALE_CHUNK_SECONDS).

The chain beats on the run (``heartbeat_at``) and carries the run's ``driver_token``. If the
worker holding the chain's next task dies, the chain stops beating and ``watch_runs`` (beat,
every minute) takes the run over (``services.take_over_run``) and starts a new chain with a new
token — a copy of the old chain delivered again later stops at once. The same safety net resumes
a ``manage.py regrade`` killed mid-run (or supersedes it when a newer run covers it).
Without a broker (CELERY_TASK_ALWAYS_EAGER) everything runs in-process, in order.
"""

import logging
import uuid

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .choices import RunStatus
from .models import GradingRun

logger = logging.getLogger(__name__)

FINALISE_EVERY_SECONDS = 5
FINALISE_MAX_CHECKS = 1000


def _eager() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


@shared_task(name="grading.tasks.nightly_regrade")
def nightly_regrade(
    as_of: str | None = None,
    jurisdiction_id: int | None = None,
    actor_id=None,
    incremental: bool | None = None,
):
    """Live grades as of today (the beat entry), or as of ``as_of``. Of every employer, the run
    is incremental when ``grading.incremental.plan`` allows it (the employers whose grade may
    have changed since the last run; a full run weekly); ``incremental=False`` forces a full
    run. A jurisdiction's run is always full."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from employers.models import Jurisdiction

    from . import incremental as incremental_runs

    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    jurisdiction = Jurisdiction.objects.get(pk=jurisdiction_id) if jurisdiction_id else None
    actor = get_user_model().objects.get(pk=actor_id) if actor_id else None
    if jurisdiction is None and incremental is not False:
        run = incremental_runs.start_nightly_run(day, actor=actor)
    else:
        run = services.start_run(as_of=day, jurisdiction=jurisdiction, actor=actor)
    dispatch(run.pk)
    return run.pk


@shared_task(name="grading.tasks.dispatch_run")
def dispatch_run(run_id: int) -> None:
    """Grade a run planned elsewhere (the runs page): send its chunks and the finaliser."""
    dispatch(run_id)


def dispatch(run_id: int) -> None:
    """Become the run's driver (a new token), send every chunk still to do, start the chain."""
    token = uuid.uuid4().hex
    GradingRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        driver_token=token, heartbeat_at=timezone.now()
    )
    run = GradingRun.objects.get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return  # superseded or over before its chunks were sent
    chunk_ids = list(services.chunks_to_redo(run).order_by("number").values_list("pk", flat=True))
    services.mark_sent(chunk_ids)
    lanes = lanes_setting()
    if lanes > 0 and len(chunk_ids) > 1:
        # A few lanes of consecutive chunks, each graded by one worker process through the
        # pipeline the command line uses (GRADING_CELERY_LANES: about the number of processes).
        size = -(-len(chunk_ids) // lanes)
        for start in range(0, len(chunk_ids), size):
            regrade_lane.delay(run_id, chunk_ids[start : start + size])
    else:
        for chunk_id in chunk_ids:
            try:
                regrade_chunk.delay(run_id, chunk_id)
            except Exception:  # eager mode raises here; the chunk is marked failed and redone
                logger.warning(
                    "chunk %s of run %s failed; the finaliser will redo it", chunk_id, run_id
                )
    if _eager():
        finalise_run(run_id, token=token)
    else:
        finalise_run.apply_async((run_id,), {"token": token}, countdown=FINALISE_EVERY_SECONDS)


def lanes_setting() -> int:
    """Lanes per run (0: one task per chunk, as the finaliser sends lost chunks again)."""
    return int(getattr(settings, "GRADING_CELERY_LANES", 2))


@shared_task(name="grading.tasks.regrade_chunk", acks_late=True)
def regrade_chunk(run_id: int, chunk_id: int) -> bool:
    return services.process_chunk(chunk_id)


@shared_task(name="grading.tasks.regrade_lane", acks_late=True)
def regrade_lane(run_id: int, chunk_ids: list[int]) -> int:
    """Grade a lane of chunks in order, overlapping reads, evaluation and writes; the evaluator
    is the worker process's own (``services.evaluator_for``), built once per run."""
    return services.process_lane(run_id, chunk_ids)


@shared_task(name="grading.tasks.finalise_run")
def finalise_run(run_id: int, checks: int = 0, token: str | None = None) -> str:
    """Complete the run when every chunk is done; otherwise send lost or failed chunks again
    and look again later. A chain whose token is no longer the run's stops."""
    run = GradingRun.objects.filter(pk=run_id).first()
    if run is None:
        return "gone"
    if token is not None and run.driver_token and token != run.driver_token:
        return "replaced"  # another chain drives the run since it was taken over
    services.beat(run_id)
    if services.finalise_run(run_id):
        return RunStatus.COMPLETE
    run.refresh_from_db()
    if run.status != RunStatus.RUNNING:
        return run.status
    if _eager():
        # In-process: redo failed chunks right here until done or out of attempts.
        return services.drive_run(run).status
    redo = services.chunks_to_resend(run)
    if redo:
        logger.warning("run %s: sending chunks %s again (failed or lost)", run_id, redo)
        services.mark_sent(redo)
    for chunk_id in redo:
        regrade_chunk.delay(run_id, chunk_id)
    if checks + 1 >= FINALISE_MAX_CHECKS:
        services.fail_run(run, _("运行超时：部分批次长时间未完成"))
        return RunStatus.FAILED
    finalise_run.apply_async(
        (run_id, checks + 1), {"token": token}, countdown=FINALISE_EVERY_SECONDS
    )
    return RunStatus.RUNNING


@shared_task(name="grading.tasks.watch_runs")
def watch_runs() -> dict:
    """Beat safety net: every running run whose driver is gone is superseded (a newer run
    covers it), abandoned (too old) or resumed with a new finaliser chain."""
    outcomes: dict[str, int] = {}
    for run_id in GradingRun.objects.filter(status=RunStatus.RUNNING).values_list("pk", flat=True):
        outcome = services.take_over_run(run_id)
        if outcome == "resumed":
            logger.warning("run %s: its driver was lost; resumed", run_id)
            dispatch(run_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


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
