import datetime

import pytest
from django.core.cache import cache

from employers.choices import Role
from exchange import tokens
from exchange.choices import UnitKind
from exchange.models import SisterUnit, UnitMember
from grading.choices import CycleStatus
from publication import documents
from publication import services as publication
from tests.factories import UserFactory, jurisdiction
from tests.publication.conftest import make_cycle

D = datetime.date


def _fake_pdf(html, path):
    """The publication documents are tested in tests/publication; a stub keeps these fast."""
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return path


@pytest.fixture(autouse=True)
def _fast_documents(monkeypatch):
    monkeypatch.setattr(documents, "_write_pdf", _fake_pdf)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def publisher(db):
    return UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("jiaxian"))


@pytest.fixture
def auditor(db):
    return UserFactory(role=Role.AUDITOR, jurisdiction=jurisdiction("jiaxian"))


def publish(cycle, publisher, capture):
    """A cycle made FINAL by make_cycle, published through the service (documents and the
    distribution files are made on commit)."""
    assert cycle.status == CycleStatus.FINAL
    with capture(execute=True):
        publication.publish(cycle=cycle, actor=publisher)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def published(db, publisher, django_capture_on_commit_callbacks):
    """郏县 2024 published: three employers graded A, B and C."""
    cycle = make_cycle(status=CycleStatus.FINAL)
    return publish(cycle, publisher, django_capture_on_commit_callbacks)


@pytest.fixture
def token(db):
    _row, raw = tokens.create_token(name="郏县市场监管局", jurisdiction=jurisdiction("jiaxian"))
    return raw


def api(client, path, raw=None, **extra):
    if raw is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client.get(path, **extra)


def make_units(code="jiaxian", kinds=(UnitKind.LABOUR_RELATIONS, UnitKind.SOCIAL_INSURANCE)):
    j = jurisdiction(code)
    units = []
    for kind in kinds:
        unit = SisterUnit.objects.create(
            jurisdiction=j, kind=kind, name=f"{j.name}{UnitKind(kind).label}单位"
        )
        user = UserFactory(role=Role.CONSULTEE, jurisdiction=None)
        UnitMember.objects.create(user=user, unit=unit)
        unit.user = user
        units.append(unit)
    return units
