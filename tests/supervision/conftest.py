import argparse
import datetime
import io

import pytest

from employers.choices import Role

from ..factories import EmployerFactory, UserFactory, jurisdiction

D = datetime.date


def publish_cycle(code: str, year: int, grades: dict, *, ruleset: str | None = None):
    """A published cycle of ``code`` whose run graded each employer of ``grades`` (employer →
    letter, "" for 未评级). Built directly: publishing through the services is tested in
    tests/publication; here only the result matters."""
    from grading.choices import CycleStatus, RunKind, RunStatus
    from grading.models import Cycle, Grade, GradingRun

    where = jurisdiction(code)
    ruleset = ruleset or code
    as_of = D(year, 12, 31)
    run = GradingRun.objects.create(
        jurisdiction=where,
        kind=RunKind.CYCLE,
        cycle_year=year,
        as_of=as_of,
        window_start=D(year, 1, 1),
        window_end=as_of,
        status=RunStatus.COMPLETE,
        is_current=True,
    )
    Grade.objects.bulk_create(
        Grade(
            run=run,
            employer=employer,
            jurisdiction=where,
            ruleset_code=ruleset,
            ruleset_version="1",
            as_of=as_of,
            cycle_year=year,
            grade=letter,
            rules=[f"{ruleset}.{letter or 'U'}.1"],
        )
        for employer, letter in grades.items()
    )
    return Cycle.objects.create(
        jurisdiction=where, ruleset_code=ruleset, year=year, status=CycleStatus.PUBLISHED, run=run
    )


def employers_graded(code: str, counts: dict, **fields) -> dict:
    """{employer: grade} with ``counts[grade]`` employers of each grade in ``code``."""
    out = {}
    for grade, n in counts.items():
        for _ in range(n):
            out[EmployerFactory(jurisdiction=jurisdiction(code), **fields)] = grade
    return out


def inspectors(code: str, n: int, prefix: str = "insp"):
    return [
        UserFactory(
            username=f"{prefix}_{code}_{k}", role=Role.INSPECTOR, jurisdiction=jurisdiction(code)
        )
        for k in range(n)
    ]


def run_patrol(*argv: str) -> tuple[int, str, str]:
    """``manage.py draw_sample patrol …`` as the command runs it: the registered sampler's
    arguments on a parser (argparse's usage errors exit 2), then its ``handle``; a SamplingError
    is exit 1 and a CommandError its return code, as in employers/management/commands/draw_sample.py."""
    from django.core.management.base import CommandError

    from employers.samplers import SamplingError, sampler

    entry = sampler("patrol")
    parser = argparse.ArgumentParser(prog="draw_sample patrol")
    entry.add_arguments(parser)
    stdout = io.StringIO()
    try:
        namespace = parser.parse_args(list(argv))
    except SystemExit as exc:
        return exc.code, "", "usage"
    try:
        entry.handle(vars(namespace), stdout=stdout)
    except SamplingError as exc:
        return 1, stdout.getvalue(), str(exc)
    except CommandError as exc:
        return exc.returncode, stdout.getvalue(), str(exc)
    return 0, stdout.getvalue(), ""


@pytest.fixture
def jiaxian_inspectors(db):
    return inspectors("jiaxian", 3)
