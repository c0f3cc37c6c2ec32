"""The objection app's queues on the staff workbench (employers.workbench) and the working-day
counter the workbench shows beside each due date (the calendar lives here, so the lower
employers app learns of it through a registered hook)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employers.choices import Role

LIMIT = 20
TO_HANDLE = ("submitted", "accepted", "verifying")


def workdays_left(today, due) -> int | None:
    """Working days from today to ``due`` (0 on the day, negative when overdue); None when the
    calendar does not cover the span."""
    import datetime as dt

    from .calendar import CalendarNotLoaded, is_workday

    if due is None:
        return None
    step = 1 if due >= today else -1
    count, day = 0, today
    try:
        while day != due:
            day += dt.timedelta(days=step)
            if is_workday(day):
                count += step
    except CalendarNotLoaded:
        return None
    return count


def _objections_to_handle(user):
    from .selectors import by_due_date, visible_objections

    return by_due_date(visible_objections(user).filter(status__in=TO_HANDLE))


def _repairs_to_handle(user):
    from .selectors import by_due_date, visible_repairs

    return by_due_date(visible_repairs(user).filter(status__in=TO_HANDLE))


def _awaiting_querysets(user):
    from .selectors import awaiting_approval, visible_objections, visible_repairs

    return awaiting_approval(visible_objections(user)), awaiting_approval(visible_repairs(user))


def _awaiting(user):
    objections, repairs = _awaiting_querysets(user)
    return list(objections[:LIMIT]) + list(repairs[:LIMIT])


def _awaiting_count(user) -> int:
    """Counted by the database (not the rows of the item list, which stops at ``LIMIT``)."""
    return sum(qs.count() for qs in _awaiting_querysets(user))


def _case_items(cases, verb):
    from employers.workbench import WorkItem

    items = []
    for case in cases:
        is_repair = case._meta.model_name == "repairapplication"
        url = reverse(
            "objections:repair_detail" if is_repair else "objections:detail", args=[case.pk]
        )
        items.append(
            WorkItem(
                title=verb % {"what": case._meta.verbose_name},
                url=url,
                due=case.due_date,
                subject=case.employer.name,
                note=case.get_status_display(),
            )
        )
    return items


def register() -> None:
    from employers.workbench import register_queue, register_workdays_counter

    register_workdays_counter(workdays_left)
    register_queue(
        key="objections.to_handle",
        label=gettext_lazy("待处理的异议"),
        roles={Role.INSPECTOR, Role.SUPERVISOR},
        items=lambda user: _case_items(_objections_to_handle(user)[:LIMIT], _("处理%(what)s")),
        count=lambda user: _objections_to_handle(user).count(),
        order=10,
        url=lambda user: reverse("objections:queue"),
    )
    register_queue(
        key="objections.repairs_to_handle",
        label=gettext_lazy("待处理的信用修复申请"),
        roles={Role.INSPECTOR, Role.SUPERVISOR},
        items=lambda user: _case_items(_repairs_to_handle(user)[:LIMIT], _("处理%(what)s")),
        count=lambda user: _repairs_to_handle(user).count(),
        order=12,
        url=lambda user: reverse("objections:repair_queue"),
    )
    register_queue(
        key="objections.to_approve",
        label=gettext_lazy("待审批的异议与修复决定"),
        roles={Role.SUPERVISOR},
        items=lambda user: _case_items(_awaiting(user), _("审批%(what)s的处理决定")),
        count=_awaiting_count,
        order=5,
        url=lambda user: reverse("objections:queue"),
    )
