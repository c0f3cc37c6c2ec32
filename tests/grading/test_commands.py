"""The command-line contract (SPEC §9): import → regrade → export, exit codes, and chunked runs
that survive a failing chunk."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from grading import engine, services
from grading.choices import ChunkStatus, CycleStatus, RunKind, RunStatus
from grading.models import (
    CurrentGrade,
    Cycle,
    Grade,
    GradeChange,
    GradingChunk,
    GradingRun,
)
from tests.factories import EmployerFactory, jurisdiction
from tests.grading.records import add

DATA = Path(__file__).resolve().parent.parent / "data"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def import_fixture_files():
    call_command("import_employers", str(DATA / "grading_employers.csv"), stdout=io.StringIO())
    call_command("import_records", str(DATA / "grading_records.csv"), stdout=io.StringIO())


def test_round_trip_import_regrade_export(tmp_path):
    import_fixture_files()
    out = io.StringIO()
    call_command("regrade", "--cycle", "2024", stdout=out)
    assert "评价运行" in out.getvalue() and "用人单位 13 家" in out.getvalue()

    target = tmp_path / "grades.csv"
    call_command(
        "export_grades", "--cycle", "2024", "--format", "csv", "--output", str(target),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    header = target.read_bytes().decode("utf-8-sig").splitlines()[0]
    assert header == "uscc,name,jurisdiction,ruleset,grade,rules"
    exported = read_csv(target)
    expected = read_csv(DATA / "grading_expected_2024.csv")
    assert sorted((r["uscc"], r["ruleset"], r["grade"], r["rules"]) for r in exported) == sorted(
        (r["uscc"], r["ruleset"], r["grade"], r["rules"]) for r in expected
    )
    employers = {r["uscc"]: r for r in read_csv(DATA / "grading_employers.csv")}
    for row in exported:
        assert row["name"] == employers[row["uscc"]]["name"]
        assert row["jurisdiction"] == employers[row["uscc"]]["jurisdiction"]

    # One jurisdiction, as XLSX.
    xlsx = tmp_path / "jiaxian.xlsx"
    call_command(
        "export_grades", "--cycle", "2024", "--jurisdiction", "jiaxian", "--format", "xlsx",
        "--output", str(xlsx), stdout=io.StringIO(),
    )  # fmt: skip
    sheet = load_workbook(xlsx).worksheets[0]
    rows = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["uscc", "name", "jurisdiction", "ruleset", "grade", "rules"]
    assert sorted((r[0], r[4], r[5]) for r in rows[1:]) == sorted(
        (r["uscc"], r["grade"], r["rules"]) for r in expected if r["ruleset"] == "jiaxian"
    )


def test_regrade_records_the_run_and_computes_the_cycles():
    import_fixture_files()
    call_command("regrade", "--cycle", "2024", "--chunk-size", "5", stdout=io.StringIO())
    run = GradingRun.objects.get()
    assert (run.kind, run.status, run.is_current) == (RunKind.CYCLE, RunStatus.COMPLETE, True)
    assert (str(run.as_of), str(run.window_start), str(run.window_end)) == (
        "2024-12-31", "2024-01-01", "2024-12-31",
    )  # fmt: skip
    # SPEC §5.5 [r2]: version 2 carries version 1's dates and grades every run from now on.
    assert run.ruleset_versions == {"jiangjin": "2", "jiaxian": "2", "xiqing": "2", "xuchang": "2"}
    assert run.chunks_total == 3 and run.chunks_done == 3
    assert run.counts["employers"] == 13
    assert run.counts["grades"]["jiaxian"] == {"A": 1, "C": 1, "D": 2}
    assert run.duration is not None and run.finished_at is not None
    cycles = {(c.jurisdiction.code, c.ruleset_code): c for c in Cycle.objects.all()}
    assert set(cycles) == {
        ("jiaxian", "jiaxian"), ("xiqing", "xiqing"), ("jiangjin", "jiangjin"),
        ("xuchang", "xuchang"),
    }  # fmt: skip
    assert all(c.status == CycleStatus.COMPUTED and c.run == run for c in cycles.values())
    grade = Grade.objects.get(employer__uscc="91410425MG00000024")
    assert grade.ruleset_version == "2"  # SPEC §5.5 [r2]
    assert grade.facts["cases_in_window"] == 1  # the violation and the penalty are one case
    assert "administrative_penalty" in grade.facts["kinds_in_window"]

    # A second run replaces the first as the cycle's current one.
    call_command("regrade", "--cycle", "2024", stdout=io.StringIO())
    second = GradingRun.objects.order_by("-id").first()
    run.refresh_from_db()
    assert second.is_current and not run.is_current
    assert Cycle.objects.filter(run=second).count() == 4


def test_regrade_one_jurisdiction_and_a_locked_cycle():
    import_fixture_files()
    call_command("regrade", "--cycle", "2024", "--jurisdiction", "xiqing", stdout=io.StringIO())
    run = GradingRun.objects.get()
    assert run.counts["employers"] == 3
    assert set(Grade.objects.values_list("ruleset_code", flat=True)) == {"xiqing"}
    Cycle.objects.filter(jurisdiction__code="xiqing").update(status=CycleStatus.PUBLIC_NOTICE)
    with pytest.raises(SystemExit) as exit_:
        call_command("regrade", "--cycle", "2024", "--jurisdiction", "xiqing", stderr=io.StringIO())
    assert exit_.value.code == 1
    # Without a jurisdiction, the locked cycle is skipped and the others computed.
    out = io.StringIO()
    call_command("regrade", "--cycle", "2024", stdout=out)
    assert "已跳过" in out.getvalue()
    latest = GradingRun.objects.order_by("-id").first()
    assert latest.counts["employers"] == 10
    xiqing = Cycle.objects.get(jurisdiction__code="xiqing")
    assert xiqing.run == run and xiqing.status == CycleStatus.PUBLIC_NOTICE


@pytest.mark.parametrize(
    "args",
    [
        ["--cycle", "2024", "--jurisdiction", "nowhere"],
        ["--cycle", "2999"],
        ["--as-of", "2999-01-01"],
        ["--cycle", "2024", "--jurisdiction", "jiaxian-longshan"],  # a street does not grade
    ],
)
def test_regrade_data_errors_exit_1(args):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("regrade", *args, stderr=err)
    assert exit_.value.code == 1
    assert err.getvalue().strip()


def test_export_without_results_exits_1(tmp_path):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "export_grades", "--cycle", "2023", "--format", "csv",
            "--output", str(tmp_path / "x.csv"), stderr=err,
        )  # fmt: skip
    assert exit_.value.code == 1
    assert "2023" in err.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["regrade"],
        ["regrade", "--cycle", "2024", "--as-of", "2024-06-30"],
        ["regrade", "--as-of", "30/06/2024"],
        ["export_grades", "--cycle", "2024", "--format", "doc", "--output", "x.doc"],
        ["export_grades", "--format", "csv", "--output", "x.csv"],
    ],
)
def test_usage_errors_exit_2(argv):
    result = subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip()


def test_live_regrade_as_of_a_date():
    import_fixture_files()
    call_command("regrade", "--as-of", "2024-06-30", stdout=io.StringIO())
    run = GradingRun.objects.get()
    assert run.kind == RunKind.LIVE and str(run.window_start) == "2023-07-01"
    current = CurrentGrade.objects.get(employer__uscc="91410425MG00000037")
    # The violation of 2024-12-31 is after as_of: B, not C.
    assert (current.grade, current.rules) == ("B", ["jiaxian.B.1"])
    assert GradeChange.objects.filter(run=run).count() == 13
    # Regrading the same day again changes nothing and records no change.
    call_command("regrade", "--as-of", "2024-06-30", stdout=io.StringIO())
    assert GradeChange.objects.count() == 13
    assert CurrentGrade.objects.count() == 13


@pytest.fixture
def many_employers():
    employers = [EmployerFactory() for _ in range(9)]
    employers += [EmployerFactory(jurisdiction=jurisdiction("xiqing")) for _ in range(3)]
    add(employers[0], "violation", "2024-03-01")
    add(employers[1], "wage_arrears_blacklist", "2023-03-01")
    return employers


def fail_once(monkeypatch, chunk_number: int):
    """Make the evaluation of one chunk raise the first time it runs (a killed worker)."""
    real = engine.Evaluator.rows
    state = {"failed": False}

    def rows(self, fact_rows_):
        rows_ = list(real(self, fact_rows_))
        chunk = GradingChunk.objects.filter(number=chunk_number).order_by("-run_id").first()
        ids = {r.employer_id for r in rows_}
        if not state["failed"] and chunk and chunk.first_id in ids:
            state["failed"] = True
            raise RuntimeError("worker lost")
        return iter(rows_)

    monkeypatch.setattr(engine.Evaluator, "rows", rows)
    return state


@pytest.mark.parametrize("copy", [False, True], ids=["orm", "copy"])
def test_chunked_cycle_run_with_a_chunk_failing_once(monkeypatch, many_employers, copy):
    if copy:
        monkeypatch.setattr(engine, "COPY_THRESHOLD", 0)
    state = fail_once(monkeypatch, chunk_number=1)
    run = services.regrade(cycle=2024, chunk_size=4)
    assert state["failed"]
    assert run.status == RunStatus.COMPLETE, run.error
    chunk = run.chunks.get(number=1)
    assert (chunk.status, chunk.attempts) == (ChunkStatus.DONE, 2)
    grades = Grade.objects.filter(run=run)
    assert grades.count() == len(many_employers)
    assert grades.values("employer").distinct().count() == len(many_employers)
    assert run.counts["employers"] == len(many_employers)
    assert grades.get(employer=many_employers[1]).grade == "D"


@pytest.mark.parametrize("copy", [False, True], ids=["orm", "copy"])
def test_nightly_task_with_a_chunk_failing_once(monkeypatch, many_employers, copy):
    from grading import tasks

    if copy:
        monkeypatch.setattr(engine, "COPY_THRESHOLD", 0)
    state = fail_once(monkeypatch, chunk_number=2)
    monkeypatch.setattr(services, "chunk_size_setting", lambda: 5)
    run_id = tasks.nightly_regrade.delay(as_of="2024-06-30").get()
    run = GradingRun.objects.get(pk=run_id)
    assert state["failed"]
    assert run.status == RunStatus.COMPLETE and run.is_current
    assert run.chunks_total == 3
    assert CurrentGrade.objects.count() == len(many_employers)
    # Every employer graded once: one first-grade history row each, no duplicates.
    assert GradeChange.objects.count() == len(many_employers)
    assert set(GradeChange.objects.values_list("old_grade", flat=True)) == {None}
    assert CurrentGrade.objects.get(employer=many_employers[0]).grade == "C"


def test_finaliser_resends_lost_chunks(monkeypatch, many_employers):
    """With a broker: a chunk whose worker vanished is sent again, and the run completes only
    once it is done."""
    import datetime as dt

    from django.utils import timezone

    from grading import tasks

    run = services.start_run(as_of=dt.date(2024, 6, 30), chunk_size=5)
    sent = []
    monkeypatch.setattr(tasks, "_eager", lambda: False)
    monkeypatch.setattr(tasks.regrade_chunk, "delay", lambda *a: sent.append(a))
    monkeypatch.setattr(tasks.finalise_run, "apply_async", lambda *a, **k: None)
    chunks = list(run.chunks.order_by("number"))
    services.process_chunk(chunks[0].pk)
    services.process_chunk(chunks[2].pk)
    # chunk 1 was taken by a worker that died 20 minutes ago
    GradingChunk.objects.filter(pk=chunks[1].pk).update(
        dispatched_at=timezone.now() - dt.timedelta(minutes=20)
    )
    assert tasks.finalise_run(run.pk) == RunStatus.RUNNING
    assert sent == [(run.pk, chunks[1].pk)]
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and not run.is_current
    services.process_chunk(chunks[1].pk)
    assert services.process_chunk(chunks[1].pk) is False  # delivered twice: done once
    assert tasks.finalise_run(run.pk) == RunStatus.COMPLETE
    assert CurrentGrade.objects.count() == len(many_employers)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fail", [False, True], ids=["clean", "chunk-fails-once"])
def test_pipelined_run_on_postgresql(monkeypatch, fail):
    """The command's pipelined driver (reader and writer threads on their own connections)
    grades every employer once, also when a chunk fails and is redone."""
    monkeypatch.setattr(engine, "COPY_THRESHOLD", 0)
    employers = [EmployerFactory() for _ in range(10)]
    add(employers[3], "violation", "2024-03-01")
    add(employers[7], "administrative_penalty", "2024-05-01")
    if fail:
        state = fail_once(monkeypatch, chunk_number=1)
    run = services.regrade(cycle=2024, chunk_size=3, pipelined=True)
    assert run.status == RunStatus.COMPLETE, run.error
    if fail:
        assert state["failed"]
        assert run.chunks.get(number=1).attempts == 1  # done by the redo after the pipeline
    grades = dict(Grade.objects.filter(run=run).values_list("employer_id", "grade"))
    assert len(grades) == 10 and Grade.objects.filter(run=run).count() == 10
    assert grades[employers[3].pk] == "C" and grades[employers[7].pk] == "D"
    assert sum(1 for g in grades.values() if g == "B") == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pipelined_run_streams_batches_into_copy_exactly(monkeypatch):
    """A chunk streamed to COPY in many small batches stores, for every employer, exactly what
    evaluating the whole ledger at once gives (grade, fired rules, facts), and counts it once."""
    import datetime as dt

    from grading.assignments import Assignments
    from grading.facts import EmployerSelection
    from grading.windows import Span

    monkeypatch.setattr(engine, "COPY_THRESHOLD", 0)
    monkeypatch.setattr(services, "PIPELINE_BATCH", 2)
    employers = [EmployerFactory() for _ in range(9)]
    employers += [EmployerFactory(jurisdiction=jurisdiction("xiqing")) for _ in range(4)]
    add(employers[0], "violation", "2024-03-01", rectification="not_rectified")
    add(employers[1], "wage_arrears_blacklist", "2023-03-01")
    add(employers[2], "administrative_penalty", "2024-05-01", performance="pending")
    add(employers[10], "violation", "2024-02-01", severity="major")
    add(employers[11], "harmonious_enterprise", "2023-01-01", level="county")
    run = services.regrade(cycle=2024, chunk_size=5, pipelined=True)
    assert run.status == RunStatus.COMPLETE, run.error
    span = Span.for_cycle(2024)
    expected = {
        (r.employer_id, r.ruleset.code): (r.result.grade, list(r.result.rules), r.result.facts)
        for r in engine.evaluate(span, EmployerSelection(), Assignments(dt.date(2024, 12, 31)))
    }
    stored = {
        (g.employer_id, g.ruleset_code): (g.grade, g.rules, g.facts)
        for g in Grade.objects.filter(run=run)
    }
    assert stored == expected and len(stored) == len(employers)
    assert run.counts["employers"] == len(employers)
    assert sum(sum(grades.values()) for grades in run.counts["grades"].values()) == len(employers)


def test_live_regrade_of_one_street():
    import_fixture_files()
    call_command("regrade", "--as-of", "2024-06-30", "--jurisdiction", "jiaxian-longshan",
                 stdout=io.StringIO())  # fmt: skip
    graded = set(CurrentGrade.objects.values_list("employer__uscc", flat=True))
    assert graded == {"91410425MG00000011"}  # the one employer on 龙山街道


def test_export_pdf_through_publication(tmp_path):
    pytest.importorskip("fpdf")
    import_fixture_files()
    call_command("regrade", "--cycle", "2024", "--jurisdiction", "jiaxian", stdout=io.StringIO())
    target = tmp_path / "grades.pdf"
    out = io.StringIO()
    call_command(
        "export_grades", "--cycle", "2024", "--jurisdiction", "jiaxian", "--format", "pdf",
        "--output", str(target), stdout=out,
    )  # fmt: skip
    assert target.read_bytes().startswith(b"%PDF")
    assert "已导出 4 条" in out.getvalue()


def test_export_pdf_streams_the_rows_part_by_part(tmp_path, monkeypatch):
    """Issue 15: the PDF list is written in parts as its rows are read — when a part is written,
    no more than that part's rows have been read (a million rows were listed whole first)."""
    pytest.importorskip("fpdf")
    from grading.management.commands import export_grades
    from publication import documents

    import_fixture_files()
    call_command("regrade", "--cycle", "2024", "--jurisdiction", "jiaxian", stdout=io.StringIO())
    monkeypatch.setattr(documents, "MAX_ROWS_PER_FILE", 2)
    read = []
    real_rows = export_grades.cycle_results

    def counted(cycle, **kwargs):
        for row in real_rows(cycle, **kwargs):
            read.append(row.employer.uscc)
            yield row

    monkeypatch.setattr(export_grades, "cycle_results", counted)
    written = []  # rows read when each part was written
    real_write = documents._write_list_part
    monkeypatch.setattr(
        documents,
        "_write_list_part",
        lambda rows, path, **kw: written.append(len(read)) or real_write(rows, path, **kw),
    )
    out = io.StringIO()
    call_command(
        "export_grades", "--cycle", "2024", "--jurisdiction", "jiaxian", "--format", "pdf",
        "--output", str(tmp_path / "grades.pdf"), stdout=out,
    )  # fmt: skip
    assert written == [2, 4]
    parts = sorted(tmp_path.glob("grades-*.pdf"))
    assert [p.name for p in parts] == ["grades-01.pdf", "grades-02.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in parts)
    assert "已导出 4 条" in out.getvalue()
