"""Reads for the objection pages: always scoped through ``employers.selectors``."""

from __future__ import annotations

import datetime

from django.db.models import F, QuerySet

from employers.selectors import scope_by_employer

from .calendar import CalendarNotLoaded, add_workdays
from .choices import OPEN_STATUSES, CaseStatus
from .models import Notification, Objection, RepairApplication


def visible_objections(user) -> QuerySet:
    return scope_by_employer(
        Objection.objects.select_related("employer", "record", "employer__jurisdiction"),
        user,
        "employer",
    )


def visible_repairs(user) -> QuerySet:
    return scope_by_employer(
        RepairApplication.objects.select_related("employer", "record", "employer__jurisdiction"),
        user,
        "employer",
    )


def by_due_date(queryset: QuerySet) -> QuerySet:
    """Soonest deadline first; deadlines still waiting for the calendar at the end."""
    return queryset.order_by(F("due_date").asc(nulls_last=True), "received_on", "pk")


def open_queue(queryset: QuerySet) -> QuerySet:
    return by_due_date(queryset.filter(status__in=OPEN_STATUSES))


def soon_limit(today: datetime.date) -> datetime.date:
    """Items due on or before this date are "due within one working day"."""
    try:
        return add_workdays(today, 1)
    except CalendarNotLoaded:
        return today + datetime.timedelta(days=1)


def overdue(queryset: QuerySet, today: datetime.date) -> QuerySet:
    return by_due_date(queryset.filter(status__in=OPEN_STATUSES, due_date__lt=today))


def due_soon(queryset: QuerySet, today: datetime.date) -> QuerySet:
    return by_due_date(
        queryset.filter(
            status__in=OPEN_STATUSES, due_date__gte=today, due_date__lte=soon_limit(today)
        )
    )


def awaiting_approval(queryset: QuerySet) -> QuerySet:
    return by_due_date(queryset.filter(status=CaseStatus.DECIDED))


def unread_notifications(user) -> QuerySet:
    return Notification.objects.filter(recipient=user, read_at__isnull=True)
