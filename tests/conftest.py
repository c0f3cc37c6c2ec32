import pytest
from django.db import connection
from django.utils import translation

from employers.choices import Role

from .factories import EmployerFactory, UserFactory, jurisdiction


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language (zh-hans): LocaleMiddleware activates the
    cookie's language for a request and leaves it active in the thread, so a test that requests a
    page in English would otherwise turn the next test's messages English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached counts are keyed by row ids, which SQLite
    gives out again after a test's rollback."""
    from django.core.cache import cache

    cache.clear()


def pytest_collection_modifyitems(config, items):
    # Tests that need PostgreSQL (triggers, raw SQL) are skipped on SQLite.
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL"))


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Reference data (jurisdictions, calendar, rule-set assignments) comes from migrations and is
    restored by post_migrate handlers after each flush. A flush that skips post_migrate (e.g. a
    serialized-rollback test) would leave the next test without it, so check cheaply and restore."""
    db_fixtures = {"db", "transactional_db", "live_server", "django_db_serialized_rollback"}
    if not (
        request.node.get_closest_marker("django_db") or db_fixtures & set(request.fixturenames)
    ):
        yield
        return
    request.getfixturevalue("db")  # the database as the test asked for it (transactional or not)
    from employers.models import Jurisdiction

    if not Jurisdiction.objects.exists():
        from django.core.management.sql import emit_post_migrate_signal

        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    yield


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


@pytest.fixture(autouse=True)
def _own_checkpoint_dir(settings, tmp_path):
    """Signed ledger checkpoints are files (audit.checkpoints): each test writes its own."""
    settings.LEDGER_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
