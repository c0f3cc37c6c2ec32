import datetime

import pytest

from employers.choices import EmployerKind, Role
from grading.choices import CycleStatus, RunKind, RunStatus
from grading.models import Cycle, Grade, GradingRun
from tests.factories import EmployerFactory, UserFactory, jurisdiction


@pytest.fixture
def publisher(db):
    return UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("jiaxian"))


@pytest.fixture
def auditor(db):
    return UserFactory(role=Role.AUDITOR, jurisdiction=jurisdiction("jiaxian"))


@pytest.fixture
def platform_in_process(settings):
    """The default: the stub inside the project, no network."""
    settings.CREDIT_PLATFORM_URL = "/platform-stub/api/messages/"
    settings.CREDIT_PLATFORM_TOKEN = ""
    settings.CREDIT_PLATFORM_STUB_FAILURE_RATIO = 0.0
    settings.CREDIT_PLATFORM_STUB_DELAY_MS = 0
    settings.CREDIT_PLATFORM_STUB_SEED = 20240927
    return settings


D = datetime.date


def make_cycle(
    code="jiaxian",
    year=2024,
    grades=(("A", ("jiaxian.A.1",)), ("B", ("jiaxian.B.1",)), ("C", ("jiaxian.C.1",))),
    *,
    status=CycleStatus.COMPUTED,
    ruleset=None,
    kind=EmployerKind.ENTERPRISE,
    names=None,
):
    """A cycle with a complete run and one employer per (grade, rules) entry."""
    j = jurisdiction(code)
    ruleset = ruleset or code
    run = GradingRun.objects.create(
        jurisdiction=j,
        kind=RunKind.CYCLE,
        cycle_year=year,
        as_of=D(year, 12, 31),
        window_start=D(year, 1, 1),
        window_end=D(year, 12, 31),
        ruleset_versions={ruleset: "1"},
        status=RunStatus.COMPLETE,
        is_current=True,
    )
    # Grade.jurisdiction (the grading jurisdiction) where the grading app has it.
    graded_by = (
        {"jurisdiction": j} if any(f.name == "jurisdiction" for f in Grade._meta.fields) else {}
    )
    employers = []
    for i, (grade, rules) in enumerate(grades):
        name = names[i] if names else f"{j.name}测试单位{year}{i:03d}有限公司"
        employer = EmployerFactory(jurisdiction=j, kind=kind, name=name)
        Grade.objects.create(
            run=run,
            employer=employer,
            ruleset_code=ruleset,
            ruleset_version="1",
            as_of=D(year, 12, 31),
            cycle_year=year,
            grade=grade,
            rules=list(rules),
            **graded_by,
        )
        employers.append(employer)
    cycle = Cycle.objects.create(
        jurisdiction=j, ruleset_code=ruleset, year=year, status=status, run=run
    )
    cycle.test_employers = employers
    return cycle


@pytest.fixture
def cycle(db):
    return make_cycle()
