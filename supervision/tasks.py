"""Celery tasks of the supervision app: the patrol draw of a plan made on the page."""

from celery import shared_task


@shared_task(name="supervision.tasks.draw_plan_task")
def draw_plan_task(plan_id: int) -> str:
    from .services import run_pending_draw

    return run_pending_draw(plan_id).status
