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
    """The thin stand-in for ``manage.py draw_sample patrol …`` until written_review's command is
    merged: the sampler's own arguments on a parser, then its ``run`` (argparse's usage errors
    exit 2, as the command does)."""
    from supervision.sampler import patrol_sampler

    parser = argparse.ArgumentParser(prog="draw_sample patrol")
    patrol_sampler.add_arguments(parser)
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        namespace = parser.parse_args(list(argv))
    except SystemExit as exc:
        return exc.code, "", "usage"
    code = patrol_sampler.run(vars(namespace), stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def jiaxian_inspectors(db):
    return inspectors("jiaxian", 3)
