"""No stale grades after a crash (issue 14 item 2) and lost work found fast (item 6).

A run killed mid-way (``manage.py regrade`` killed, or the worker holding the finaliser chain
lost) is left with chunks done and chunks to do, and no driver. The safety net (``watch_runs``)
then supersedes it when a newer run covers it, or resumes it — grading again whatever the
ledger has moved past. Superseded runs are never made current, and the run that completes last
never replaces a newer one.
"""

import datetime as dt

import pytest
from django.db import connection, connections
from django.utils import timezone

from credit_records.models import AuditEntry
from grading import services, tasks
from grading.choices import ChunkStatus, RunStatus
from grading.models import Cycle, Grade, GradingChunk, GradingRun
from tests.factories import EmployerFactory, jurisdiction
from tests.grading.records import add

pytestmark = pytest.mark.django_db

LONG_AGO = dt.timedelta(hours=1)


@pytest.fixture
def employers():
    """Six jiaxian employers in three chunks of two; the first has a violation (C)."""
    people = [EmployerFactory(jurisdiction=jurisdiction("jiaxian")) for _ in range(6)]
    add(people[0], "violation", "2024-03-01")
    return people


def kill_after_first_chunk(**plan) -> GradingRun:
    """A run whose driver graded the first chunk and died (no lock, no recent heartbeat)."""
    run = services.start_run(chunk_size=2, **plan)
    first = run.chunks.get(number=0)
    assert services.process_chunk(first.pk)
    GradingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - LONG_AGO)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.chunks_done == 1
    return run


def cycle_grade(employer, year=2024) -> str:
    cycle = Cycle.objects.get(jurisdiction=jurisdiction("jiaxian"), year=year)
    return Grade.objects.get(run=cycle.run, employer=employer).grade


def new_penalty(employer):
    """A penalty not yet performed: D under jiaxian."""
    add(employer, "administrative_penalty", "2024-06-01", performance="pending")


# --- the drill of the issue -----------------------------------------------------------------


def test_a_killed_regrade_resumed_after_a_newer_run_leaves_the_newer_grades(employers):
    victim = employers[0]
    killed = kill_after_first_chunk(cycle=2024)
    assert Grade.objects.get(run=killed, employer=victim).grade == "C"
    new_penalty(victim)
    newer = services.regrade(cycle=2024, chunk_size=2)
    assert newer.status == RunStatus.COMPLETE and newer.is_current
    assert cycle_grade(victim) == "D"

    tasks.watch_runs()  # the safety net, minutes later

    killed.refresh_from_db()
    assert killed.status == RunStatus.SUPERSEDED and killed.superseded_by_id == newer.pk
    assert not killed.is_current
    assert "取代" in killed.error
    newer.refresh_from_db()
    assert newer.is_current
    assert Cycle.objects.get(jurisdiction=jurisdiction("jiaxian"), year=2024).run_id == newer.pk
    assert cycle_grade(victim) == "D"  # not back to C


def test_a_superseded_run_is_never_made_current_even_if_it_slipped_through(employers):
    """Had the newer run's start not stopped it (a race), the safety net and the finaliser
    still refuse to make the older run current."""
    victim = employers[0]
    killed = kill_after_first_chunk(cycle=2024)
    new_penalty(victim)
    newer = services.regrade(cycle=2024, chunk_size=2)
    GradingRun.objects.filter(pk=killed.pk).update(status=RunStatus.RUNNING, superseded_by=None)

    assert services.take_over_run(killed.pk) == "superseded"

    # And a finaliser reaching an older run with every chunk done refuses too.
    GradingRun.objects.filter(pk=killed.pk).update(status=RunStatus.RUNNING)
    GradingChunk.objects.filter(run=killed).update(status=ChunkStatus.DONE)
    assert services.finalise_run(killed.pk) is False
    killed.refresh_from_db()
    assert killed.status == RunStatus.SUPERSEDED and not killed.is_current
    assert Cycle.objects.get(jurisdiction=jurisdiction("jiaxian"), year=2024).run_id == newer.pk
    assert cycle_grade(victim) == "D"


