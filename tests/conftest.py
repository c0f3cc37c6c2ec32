import pytest
from django.db import connection

from employers.choices import Role

from .factories import EmployerFactory, UserFactory, jurisdiction


def pytest_collection_modifyitems(config, items):
    # Tests that need PostgreSQL (triggers, raw SQL) are skipped on SQLite.
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL"))


@pytest.fixture
def jiaxian():
    return jurisdiction("jiaxian")


@pytest.fixture
def xiqing():
    return jurisdiction("xiqing")


@pytest.fixture
def inspector(db):
    return UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))


@pytest.fixture
def supervisor(db):
    return UserFactory(role=Role.SUPERVISOR, jurisdiction=jurisdiction("jiaxian"))


@pytest.fixture
def employer(db):
    return EmployerFactory()


@pytest.fixture
def employer_user(db, employer):
    return UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)


@pytest.fixture
def sysadmin(db):
    return UserFactory(role=Role.SYSADMIN, jurisdiction=None, is_staff=True)
