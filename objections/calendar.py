"""Working days (工作日), SPEC §6.

Working days are Monday–Friday, minus the statutory holidays, plus the weekend make-up workdays
(调休上班) of each year's State Council notice. Only years present in ``CalendarYear`` (loaded)
are known; a computation that reaches any other year raises ``CalendarNotLoaded`` instead of
guessing (SPEC §6: "期限待国务院公布节假日安排后复核").

Counting, interpretation of 民法典 第二百零一条 (the start day is not counted, SPEC §6 [decision]):
"within N working days from D" ends on the N-th working day strictly after D —
``add_workdays(date(2024, 9, 27), 3) == date(2024, 10, 8)``. A public notice of "not less than
N working days" starting on D covers ``notice_days(D, N)``: the first N working days from D
inclusive.

The calendar is read once per process and kept in memory; an edit bumps a version token in the
Django cache so every process (web workers, Celery) reloads on its next call. While the cache
(Redis) is unreachable the calendar is read from the database on every call instead: a Redis
restart must not stop deadlines from being computed, nor a Celery worker from starting.
"""

from __future__ import annotations

import datetime
import logging
import threading
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

ONE_DAY = datetime.timedelta(days=1)
VERSION_KEY = "objections:calendar:version"


class CalendarNotLoaded(Exception):  # noqa: N818 — the name is the published contract
    """A date computation reached a year whose holiday notice has not been entered."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(year)

    def __str__(self):
        return _("%(year)s年的节假日安排尚未载入工作日历：期限待国务院公布节假日安排后复核") % {
            "year": self.year
        }


@dataclass(frozen=True)
class _Snapshot:
    version: str
    loaded_years: frozenset[int]
    # only the dates that differ from the Monday–Friday rule
    exceptions: dict[datetime.date, bool] = field(default_factory=dict)

    def is_workday(self, day: datetime.date) -> bool:
        if day.year not in self.loaded_years:
            raise CalendarNotLoaded(day.year)
        override = self.exceptions.get(day)
        if override is not None:
            return override
        return day.weekday() < 5


_snapshot: _Snapshot | None = None
_lock = threading.Lock()


def _load(version: str) -> _Snapshot:
    from .models import CalendarDay, CalendarYear

    years = frozenset(CalendarYear.objects.filter(loaded=True).values_list("year", flat=True))
    exceptions = dict(CalendarDay.objects.values_list("date", "is_workday"))
    return _Snapshot(version=version, loaded_years=years, exceptions=exceptions)


def _cache_unreachable(exc: Exception) -> None:
    logger.warning("calendar: cache unreachable (%s); reading the database", exc)


def _current() -> _Snapshot:
    global _snapshot
    try:
        version = cache.get(VERSION_KEY)
    except Exception as exc:  # noqa: BLE001 - any cache backend's connection error
        _cache_unreachable(exc)
        return _load("")  # no version to trust: nothing kept
    snap = _snapshot
    if snap is not None and version is not None and snap.version == version:
        return snap
    with _lock:
        if version is None:
            try:
                cache.add(VERSION_KEY, uuid.uuid4().hex, None)
                version = cache.get(VERSION_KEY) or uuid.uuid4().hex
            except Exception as exc:  # noqa: BLE001
                _cache_unreachable(exc)
                return _load("")
        _snapshot = _load(version)
        return _snapshot


def invalidate() -> None:
    """Forget the cached calendar here and, through the shared cache, in every process.

    The calendar services call it right after an edit (so the same transaction sees the new
    days) and again after commit (so other processes reload committed data).
    """
    global _snapshot
    with _lock:
        _snapshot = None
        try:
            cache.set(VERSION_KEY, uuid.uuid4().hex, None)
        except Exception as exc:  # noqa: BLE001 - other processes reload once it is back
            _cache_unreachable(exc)


def invalidate_now_and_on_commit() -> None:
    invalidate()
    transaction.on_commit(invalidate)


def is_workday(day: datetime.date) -> bool:
    return _current().is_workday(day)


def add_workdays(start: datetime.date, n: int) -> datetime.date:
    """The N-th working day strictly after ``start`` (the start day is not counted)."""
    if n < 0:
        raise ValueError("n must not be negative")
    snap = _current()
    day = start
    counted = 0
    while counted < n:
        day += ONE_DAY
        if snap.is_workday(day):
            counted += 1
    return day


def next_workday(day: datetime.date) -> datetime.date:
    """The first working day strictly after ``day`` (e.g. the day a notice may be finalised)."""
    return add_workdays(day, 1)


def notice_days(start: datetime.date, n: int) -> list[datetime.date]:
    """The first ``n`` working days from ``start`` inclusive (a public notice of ≥ n days)."""
    if n < 0:
        raise ValueError("n must not be negative")
    snap = _current()
    days: list[datetime.date] = []
    day = start
    while len(days) < n:
        if snap.is_workday(day):
            days.append(day)
        day += ONE_DAY
    return days


def loaded_years() -> frozenset[int]:
    return _current().loaded_years


def is_year_loaded(year: int) -> bool:
    return year in _current().loaded_years