def test_a_narrower_new_run_does_not_stop_a_wider_older_one(employers):
    older_all = services.start_run(cycle=2024, chunk_size=2)
    jiaxian_only = services.start_run(
        cycle=2024, jurisdiction=jurisdiction("jiaxian"), chunk_size=2
    )
    older_all.refresh_from_db()
    assert older_all.status == RunStatus.RUNNING  # it grades xiqing too: nothing replaces it
    assert jiaxian_only.status == RunStatus.RUNNING


def test_the_run_that_completes_last_never_replaces_a_newer_one(employers):
    """An older run over every jurisdiction completes after a newer jiaxian run: jiaxian keeps
    the newer grades, xiqing gets the older run's (nothing newer there)."""
    xiqing_employer = EmployerFactory(jurisdiction=jurisdiction("xiqing"))
    victim = employers[0]
    older = services.start_run(cycle=2024, chunk_size=2)
    new_penalty(victim)
    newer = services.regrade(cycle=2024, jurisdiction=jurisdiction("jiaxian"), chunk_size=2)
    older.refresh_from_db()
    assert older.status == RunStatus.RUNNING  # jiaxian alone does not cover it

    older = services.drive_run(older)  # with the ledger as it was when its chunks ran

    assert older.status == RunStatus.COMPLETE
    jiaxian = Cycle.objects.get(jurisdiction=jurisdiction("jiaxian"), year=2024)
    xiqing = Cycle.objects.get(jurisdiction=jurisdiction("xiqing"), year=2024)
    assert jiaxian.run_id == newer.pk and xiqing.run_id == older.pk
    assert cycle_grade(victim) == "D"
    assert Grade.objects.filter(run=older, employer=xiqing_employer).exists()


def test_a_newer_run_over_everything_stops_an_older_narrower_one(employers):
    older = services.start_run(cycle=2024, jurisdiction=jurisdiction("jiaxian"), chunk_size=2)
    newer = services.start_run(cycle=2024, chunk_size=2)
    older.refresh_from_db()
    assert older.status == RunStatus.SUPERSEDED and older.superseded_by_id == newer.pk
    assert services.process_chunk(older.chunks.first().pk) is False  # its chunks stop
    assert AuditEntry.objects.filter(action="grading.run_superseded", object_id=str(older.pk))
    other_year = services.start_run(cycle=2023, chunk_size=2)
    newer.refresh_from_db()
    assert newer.status == RunStatus.RUNNING and other_year.status == RunStatus.RUNNING


# --- resuming from the ledger as it stands ---------------------------------------------------


def test_a_resumed_run_regrades_from_the_ledger_as_it_stands(employers):
    victim = employers[0]
    killed = kill_after_first_chunk(cycle=2024)
    new_penalty(victim)  # after its first chunk (the victim's) was graded C

    outcome = tasks.watch_runs()

    assert outcome == {"resumed": 1}
    killed.refresh_from_db()
    assert killed.status == RunStatus.COMPLETE and killed.is_current
    assert killed.resumed_at is not None
    assert Grade.objects.get(run=killed, employer=victim).grade == "D"
    assert Grade.objects.filter(run=killed).count() == len(employers)
    assert cycle_grade(victim) == "D"
    assert AuditEntry.objects.filter(action="grading.run_resumed", object_id=str(killed.pk))


def test_a_resumed_run_keeps_chunks_graded_after_the_last_ledger_change(employers):
    """The finaliser chain was lost a minute ago; nothing changed since: the done chunks stay."""
    killed = kill_after_first_chunk(cycle=2024)
    first = killed.chunks.get(number=0)
    assert services.take_over_run(killed.pk) == "resumed"
    first.refresh_from_db()
    assert (first.status, first.attempts) == (ChunkStatus.DONE, 1)


def test_a_resumed_run_regrades_chunks_older_than_the_keep_window(employers):
    killed = kill_after_first_chunk(cycle=2024)
    GradingChunk.objects.filter(run=killed, number=0).update(
        finished_at=timezone.now() - dt.timedelta(minutes=20)
    )
    assert services.take_over_run(killed.pk) == "resumed"
    assert killed.chunks.get(number=0).status == ChunkStatus.PENDING


