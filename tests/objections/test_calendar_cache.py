"""The calendar with its cache (Redis) unreachable: read from the database, never an error — a
Redis restart must not break deadlines, nor keep a Celery worker from starting (issue 14)."""

import datetime

import pytest
from django.core.cache import cache

from objections import calendar
from objections.checks import calendar_check

pytestmark = pytest.mark.django_db


class Unreachable(Exception):
    pass


@pytest.fixture
def cache_down(monkeypatch):
    def fail(*args, **kwargs):
        raise Unreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for name in ("get", "add", "set"):
        monkeypatch.setattr(cache, name, fail)
    calendar.invalidate()  # also while the cache is down


def test_working_days_without_the_cache(cache_down):
    # 2024-09-27 + 3 working days skips the National Day holidays (SPEC §6 example).
    assert calendar.add_workdays(datetime.date(2024, 9, 27), 3) == datetime.date(2024, 10, 8)
    assert 2024 in calendar.loaded_years()


def test_the_system_check_runs_without_the_cache(cache_down):
    assert isinstance(calendar_check(), list)
