"""Background work of the employers app (Celery; eager when no broker is configured)."""

from celery import shared_task


@shared_task(name="employers.tasks.run_import_job", acks_late=True)
def run_import_job(job_id: str, phase: str) -> str:
    """Check or write one uploaded file (``employers.import_jobs``)."""
    from . import import_jobs

    return import_jobs.run(job_id, phase)


@shared_task(name="employers.tasks.tidy_imports")
def tidy_imports() -> dict:
    """Beat (hourly): delete unconfirmed uploads past their time, send lost tasks again."""
    from . import import_jobs

    resent = 0
    for job in import_jobs.stuck_jobs():
        phase = "write" if job.status == "writing" else "check"
        run_import_job.delay(str(job.pk), phase)
        resent += 1
    return {"deleted_files": import_jobs.purge_stale(), "resent": resent}


@shared_task(name="employers.tasks.purge_login_throttle")
def purge_login_throttle() -> int:
    """Beat (daily): forget failed sign-in counts of quiet user names."""
    from .login_throttle import purge

    return purge()


@shared_task(name="employers.tasks.run_export_job", acks_late=True)
def run_export_job(job_id: int) -> str:
    """Write one export of the employer registry (``employers.export_jobs``)."""
    from . import export_jobs

    return export_jobs.run(job_id)
