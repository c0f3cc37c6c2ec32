"""The incremental nightly run (issue 15 item 5) against a full run, on random ledgers (a
differential test): after a full run as of A, random ledger and registry changes, and an
incremental run as of B, the stored live grades are exactly those a full run as of B stores."""

import datetime as dt
import random

import pytest

from credit_records.services import repair_record
from employers.choices import EmployerKind
from grading import incremental, services
from grading.choices import ChunkStatus, RunMode, RunStatus
from grading.models import CurrentGrade, GradingRun, RuleSetAssignment
from tests.factories import EmployerFactory, jurisdiction
from tests.grading.records import add, correct, void
from tests.grading.test_facts_differential import KINDS, LIST_LIKE, random_ledger

pytestmark = pytest.mark.django_db

PLACES = ["jiaxian", "xiqing", "jiangjin", "xuchang"]


@pytest.fixture(autouse=True)
def _no_created_margin(monkeypatch):
    """The whole ledger of a test is written seconds before its first run: without this, the
    margin for late commits would make every employer a candidate and prove nothing."""
    monkeypatch.setattr(incremental, "CREATED_MARGIN", dt.timedelta(0))
    # Small registries: any share of candidates stays incremental unless a test says otherwise.
    monkeypatch.setattr(incremental, "FULL_ABOVE", 1.0)


def registry(rng, n=28):
    return [
        EmployerFactory(
            jurisdiction=jurisdiction(rng.choice(PLACES)),
            kind=rng.choice([EmployerKind.ENTERPRISE, "hr_agency"]),
        )
        for _ in range(n)
    ]


def live_grades() -> dict:
    """The live grades as a full run leaves them (not the day each was computed)."""
    return {
        (g.employer_id, g.ruleset_code): (g.ruleset_version, g.grade, list(g.rules), g.facts)
        for g in CurrentGrade.objects.all()
    }


