import pytest

from employers.choices import Role
from objections import calendar

from ..factories import EmployerFactory, UserFactory, jurisdiction
from .helpers import plan_with


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def jx(db):
    return jurisdiction("jiaxian")


@pytest.fixture
def inspector(jx):
    return UserFactory(role=Role.INSPECTOR, jurisdiction=jx, display_name="监察员甲")


@pytest.fixture
def inspector2(jx):
    return UserFactory(role=Role.INSPECTOR, jurisdiction=jx, display_name="监察员乙")


@pytest.fixture
def supervisor(jx):
    return UserFactory(role=Role.SUPERVISOR, jurisdiction=jx, display_name="负责人")


@pytest.fixture
def employer(jx):
    return EmployerFactory(name="郏县书审测试机械有限公司", jurisdiction=jx)


@pytest.fixture
def owner(employer):
    return UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)


@pytest.fixture
def plan(employer, inspector, jx):
    return plan_with([employer], actor=inspector, jurisdiction=jx)


@pytest.fixture
def review(plan, employer):
    return plan.reviews.get(employer=employer)