def test_a_run_with_a_live_driver_is_left_alone(employers):
    run = services.start_run(cycle=2024, chunk_size=2)  # just started: its heartbeat is fresh
    assert services.take_over_run(run.pk) == "alive"
    assert run.chunks.filter(status=ChunkStatus.DONE).count() == 0


@pytest.mark.postgres
def test_the_command_line_driver_holds_the_run_while_it_lives(employers):
    """A chunk can take longer than the heartbeat interval: the advisory lock says alive."""
    run = kill_after_first_chunk(cycle=2024)
    with services.driving(run):
        GradingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - LONG_AGO)
        run.refresh_from_db()
        assert services.take_over_run(run.pk) == "alive"
    assert services.take_over_run(run.pk) == "resumed"


def test_old_runs_are_failed_not_resumed(employers):
    run = kill_after_first_chunk(cycle=2024)
    GradingRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(days=3))
    assert services.take_over_run(run.pk) == "abandoned"
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "两天" in run.error


def test_live_grades_of_a_past_day_are_not_resumed(employers):
    """Resuming yesterday's live run would write yesterday's grades over today's."""
    run = kill_after_first_chunk(as_of=timezone.localdate() - dt.timedelta(days=1))
    GradingRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(days=1))
    assert services.take_over_run(run.pk) == "abandoned"
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "不是当天" in run.error


def test_todays_live_run_is_resumed(employers):
    run = kill_after_first_chunk(as_of=timezone.localdate())
    assert tasks.watch_runs() == {"resumed": 1}
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETE and run.is_current


def test_an_older_live_run_completing_late_does_not_replace_a_newer_current_one(employers):
    today = timezone.localdate()
    older = services.start_run(as_of=today, chunk_size=2)
    newer = services.regrade(as_of=today, jurisdiction=jurisdiction("jiaxian"), chunk_size=2)
    assert newer.is_current
    older = services.drive_run(older)
    assert older.status == RunStatus.COMPLETE and not older.is_current
    newer.refresh_from_db()
    assert newer.is_current


# --- the Celery path: a lost finaliser, lost chunks ----------------------------------------


@pytest.fixture
def broker(monkeypatch):
    """A broker that records what is sent and delivers nothing by itself."""
    sent = {"chunks": [], "finalisers": []}
    monkeypatch.setattr(tasks, "_eager", lambda: False)
    monkeypatch.setattr(tasks, "lanes_setting", lambda: 0)  # one task per chunk (lanes: elsewhere)
    monkeypatch.setattr(tasks.regrade_chunk, "delay", lambda *a: sent["chunks"].append(a))
    monkeypatch.setattr(
        tasks.finalise_run, "apply_async", lambda *a, **k: sent["finalisers"].append((a, k))
    )
    return sent


def test_a_run_never_hangs_when_the_worker_holding_its_finaliser_dies(employers, broker):
    run = services.start_run(as_of=timezone.localdate(), chunk_size=2)
    tasks.dispatch(run.pk)
    run.refresh_from_db()
    lost_token = run.driver_token
    assert len(broker["chunks"]) == 3 and len(broker["finalisers"]) == 1
    for _run_id, chunk_id in broker["chunks"]:  # the workers grade every chunk …
        services.process_chunk(chunk_id)
    # … but the worker holding the finaliser dies: the chain stops beating.
    GradingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - LONG_AGO)

    assert tasks.watch_runs() == {"resumed": 1}
    run.refresh_from_db()
    assert run.driver_token != lost_token
    (args, kwargs) = broker["finalisers"][-1]
    assert tasks.finalise_run(*args[0], **args[1]) == RunStatus.COMPLETE
    # The lost chain's message, delivered again much later, stops at once.
    assert tasks.finalise_run(run.pk, 7, token=lost_token) == "replaced"
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETE and run.is_current
    assert all(c.attempts == 1 for c in run.chunks.all())  # nothing graded twice


