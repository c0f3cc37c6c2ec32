"""Publication's queues on the staff workbench: cycles waiting for their next step, written
notices the employer has not opened yet, and platform pushes that failed."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employers.choices import Role

LIMIT = 20


def _cycles_to_move(user):
    from grading.choices import CycleStatus

    from .selectors import visible_cycles

    return visible_cycles(user).filter(
        status__in=(
            CycleStatus.COMPUTED,
            CycleStatus.UNDER_REVIEW,
            CycleStatus.PUBLIC_NOTICE,
            CycleStatus.FINAL,
        )
    )


def _next_step(cycle):
    """(what to do next, the day it can be done or None)."""
    from grading.choices import CycleStatus

    from .services import earliest_final_date

    if cycle.status == CycleStatus.COMPUTED:
        return _("开始人工复核"), None
    if cycle.status == CycleStatus.UNDER_REVIEW:
        return _("复核完毕后发布公示"), None
    if cycle.status == CycleStatus.PUBLIC_NOTICE:
        try:
            return _("公示期满后确定结果"), earliest_final_date(cycle)
        except Exception:  # the calendar may not cover the notice yet
            return _("公示期满后确定结果"), cycle.notice_end
    return _("公布评价结果"), None


def _cycle_items(user):
    from django.utils import timezone
    from django.utils.formats import date_format

    from employers.workbench import WorkItem

    today = timezone.localdate()
    items = []
    for cycle in _cycles_to_move(user).order_by("year", "pk")[:LIMIT]:
        step, day = _next_step(cycle)
        note = cycle.get_status_display()
        if day is not None:
            # The day finalising becomes possible is not a deadline: say whether it has come.
            when = date_format(day, "DATE_FORMAT")
            note = (
                _("公示期已满，%(day)s起可确定结果") % {"day": when}
                if day <= today
                else _("公示中，%(day)s起可确定结果") % {"day": when}
            )
        items.append(
            WorkItem(
                title=step,
                url=reverse("publication:cycle_detail", args=[cycle.pk]),
                subject=str(cycle),
                note=note,
            )
        )
    return items


def _unread_notices(user):
    from grading.choices import CycleStatus

    from .selectors import visible_written_notices

    return visible_written_notices(user).filter(
        first_opened_at__isnull=True,
        superseded_at__isnull=True,
        cycle__status=CycleStatus.PUBLIC_NOTICE,
    )


def _notice_items(user):
    from employers.workbench import WorkItem

    return [
        WorkItem(
            title=_("%(grade)s级书面告知书尚未查阅") % {"grade": n.grade},
            url=reverse("publication:notice", args=[n.pk]),
            due=n.cycle.notice_end,
            subject=n.employer.name,
            note=n.document_no,
        )
        for n in _unread_notices(user).order_by("issued_on", "pk")[:LIMIT]
    ]


def _failed_pushes(user):
    from .choices import OutboxStatus
    from .selectors import visible_outbox

    return visible_outbox(user).filter(status=OutboxStatus.FAILED)


def _push_items(user):
    from employers.workbench import WorkItem

    return [
        WorkItem(
            title=_("平台推送失败，需重试"),
            url=reverse("publication:outbox") + "?status=failed",
            subject=m.key,
            note=(m.last_error or "")[:60],
        )
        for m in _failed_pushes(user).order_by("created_at", "pk")[:LIMIT]
    ]


def register() -> None:
    from employers.workbench import register_queue

    register_queue(
        key="publication.cycles_to_move",
        label=gettext_lazy("待推进的年度评价周期"),
        roles={Role.PUBLISHER},
        items=_cycle_items,
        count=lambda user: _cycles_to_move(user).count(),
        order=1,
        url=lambda user: reverse("publication:cycles"),
    )
    register_queue(
        key="publication.notices_unread",
        label=gettext_lazy("用人单位尚未查阅的书面告知书"),
        roles={Role.PUBLISHER, Role.INSPECTOR},
        items=_notice_items,
        count=lambda user: _unread_notices(user).count(),
        order=40,
    )
    register_queue(
        key="publication.outbox_failed",
        label=gettext_lazy("推送失败的平台消息"),
        roles={Role.PUBLISHER},
        items=_push_items,
        count=lambda user: _failed_pushes(user).count(),
        order=70,
        url=lambda user: reverse("publication:outbox") + "?status=failed",
    )
