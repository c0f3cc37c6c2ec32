"""The nightly Celery path as fast as the command (issue 15 item 6): a run's chunks go out in a
few lanes, each graded in order through the command's pipeline, and a worker process builds its
evaluator once per run, not once per chunk."""

import datetime as dt

import pytest

from grading import engine, services, tasks
from grading.choices import ChunkStatus, RunStatus
from grading.models import CurrentGrade, GradeChange, GradingChunk
from tests.factories import EmployerFactory, jurisdiction
from tests.grading.records import add

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(monkeypatch):
    """Count the evaluators built (each one builds its rules' memo from scratch)."""
    count = {"n": 0}
    real = engine.Evaluator.__init__

    def init(self, *args, **kwargs):
        count["n"] += 1
        real(self, *args, **kwargs)

    monkeypatch.setattr(engine.Evaluator, "__init__", init)
    monkeypatch.setattr(services, "_EVALUATORS", type(services._EVALUATORS)())
    return count


def employers(n=12):
    made = [EmployerFactory() for _ in range(n - 3)]
    made += [EmployerFactory(jurisdiction=jurisdiction("xiqing")) for _ in range(3)]
    add(made[0], "violation", "2024-03-01")
    add(made[1], "wage_arrears_blacklist", "2023-03-01")
    return made


def test_one_evaluator_per_run_in_a_worker_process(built):
    employers()
    run = services.start_run(as_of=dt.date(2024, 6, 30), chunk_size=3)
    for chunk in run.chunks.order_by("number"):
        assert services.process_chunk(chunk.pk)
    assert built["n"] == 1
    other = services.start_run(as_of=dt.date(2024, 6, 29), chunk_size=3)
    for chunk in other.chunks.all():
        services.process_chunk(chunk.pk)
    assert built["n"] == 2  # another run (another day): its own evaluator


def test_dispatch_sends_lanes_of_consecutive_chunks(monkeypatch, settings):
    employers()
    settings.GRADING_CELERY_LANES = 2
    run = services.start_run(as_of=dt.date(2024, 6, 30), chunk_size=2)
    assert run.chunks_total == 6
    sent = []
    monkeypatch.setattr(tasks, "_eager", lambda: False)
    monkeypatch.setattr(tasks.regrade_lane, "delay", lambda *a: sent.append(a))
    monkeypatch.setattr(tasks.regrade_chunk, "delay", lambda *a: pytest.fail("one per chunk"))
    monkeypatch.setattr(tasks.finalise_run, "apply_async", lambda *a, **k: None)
    tasks.dispatch(run.pk)
    ids = list(run.chunks.order_by("number").values_list("pk", flat=True))
    assert sent == [(run.pk, ids[:3]), (run.pk, ids[3:])]
    # the lanes grade them (here one by one: the test runs inside a transaction)
    assert services.process_lane(run.pk, ids[:3]) == 3
    assert services.process_lane(run.pk, ids[3:]) == 3
    assert services.process_lane(run.pk, ids[3:]) == 0  # delivered twice: done once
    assert tasks.finalise_run(run.pk) == RunStatus.COMPLETE


def test_nightly_task_in_lanes_with_a_chunk_failing_once(monkeypatch, settings):
    from tests.grading.test_commands import fail_once

    made = employers()
    settings.GRADING_CELERY_LANES = 2
    monkeypatch.setattr(services, "chunk_size_setting", lambda: 5)
    state = fail_once(monkeypatch, chunk_number=1)
    run_id = tasks.nightly_regrade.delay(as_of="2024-06-30").get()
    assert state["failed"]
    assert CurrentGrade.objects.count() == len(made)
    assert GradeChange.objects.count() == len(made)  # each graded once
    assert GradingChunk.objects.filter(run_id=run_id, status=ChunkStatus.DONE).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lane_overlaps_reads_and_writes_on_postgresql(monkeypatch, built):
    monkeypatch.setattr(engine, "COPY_THRESHOLD", 0)
    made = employers()
    run = services.start_run(as_of=dt.date(2024, 6, 30), chunk_size=4)
    ids = list(run.chunks.order_by("number").values_list("pk", flat=True))
    threads = []
    real = services._pipeline

    def pipeline(*args, **kwargs):
        threads.append(kwargs.get("lane"))
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_pipeline", pipeline)
    built["n"] = 0  # (the records' own live regrades built theirs)
    assert services.process_lane(run.pk, ids) == len(ids)
    assert threads == [True] and built["n"] == 1
    assert services.finalise_run(run.pk)
    grades = dict(CurrentGrade.objects.values_list("employer_id", "grade"))
    assert len(grades) == len(made)
    assert grades[made[0].pk] == "C"
    assert set(run.chunks.values_list("status", flat=True)) == {ChunkStatus.DONE}