def random_changes(rng, employers, a: dt.date, b: dt.date):
    """What happens between two nightly runs: records of any date up to B (some in (A, B]),
    corrections, voids, repairs, an employer changing kind, a new employer."""
    touched = rng.sample(employers, k=max(1, len(employers) // 6))
    for employer in touched:
        kind = rng.choice(list(KINDS))
        date = a - dt.timedelta(days=rng.randint(-(b - a).days, 800))
        fields = KINDS[kind](rng)
        if kind in LIST_LIKE and rng.random() < 0.5:
            fields["end_date"] = date + dt.timedelta(days=rng.randint(0, 500))
        if kind == "annual_report_missing":
            fields["value"] = str(rng.randint(2017, date.year))
        record = add(employer, kind, date, **fields)
        roll = rng.random()
        if roll < 0.2:
            void(record)
        elif roll < 0.4:
            correct(record, date=record.date - dt.timedelta(days=rng.randint(1, 300)))
        elif roll < 0.6:
            repair_record(
                actor=None,
                record=record,
                repaired_on=min(record.date + dt.timedelta(days=rng.randint(0, 300)), b),
                reason="修复",
            )
    changed = rng.choice(employers)
    changed.kind = "hr_agency" if changed.kind == EmployerKind.ENTERPRISE else "enterprise"
    changed.save()
    newcomer = EmployerFactory(jurisdiction=jurisdiction(rng.choice(PLACES)))
    add(newcomer, "violation", b - dt.timedelta(days=3))


def full_then_incremental(rng, a: dt.date, b: dt.date):
    employers = registry(rng)
    random_ledger(rng, employers)
    full = services.regrade(as_of=a, chunk_size=7)
    assert full.status == RunStatus.COMPLETE and full.mode == RunMode.FULL
    assert full.ledger_watermark and full.fingerprint
    random_changes(rng, employers, a, b)
    run = incremental.start_nightly_run(b, weekly=False)
    assert run.mode == RunMode.INCREMENTAL, run.counts
    run = services.drive_run(run)
    assert run.status == RunStatus.COMPLETE and run.is_current
    return employers, run


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_incremental_run_equals_a_full_run_on_random_ledgers(seed):
    rng = random.Random(seed)
    a = dt.date(2024, 1, 15) + dt.timedelta(days=rng.randint(0, 150))
    b = a + dt.timedelta(days=rng.choice([0, 1, 2, 31, 45, 100, 170]))
    employers, run = full_then_incremental(rng, a, b)
    assert incremental.compare_with_full(b) == []
    assert run.counts["candidates"] < len(employers) or (b - a).days > 40
    after_incremental = live_grades()
    full = services.regrade(as_of=b, chunk_size=9)
    assert full.status == RunStatus.COMPLETE
    assert live_grades() == after_incremental
    assert len(after_incremental) >= len(employers)


def test_the_differential_test_catches_a_missed_edge(monkeypatch):
    """Without the window edges (only new entries and changed employers), stale grades remain:
    the check and the comparison above would fail."""
    rng = random.Random(7)
    employers = registry(rng)
    random_ledger(rng, employers)
    a, b = dt.date(2024, 2, 1), dt.date(2024, 9, 1)
    services.regrade(as_of=a, chunk_size=7)
    monkeypatch.setattr(
        incremental, "CHANGED_SQL", incremental.CHANGED_SQL.split("OR (r.date >")[0]
    )
    services.drive_run(incremental.start_nightly_run(b, weekly=False))
    assert incremental.compare_with_full(b) != []


def test_one_day_later_regrades_only_what_changed():
    rng = random.Random(5)
    employers = registry(rng, n=20)
    a = dt.date(2024, 6, 30)
    services.regrade(as_of=a)
    add(employers[3], "violation", "2024-06-01", severity="serious")
    run = services.drive_run(incremental.start_nightly_run(a, weekly=False))
    assert run.mode == RunMode.INCREMENTAL
    assert run.counts["candidates"] == 1 and run.counts["employers"] == 1
    assert list(run.chunks.values_list("employer_ids", flat=True)) == [[employers[3].pk]]
    assert run.chunks.get().status == ChunkStatus.DONE
    assert incremental.compare_with_full(a) == []
    # A blacklisting that expires between the two windows' starts (SPEC §4 [r2]: it counts
    # through 2023-07-02; W(2024-06-30) starts 2023-07-01, W(2024-07-02) 2023-07-03).
    add(employers[5], "wage_arrears_blacklist", "2020-07-02")
    services.regrade(as_of=a)
    plan = incremental.plan(dt.date(2024, 7, 2), weekly=False)
    assert not plan.full and employers[5].pk in plan.employer_ids


def test_when_the_run_is_full():
    employers = registry(random.Random(3), n=4)
    sunday = dt.date(2024, 6, 30)
    assert sunday.weekday() == 6
    assert incremental.plan(dt.date(2024, 6, 29)).full_reason == "no basis"
    services.regrade(as_of=dt.date(2024, 6, 28))
    assert incremental.plan(sunday).full_reason == "weekly"
    assert not incremental.plan(sunday, weekly=False).full
    assert incremental.plan(dt.date(2024, 6, 27)).full_reason == "as_of before basis"
    assert incremental.plan(dt.date(2025, 1, 2)).full_reason == "new year"
    run = incremental.start_nightly_run(dt.date(2025, 1, 2))
    assert run.mode == RunMode.FULL and run.counts["full_reason"] == "new year"
    services.drive_run(run)
    # An assignment changed: every grade may change.
    RuleSetAssignment.objects.filter(jurisdiction=jurisdiction("xiqing")).update(employer_kind="x")
    assert incremental.plan(dt.date(2025, 1, 3)).full_reason == "rule sets or jurisdictions changed"
    # A live run of an earlier day since the basis (its grades are older): full.
    RuleSetAssignment.objects.filter(jurisdiction=jurisdiction("xiqing")).update(employer_kind="")
    services.regrade(as_of=dt.date(2025, 1, 3))
    services.regrade(as_of=dt.date(2025, 1, 1), jurisdiction=employers[0].jurisdiction)
    reason = incremental.plan(dt.date(2025, 1, 4)).full_reason
    assert reason == "older live grades since the basis"


def test_many_candidates_make_the_run_full(monkeypatch):
    employers = registry(random.Random(4), n=10)
    services.regrade(as_of=dt.date(2024, 6, 27))
    for employer in employers[:4]:
        add(employer, "violation", "2024-06-01")
    monkeypatch.setattr(incremental, "FULL_ABOVE", 0.3)
    plan = incremental.plan(dt.date(2024, 6, 28), weekly=False)
    assert plan.full_reason == "many changed" and len(plan.employer_ids) == 4
    monkeypatch.setattr(incremental, "FULL_ABOVE", 0.5)
    assert not incremental.plan(dt.date(2024, 6, 28), weekly=False).full


def test_nightly_task_runs_incrementally_and_check_command(capsys, client, inspector):
    from django.core.management import call_command
    from django.urls import reverse

    from grading import tasks

    employers = registry(random.Random(9), n=6)
    first = GradingRun.objects.get(pk=tasks.nightly_regrade.delay(as_of="2024-06-27").get())
    assert first.mode == RunMode.FULL
    add(employers[0], "violation", "2024-06-20")
    second = GradingRun.objects.get(pk=tasks.nightly_regrade.delay(as_of="2024-06-28").get())
    assert second.mode == RunMode.INCREMENTAL and second.status == RunStatus.COMPLETE
    assert second.basis_run_id == first.pk and second.counts["candidates"] >= 1
    client.force_login(inspector)
    page = client.get(reverse("grading:run_detail", args=[second.pk])).content.decode()
    assert "增量" in page and f"（候选单位 {second.counts['candidates']} 家）" in page
    forced = tasks.nightly_regrade.delay(as_of="2024-06-28", incremental=False).get()
    assert GradingRun.objects.get(pk=forced).mode == RunMode.FULL
    call_command("check_live_grades", "--as-of", "2024-06-28")
    assert "一致" in capsys.readouterr().out
    CurrentGrade.objects.filter(employer=employers[0]).update(grade="A", rules=[])
    with pytest.raises(SystemExit) as exit_:
        call_command("check_live_grades", "--as-of", "2024-06-28")
    assert exit_.value.code == 1
    assert f"#{employers[0].pk}" in capsys.readouterr().err


def test_regrade_command_incremental():
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    employers = registry(random.Random(2), n=5)
    call_command("regrade", "--as-of", "2024-06-27", stdout=io.StringIO())
    add(employers[1], "violation", "2024-06-20", severity="serious")
    out = io.StringIO()
    call_command("regrade", "--as-of", "2024-06-28", "--incremental", stdout=out)
    assert "（增量）" in out.getvalue() and "增量评价候选单位 1 家" in out.getvalue()
    run = GradingRun.objects.latest("id")
    assert run.mode == RunMode.INCREMENTAL and run.counts["employers"] == 1
    assert incremental.compare_with_full(dt.date(2024, 6, 28)) == []
    for args in (["--cycle", "2024", "--incremental"],
                 ["--as-of", "2024-06-28", "--jurisdiction", "jiaxian", "--incremental"]):  # fmt: skip
        with pytest.raises(CommandError) as error:
            call_command("regrade", *args, stdout=io.StringIO())
        assert error.value.returncode == 2
