import pytest

from objections import calendar


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """The calendar is cached per process; a test that edits it must not leak into the next."""
    calendar.invalidate()
    yield
    calendar.invalidate()
