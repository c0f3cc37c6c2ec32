"""Background work of the exchange app (Celery; eager when no broker is configured)."""

from celery import shared_task


@shared_task(acks_late=True)
def make_distribution(job_id: int) -> None:
    """Make the distribution files of one ``DistributionJob`` (progress on the job row)."""
    from . import distribution

    distribution.run(job_id)