def test_the_safety_net_does_not_start_a_second_chain(employers, broker):
    run = services.start_run(as_of=timezone.localdate(), chunk_size=2)
    tasks.dispatch(run.pk)
    assert tasks.watch_runs() == {"alive": 1}
    assert len(broker["finalisers"]) == 1


def _chunks(run):
    return list(run.chunks.order_by("number"))


def test_a_chunk_whose_worker_died_is_sent_again_at_the_next_look(employers, broker):
    """Its worker took it 30 seconds ago and is gone (no row lock): sent again now, not after
    15 minutes."""
    run = services.start_run(as_of=timezone.localdate(), chunk_size=2)
    tasks.dispatch(run.pk)
    now = timezone.now()
    a, b, c = _chunks(run)
    GradingChunk.objects.filter(pk=a.pk).update(
        dispatched_at=now - dt.timedelta(seconds=40), taken_at=now - dt.timedelta(seconds=30)
    )
    GradingChunk.objects.filter(pk=b.pk).update(  # just taken: its worker is starting
        dispatched_at=now - dt.timedelta(seconds=40), taken_at=now - dt.timedelta(seconds=2)
    )
    GradingChunk.objects.filter(pk=c.pk).update(  # queued behind other tasks
        dispatched_at=now - dt.timedelta(seconds=30), taken_at=None
    )
    if connection.features.has_select_for_update_skip_locked:
        assert services.chunks_to_resend(run) == [a.pk]
    else:  # no row locks (SQLite): a taken chunk counts as lost only after the lease
        assert services.chunks_to_resend(run) == []
        GradingChunk.objects.filter(pk=a.pk).update(
            dispatched_at=now - dt.timedelta(seconds=100), taken_at=now - dt.timedelta(seconds=95)
        )
        assert services.chunks_to_resend(run) == [a.pk]


def test_a_lost_message_is_sent_again_after_the_lease(employers, broker, settings):
    settings.GRADING_STALE_CHUNK_SECONDS = 90
    run = services.start_run(as_of=timezone.localdate(), chunk_size=2)
    tasks.dispatch(run.pk)
    a, b, _c = _chunks(run)
    now = timezone.now()
    GradingChunk.objects.filter(pk=a.pk).update(dispatched_at=now - dt.timedelta(seconds=100))
    GradingChunk.objects.filter(pk=b.pk).update(dispatched_at=now - dt.timedelta(seconds=60))
    assert services.chunks_to_resend(run) == [a.pk]
    services.mark_sent([a.pk])
    assert services.chunks_to_resend(run) == []  # sent once, not at every look


def test_a_failed_chunk_is_sent_once_then_waits(employers, broker):
    run = services.start_run(as_of=timezone.localdate(), chunk_size=2)
    tasks.dispatch(run.pk)
    a = _chunks(run)[0]
    GradingChunk.objects.filter(pk=a.pk).update(status=ChunkStatus.FAILED, attempts=1)
    assert tasks.finalise_run(run.pk) == RunStatus.RUNNING
    assert broker["chunks"][-1] == (run.pk, a.pk)
    sent = len(broker["chunks"])
    assert tasks.finalise_run(run.pk) == RunStatus.RUNNING
    assert len(broker["chunks"]) == sent


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_chunk_being_graded_is_never_sent_again(broker):
    """However long ago its worker took it: the worker's transaction holds the row lock."""
    for _ in range(4):
        EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    run = services.start_run(as_of=timezone.localdate(), chunk_size=2)
    tasks.dispatch(run.pk)
    a, b = _chunks(run)
    long_ago = timezone.now() - dt.timedelta(minutes=30)
    GradingChunk.objects.filter(run=run).update(dispatched_at=long_ago, taken_at=long_ago)
    worker = connections.create_connection("default")
    try:
        worker.set_autocommit(False)
        with worker.cursor() as cursor:
            cursor.execute("SELECT id FROM grading_gradingchunk WHERE id = %s FOR UPDATE", [a.pk])
        assert services.chunks_to_resend(run) == [b.pk]
    finally:
        worker.rollback()
        worker.close()
    assert services.chunks_to_resend(run) == [a.pk, b.pk]


