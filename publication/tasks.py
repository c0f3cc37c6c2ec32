"""Background work of the publication app (Celery; eager when no broker is configured)."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from . import outbox


def start(task, **kwargs):
    """Queue ``task``; without a broker (eager mode) run it here and now, without touching
    the broker machinery at all."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return task.apply(kwargs=kwargs)
    return task.apply_async(kwargs=kwargs)


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def drain_outbox(max_seconds: float | None = None) -> dict:
    """Send due outbox messages to the shared credit platform (beat: every minute).

    Per-message retries and back-off live on the rows (``next_attempt_at``); the task itself is
    retried with back-off only when the database is unreachable.
    """
    budget = settings.CREDIT_PLATFORM_DRAIN_SECONDS if max_seconds is None else max_seconds
    return outbox.drain(max_seconds=budget).as_dict()


@shared_task(acks_late=True)
def make_documents(job_id: int) -> None:
    """Make the documents of one ``DocumentJob`` (progress on the job row)."""
    from . import jobs

    jobs.run(job_id)


@shared_task(acks_late=True)
def make_notice_chunk(job_id: int, after: int, upto: int | None) -> int:
    """One chunk of written notices of a ``DocumentJob`` (in parallel with the others)."""
    import tempfile
    from pathlib import Path

    from . import jobs
    from .models import DocumentJob

    job = DocumentJob.objects.select_related("cycle__jurisdiction").get(pk=job_id)
    with tempfile.TemporaryDirectory(prefix="notices-") as tmp:
        jobs.notice_chunk(job, after=after, upto=upto, tmp=Path(tmp))
    return job_id


@shared_task(acks_late=True)
def finish_job(job_id: int) -> None:
    """The chord's end: every chunk of the job is done."""
    from . import jobs

    jobs.finish(job_id)


@shared_task
def notice_chunk_failed(request, exc, traceback, job_id: int) -> None:
    """The chord's error callback: a chunk of written notices failed for good; the job fails
    with the chunk's error (Celery calls it with the failed request, the exception and its
    traceback)."""
    from . import jobs

    jobs.fail(job_id, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))


@shared_task
def make_article21_items() -> int:
    """Nightly (SPEC §5.1 [r2]): jiaxian 第二十一条 adjustment items of the cycles that ended."""
    from . import proposals

    return proposals.make_article21_items()


@shared_task(name="publication.tasks.publish_checkpoint", acks_late=True)
def publish_checkpoint() -> dict:
    """The daily signed checkpoint of the ledger's and the audit log's heads (beat, 03:15)."""
    from .checkpoints import publish_checkpoint as publish

    checkpoint = publish()
    return {name: c["length"] for name, c in checkpoint["chains"].items()}
