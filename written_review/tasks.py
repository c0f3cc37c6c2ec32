"""Background work of the written review (Celery; eager when no broker is configured): the
draw, the notices of a plan, the 处理建议书 PDF, and the nightly deadline recomputation."""

import datetime

from celery import shared_task
from django.conf import settings


def start(task, **kwargs):
    """Queue ``task``; without a broker (eager mode) run it here and now."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return task.apply(kwargs=kwargs)
    return task.apply_async(kwargs=kwargs)


@shared_task(acks_late=True)
def draw_plan(plan_id: int) -> None:
    from . import services

    services.run_draw(plan_id)


@shared_task(acks_late=True)
def send_plan_notices(plan_id: int, actor_id=None, today: str | None = None) -> int:
    from . import services

    day = datetime.date.fromisoformat(today) if today else None
    from django.utils import timezone

    return services.run_notices(plan_id, actor_id=actor_id, today=day or timezone.localdate())


@shared_task(acks_late=True)
def make_suggestion(review_id: int) -> None:
    from . import documents

    documents.store_suggestion(review_id)


@shared_task
def nightly() -> dict:
    """Beat: deadlines flagged "期限待国务院公布节假日安排后复核" that the calendar now covers."""
    from . import services

    return {"resolved": services.recompute_pending_deadlines()}
