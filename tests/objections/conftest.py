import pytest

from objections import calendar

from ..factories import jurisdiction
from .helpers import D


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """The calendar is cached per process; a test that edits it must not leak into the next."""
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def cycle_grade(employer):
    """A 2024 jiaxian cycle in public notice whose run graded ``employer`` C."""
    from grading.choices import CycleStatus, RunKind, RunStatus
    from grading.models import Cycle, Grade, GradingRun

    run = GradingRun.objects.create(
        jurisdiction=jurisdiction("jiaxian"),
        kind=RunKind.CYCLE,
        cycle_year=2024,
        as_of=D(2024, 12, 31),
        window_start=D(2024, 1, 1),
        window_end=D(2024, 12, 31),
        status=RunStatus.COMPLETE,
        is_current=True,
    )
    grade = Grade.objects.create(
        run=run,
        employer=employer,
        ruleset_code="jiaxian",
        ruleset_version="1",
        as_of=D(2024, 12, 31),
        cycle_year=2024,
        grade="C",
        rules=["jiaxian.C.1"],
        jurisdiction=jurisdiction("jiaxian"),
    )
    cycle = Cycle.objects.create(
        jurisdiction=jurisdiction("jiaxian"),
        ruleset_code="jiaxian",
        year=2024,
        status=CycleStatus.PUBLIC_NOTICE,
        run=run,
    )
    return cycle, grade