# --- the drill for real: `manage.py regrade` killed with SIGKILL ------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_drill_a_regrade_killed_mid_run():
    """`manage.py regrade --cycle 2024` in its own process, killed -9 after a few chunks; a new
    penalty; a newer regrade; then the safety net: the newer grades stay current."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from employers.models import Employer

    root = Path(__file__).resolve().parents[2]
    victim = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    add(victim, "violation", "2024-03-01")
    Employer.objects.bulk_create(
        EmployerFactory.build_batch(1500, jurisdiction=jurisdiction("jiaxian"))
    )
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    command = subprocess.Popen(
        [sys.executable, "manage.py", "regrade", "--cycle", "2024", "--chunk-size", "1"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and command.poll() is None:
            run = GradingRun.objects.filter(kind="cycle").first()
            if run is not None and run.chunks_done >= 3:
                break
            time.sleep(0.02)
        assert command.poll() is None, "the command ended before it could be killed"
        command.send_signal(signal.SIGKILL)
        command.wait(10)
    finally:
        if command.poll() is None:
            command.kill()
    killed = GradingRun.objects.get(kind="cycle")
    assert killed.status == RunStatus.RUNNING and 3 <= killed.chunks_done < killed.chunks_total
    assert Grade.objects.get(run=killed, employer=victim).grade == "C"
    # PostgreSQL drops the dead process's advisory lock with its connection.
    deadline = time.monotonic() + 20
    while services.driver_alive(killed, now=timezone.now() + dt.timedelta(hours=1)):
        assert time.monotonic() < deadline, "the killed driver's lock was not released"
        time.sleep(0.1)

    new_penalty(victim)
    newer = services.regrade(cycle=2024, chunk_size=500)
    assert newer.status == RunStatus.COMPLETE
    GradingRun.objects.filter(pk=killed.pk).update(heartbeat_at=timezone.now() - LONG_AGO)
    tasks.watch_runs()

    killed.refresh_from_db()
    assert killed.status == RunStatus.SUPERSEDED and not killed.is_current
    assert Cycle.objects.get(jurisdiction=jurisdiction("jiaxian"), year=2024).run_id == newer.pk
    assert cycle_grade(victim) == "D"


# --- planner statistics after a bulk write (issue 15) -----------------------------------------


@pytest.mark.parametrize(("threshold", "analyzed"), [(6, True), (7, False)])
def test_a_run_that_wrote_many_grades_refreshes_their_statistics(
    employers, monkeypatch, django_capture_on_commit_callbacks, threshold, analyzed
):
    """A cycle run over a county writes its grades at once; once committed the grade table is
    ANALYZEd (PostgreSQL), so the cycle's pages are planned on the new rows (the unpublished
    cycle page took 5 s at a million employers on stale statistics, 0.1 s after). Small runs
    leave it to autovacuum."""
    from django.test.utils import CaptureQueriesContext

    from employers import dbstats

    monkeypatch.setattr(dbstats, "ANALYZE_AFTER_ROWS", threshold)
    with CaptureQueriesContext(connection) as ctx:
        with django_capture_on_commit_callbacks(execute=True):
            services.regrade(cycle=2024, chunk_size=2)
    sql = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("ANALYZE")]
    expected = ['ANALYZE "grading_grade"'] if analyzed and connection.vendor == "postgresql" else []
    assert sql == expected
    # The cycles the run computed have their counts in the cache (their first view does not
    # count every grade), and the counts are the grades' own.
    from django.core.cache import cache
    from django.db.models import Count

    from grading.models import Cycle
    from grading.selectors import computed_counts, cycle_grades

    for cycle in Cycle.objects.filter(year=2024).exclude(run=None):
        key = f"grading:computed-counts:{cycle.run_id}:{cycle.ruleset_code}:{cycle.jurisdiction_id}"
        assert (cache.get(key) is not None) == analyzed
        real = dict(cycle_grades(cycle).order_by().values_list("grade").annotate(n=Count("pk")))
        assert computed_counts(cycle) == real
