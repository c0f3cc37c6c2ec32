"""Every write of the grading app (HackSoft services: keyword-only, atomic, audited).

Runs: ``start_run`` plans a run in chunks of employers by primary-key range, ``process_chunk``
grades one chunk (idempotent: a chunk redone after a killed worker leaves each employer graded
once), ``finalise_run`` makes a run complete and current only when every chunk is done (and
moves the annual cycles to "computed"). ``regrade`` does all of it in-process (the command line);
``grading.tasks`` does it with Celery (the nightly job).

After a crash (the run lifecycle below): a newer run supersedes every older running run whose
scope it covers, and a superseded run is never made current; a run whose driver is gone is taken
over by the safety net (``take_over_run``) and grades again every chunk the ledger has moved
past; the run that completes last never replaces a newer current one.

Live: ``regrade_employer`` regrades one employer as of today right after a ledger change.
Review: ``propose_override`` / ``decide_override`` (seed 002 四（一）: a changed grade needs the
approval of the 劳动保障监察机构负责人); ``choose_exemplary`` / ``drop_exemplary`` (seed 003 五（七））.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
import uuid
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_records.audit import snapshot, write_audit
from employers import dbstats
from employers.choices import Role
from employers.models import Employer, Jurisdiction

from . import engine, incremental
from .assignments import Assignments
from .choices import (
    RECOMPUTABLE_CYCLE_STATUSES,
    REVIEWABLE_CYCLE_STATUSES,
    ChunkStatus,
    CycleStatus,
    OverrideStatus,
    RunKind,
    RunStatus,
)
from .facts import EmployerSelection, fact_rows, jurisdiction_filter
from .models import (
    CurrentGrade,
    Cycle,
    ExemplaryAgency,
    Grade,
    GradeOverride,
    GradingChunk,
    GradingRun,
)
from .windows import Span

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 50_000
MAX_CHUNK_ATTEMPTS = 3
# Roles that may start a computation (never the sysadmin or the auditor: 三员分立).
RUN_ROLES = (Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER)


class GradingError(ValueError):
    """A request the data does not allow (unknown jurisdiction, a cycle already under review…).
    The message is Chinese and meant for the user."""


def chunk_size_setting() -> int:
    return int(getattr(settings, "GRADING_CHUNK_SIZE", DEFAULT_CHUNK_SIZE))


def _check_runner(actor) -> None:
    if actor is not None and not actor.has_role(*RUN_ROLES):
        raise PermissionDenied(_("您的角色不能发起等级评价"))


# --- planning a run ------------------------------------------------------------------------------


def _scope_jurisdiction_ids(
    jurisdiction: Jurisdiction | None, excluded_roots: set[int], assignments: Assignments
) -> list[int] | None:
    """The jurisdictions a run grades: the scope's subtree (all when None) minus those graded
    by an excluded (locked) jurisdiction. None = every employer, no filter."""
    if jurisdiction is None and not excluded_roots:
        return None
    nodes = jurisdiction.subtree() if jurisdiction else Jurisdiction.objects.all()
    ids = list(nodes.values_list("pk", flat=True))
    if excluded_roots:
        ids = [i for i in ids if assignments.grading_jurisdiction(i) not in excluded_roots]
    return ids


def _chunk_bounds(jurisdiction_ids: list[int] | None, chunk_size: int) -> list[tuple[int, int]]:
    """Primary-key ranges of at most ``chunk_size`` employers each (one query, no id list)."""
    where = "WHERE 1 = 1" + jurisdiction_filter("e", jurisdiction_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM employers_employer e {where}
            ) numbered
            WHERE (n - 1) %% %s = 0 ORDER BY id
            """,
            [chunk_size],
        )
        starts = [row[0] for row in cursor.fetchall()]
        if not starts:
            return []
        cursor.execute(f"SELECT MAX(id) FROM employers_employer e {where}")
        last = cursor.fetchone()[0]
    ends = [s - 1 for s in starts[1:]] + [last]
    return list(zip(starts, ends, strict=True))


def _locked_cycles(year: int, roots: dict[int, set[str]], scope_ids: set[int] | None):
    cycles = Cycle.objects.filter(year=year).exclude(status__in=RECOMPUTABLE_CYCLE_STATUSES)
    return [
        c
        for c in cycles.select_related("jurisdiction")
        if c.jurisdiction_id in roots and (scope_ids is None or c.jurisdiction_id in scope_ids)
    ]


@transaction.atomic
def start_run(
    *,
    as_of: dt.date | None = None,
    cycle: int | None = None,
    jurisdiction: Jurisdiction | None = None,
    actor=None,
    chunk_size: int | None = None,
) -> GradingRun:
    """Record a run and its chunks; nothing is graded yet."""
    _check_runner(actor)
    if (as_of is None) == (cycle is None):
        raise GradingError(_("必须且只能指定评价年度或评价基准日之一"))
    span = Span.for_cycle(cycle) if cycle is not None else Span.for_as_of(as_of)
    assignments = Assignments(span.as_of)
    roots = assignments.grading_roots()
    excluded: set[int] = set()
    skipped = []
    if cycle is not None:
        if jurisdiction is not None and jurisdiction.pk not in roots:
            raise GradingError(
                _("“%(name)s”（%(code)s）没有适用的评价办法，不能单独计算年度评价；请指定评价辖区")
                % {"name": jurisdiction.name, "code": jurisdiction.code}
            )
        scope = set(jurisdiction.subtree().values_list("pk", flat=True)) if jurisdiction else None
        locked = _locked_cycles(cycle, roots, scope)
        if (
            locked
            and jurisdiction is not None
            and any(c.jurisdiction_id == jurisdiction.pk for c in locked)
        ):
            c = next(c for c in locked if c.jurisdiction_id == jurisdiction.pk)
            raise GradingError(
                _("%(cycle)s 已进入“%(status)s”阶段，不能重新计算")
                % {"cycle": c, "status": c.get_status_display()}
            )
        excluded = {c.jurisdiction_id for c in locked}
        skipped = [str(c) for c in locked]
    jurisdiction_ids = _scope_jurisdiction_ids(jurisdiction, excluded, assignments)
    size = chunk_size or chunk_size_setting()
    # Read before any chunk reads the ledger: a later incremental run starts from here.
    marks = incremental.run_fields(span.as_of) if cycle is None and jurisdiction is None else {}
    bounds = _chunk_bounds(jurisdiction_ids, size)
    run = GradingRun.objects.create(
        **marks,
        jurisdiction=jurisdiction,
        kind=RunKind.CYCLE if cycle is not None else RunKind.LIVE,
        cycle_year=cycle,
        as_of=span.as_of,
        window_start=span.window_start,
        window_end=span.window_end,
        ruleset_versions=assignments.versions(),
        jurisdiction_ids=jurisdiction_ids,
        chunk_size=size,
        chunks_total=len(bounds),
        counts={"skipped_cycles": skipped} if skipped else {},
        started_by=actor if getattr(actor, "pk", None) else None,
        heartbeat_at=timezone.now(),  # its driver starts right after the commit
    )
    GradingChunk.objects.bulk_create(
        GradingChunk(run=run, number=i, first_id=first, last_id=last)
        for i, (first, last) in enumerate(bounds)
    )
    _supersede_older_runs(run)
    return run


# --- grading a chunk ------------------------------------------------------------------------------


# The evaluators of this process (a Celery worker, the command line), per run: rules and their
# memo of distinct facts are built once per process and run, not once per chunk.
_EVALUATORS: OrderedDict = OrderedDict()
EVALUATOR_CACHE_SIZE = 2
_EVALUATORS_LOCK = threading.Lock()


def evaluator_for(run: GradingRun) -> engine.Evaluator:
    """The process's evaluator for ``run`` (its day, its rule-set versions, and the run itself:
    a run records what it grades with when it starts)."""
    key = (run.pk, run.started_at, run.resumed_at, run.as_of, repr(run.ruleset_versions))
    with _EVALUATORS_LOCK:
        found = _EVALUATORS.get(key)
        if found is None:
            found = engine.Evaluator(Span.for_as_of(run.as_of), Assignments(run.as_of))
            _EVALUATORS[key] = found
            while len(_EVALUATORS) > EVALUATOR_CACHE_SIZE:
                _EVALUATORS.popitem(last=False)
        else:
            _EVALUATORS.move_to_end(key)
        return found


def _selection(run: GradingRun, chunk: GradingChunk) -> EmployerSelection:
    ids = run.jurisdiction_ids
    return EmployerSelection(
        first_id=chunk.first_id,
        last_id=chunk.last_id,
        employer_ids=tuple(chunk.employer_ids) if chunk.employer_ids is not None else None,
        jurisdiction_ids=tuple(ids) if ids is not None else None,
    )


def process_chunk(chunk_id: int, *, fact_rows_=None, evaluator=None) -> bool:
    """Grade one chunk: facts, rules, results, and the chunk marked done — in one transaction,
    so a chunk is graded entirely or not at all and redoing it grades each employer once.
    Returns False when there was nothing to do (already done, run over). On failure the chunk
    is marked failed (to be redone) and the exception re-raised.

    ``fact_rows_`` (already fetched) and ``evaluator`` (shared between chunks) let the
    pipelined driver overlap the database work with the evaluation."""
    GradingChunk.objects.filter(pk=chunk_id).exclude(status=ChunkStatus.DONE).update(
        taken_at=timezone.now()
    )
    try:
        with transaction.atomic():
            chunk = (
                GradingChunk.objects.select_for_update()
                .select_related("run")
                .filter(pk=chunk_id)
                .first()
            )
            if chunk is None or chunk.status == ChunkStatus.DONE:
                return False
            run = chunk.run
            if run.status != RunStatus.RUNNING:
                return False
            span = Span.for_as_of(run.as_of)
            selection = _selection(run, chunk)
            if fact_rows_ is None:
                fact_rows_ = fact_rows(span, selection)
            evaluator = evaluator or evaluator_for(run)
            rows = list(evaluator.rows(fact_rows_))
            store_chunk(run, chunk, selection, rows)
        return True
    except Exception as exc:
        logger.exception("grading chunk %s failed", chunk_id)
        GradingChunk.objects.filter(pk=chunk_id).exclude(status=ChunkStatus.DONE).update(
            status=ChunkStatus.FAILED, error=repr(exc)[:2000], attempts=_attempts_plus_one(chunk_id)
        )
        raise


def store_chunk(
    run: GradingRun, chunk: GradingChunk, selection, rows=None, *, batches=None, expected=0
) -> None:
    """Write a chunk's results and mark it done (inside the caller's transaction). The results
    come whole (``rows``) or as batches still being evaluated (about ``expected`` rows): a cycle
    run's are then streamed into COPY as they are evaluated."""
    if run.kind == RunKind.CYCLE:
        counts = engine.write_grades(run, selection, rows, batches=batches, expected=expected)
    else:
        if batches is not None:
            rows = [row for batch in batches for row in batch]
        counts = engine.tally(rows)
        span = Span.for_as_of(run.as_of)
        counts["changes"] = len(engine.upsert_current_grades(span, selection, rows, run=run))
    chunk.status = ChunkStatus.DONE
    chunk.attempts += 1
    chunk.employers = counts["employers"]
    chunk.counts = counts
    chunk.finished_at = timezone.now()
    chunk.error = ""
    chunk.save()
    GradingRun.objects.filter(pk=run.pk).update(
        chunks_done=GradingChunk.objects.filter(run=run, status=ChunkStatus.DONE).count()
    )


def _attempts_plus_one(chunk_id: int) -> int:
    attempts = GradingChunk.objects.filter(pk=chunk_id).values_list("attempts", flat=True).first()
    return (attempts or 0) + 1


# --- finishing a run ------------------------------------------------------------------------------


def chunks_to_redo(run: GradingRun):
    """Chunks not done that may still be tried (the in-process driver grades them all)."""
    return run.chunks.exclude(status=ChunkStatus.DONE).filter(attempts__lt=MAX_CHUNK_ATTEMPTS)


# A worker marks a chunk taken just before it locks the chunk's row for its whole transaction.
TAKEN_GRACE = dt.timedelta(seconds=10)


def lost_chunk_after() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "GRADING_STALE_CHUNK_SECONDS", 90)))


def chunks_to_resend(run: GradingRun, *, now=None) -> list[int]:
    """The Celery path's lost chunks, to be sent again (duplicates are harmless: a chunk is
    graded under its row lock and done once).

    - failed, or never sent;
    - taken by a worker that is gone: the worker holds the chunk's row lock for as long as it
      grades it, and PostgreSQL drops the lock with the worker's connection, so a chunk taken
      since it was last sent whose row is not locked lost its worker — found at the
      finaliser's next look, seconds after the worker died;
    - sent GRADING_STALE_CHUNK_SECONDS ago (90 s) and not taken since: the message was lost
      (a broker restarted without its data) or is stuck behind a dead consumer.
    A chunk whose row is locked is being graded, however long it takes, and is left alone.
    Without row locks (SQLite) a taken chunk counts as lost only after the same 90 s."""
    now = now or timezone.now()
    lost_after = lost_chunk_after()
    row_locks = connection.features.has_select_for_update_skip_locked
    taken_since_sent = Q(taken_at__gte=F("dispatched_at"))
    worker_gone = taken_since_sent & Q(
        taken_at__lt=now - (TAKEN_GRACE if row_locks else lost_after)
    )
    message_lost = Q(dispatched_at__lt=now - lost_after) & (
        Q(taken_at__isnull=True) | Q(taken_at__lt=F("dispatched_at"))
    )
    candidates = chunks_to_redo(run).filter(
        Q(status=ChunkStatus.FAILED) | Q(dispatched_at__isnull=True) | worker_gone | message_lost
    )
    with transaction.atomic():
        return list(
            candidates.select_for_update(skip_locked=True)
            .order_by("number")
            .values_list("pk", flat=True)
        )


def mark_sent(chunk_ids) -> None:
    """Chunks handed to the broker: a failed one is pending again (sent once, not every look)."""
    GradingChunk.objects.filter(pk__in=list(chunk_ids)).exclude(status=ChunkStatus.DONE).update(
        dispatched_at=timezone.now(), status=ChunkStatus.PENDING
    )


@transaction.atomic
def finalise_run(run_id: int, *, actor=None) -> bool:
    """Complete the run if every chunk is done: sum the counts, make it current, move its
    cycles to "computed". Returns False (and changes nothing) while chunks are missing."""
    run = GradingRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return run.status == RunStatus.COMPLETE
    if run.chunks.exclude(status=ChunkStatus.DONE).exists():
        exhausted = run.chunks.exclude(status=ChunkStatus.DONE).filter(
            attempts__gte=MAX_CHUNK_ATTEMPTS
        )
        if exhausted.exists():
            fail_run(run, _("有批次多次失败：%(chunks)s") % {"chunks": _chunk_list(exhausted)})
        return False
    newer = newer_covering_run(run)
    if newer is not None:  # its results would be older than the newer run's: never current
        supersede(run, newer)
        return False
    totals: Counter = Counter()
    grades: Counter = Counter()
    cycles: Counter = Counter()
    for counts in run.chunks.values_list("counts", flat=True):
        totals["employers"] += counts.get("employers", 0)
        totals["changes"] += counts.get("changes", 0)
        grades.update(counts.get("grades", {}))
        cycles.update(counts.get("cycles", {}))
    now = timezone.now()
    run.counts = {
        **run.counts,
        "employers": totals["employers"],
        "grades": _nested(grades),
        **({"changes": totals["changes"]} if run.kind == RunKind.LIVE else {}),
    }
    same_kind = GradingRun.objects.filter(kind=run.kind, is_current=True).exclude(pk=run.pk)
    if run.kind == RunKind.CYCLE:
        same_kind = same_kind.filter(cycle_year=run.cycle_year, jurisdiction=run.jurisdiction)
    same_kind = same_kind.annotate(basis=Coalesce("resumed_at", "started_at"))
    # The run that completes last never replaces a newer current one (a narrower newer run that
    # did not supersede this one stays current).
    newer_current = same_kind.filter(basis__gt=run.basis_at).exists()
    run.status = RunStatus.COMPLETE
    run.chunks_done = run.chunks_total
    run.finished_at = now
    run.duration = now - run.started_at
    run.is_current = not newer_current
    run.save()
    if run.kind == RunKind.CYCLE:
        _mark_cycles_computed(run, cycles, now)
    if run.is_current:
        same_kind.update(is_current=False)
    if totals["employers"] >= dbstats.ANALYZE_AFTER_ROWS:
        # The pages of the cycle are planned on the rows just written, not on the old table.
        table = Grade if run.kind == RunKind.CYCLE else CurrentGrade
        transaction.on_commit(lambda: dbstats.refresh_statistics(table))
        if run.kind == RunKind.CYCLE:  # and their first view does not count a million grades
            transaction.on_commit(lambda: _warm_cycle_counts(run))
    write_audit(
        actor=actor or run.started_by,
        action="grading.run_complete",
        obj=run,
        jurisdiction_path=run.jurisdiction.path if run.jurisdiction_id else "",
        after={
            "kind": run.kind,
            "cycle_year": run.cycle_year,
            "as_of": run.as_of.isoformat(),
            "versions": run.ruleset_versions,
            "counts": run.counts,
            "seconds": round(run.duration.total_seconds(), 3),
        },
    )
    return True


def _nested(grades: Counter) -> dict:
    out: dict[str, dict[str, int]] = {}
    for key, n in sorted(grades.items()):
        code, grade = key.split(":", 1)
        out.setdefault(code, {})[grade] = n
    return out


def _chunk_list(chunks) -> str:
    return ", ".join(f"#{c.number}" for c in chunks)


def fail_run(run: GradingRun, message: str) -> None:
    now = timezone.now()
    GradingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, error=message, finished_at=now, duration=now - run.started_at
    )


def _warm_cycle_counts(run) -> None:
    """Count the computed grades of the cycles the run computed into the cache
    (``selectors.computed_counts``), so that the cycle pages do not on their first view."""
    from .selectors import computed_counts

    for cycle in Cycle.objects.filter(run=run):
        computed_counts(cycle, refresh=True)


def _mark_cycles_computed(run: GradingRun, cycles: Counter, now) -> None:
    """open → computed: every (jurisdiction, rule set) the run graded gets it as its run."""
    for key in cycles:
        jurisdiction_id, ruleset_code = key.split(":", 1)
        if jurisdiction_id == "None":
            continue
        cycle, _created = Cycle.objects.select_for_update().get_or_create(
            jurisdiction_id=int(jurisdiction_id), ruleset_code=ruleset_code, year=run.cycle_year
        )
        if cycle.status not in RECOMPUTABLE_CYCLE_STATUSES:
            continue  # excluded when the run was planned; never touch a reviewed cycle
        if _has_newer_results(cycle, run):
            continue  # a newer run (of a narrower scope) computed this cycle: keep its grades
        before = {"status": cycle.status, "run": cycle.run_id}
        cycle.status = CycleStatus.COMPUTED
        cycle.run = run
        cycle.computed_at = now
        cycle.save()
        write_audit(
            actor=run.started_by,
            action="grading.cycle_computed",
            obj=cycle,
            jurisdiction_path=cycle.jurisdiction.path,
            before=before,
            after={"status": cycle.status, "run": run.pk},
        )


def drive_run(run: GradingRun, *, pipelined: bool = False) -> GradingRun:
    """Grade every chunk in this process, redoing failed ones, then finalise.

    ``pipelined`` (PostgreSQL, the command line): the facts of the next chunk are fetched by a
    second connection while this one evaluates, and another writes the previous chunk's
    results, so the database and Python work at the same time. Chunks it could not finish are
    redone one by one below, exactly as without it.

    While it drives the run it holds the run's advisory lock (PostgreSQL) and beats, so the
    safety net leaves the run alone; if the process is killed, both stop at once."""
    with driving(run):
        if pipelined:
            _pipeline(run)
        for _attempt in range(MAX_CHUNK_ATTEMPTS):
            for chunk_id in chunks_to_redo(run).values_list("pk", flat=True):
                try:
                    process_chunk(chunk_id)
                except Exception:  # noqa: BLE001 - recorded on the chunk, redone below
                    pass
                beat(run.pk)
            if finalise_run(run.pk):
                break
        run.refresh_from_db()
        if run.status == RunStatus.RUNNING:
            fail_run(run, _("部分批次未能完成"))
            run.refresh_from_db()
    return run


def process_lane(run_id: int, chunk_ids) -> int:
    """Grade some chunks of a run in this process, in order (the Celery path: one lane per
    worker process, ``grading.tasks.regrade_lane``). On PostgreSQL outside a transaction the
    chunks go through the same pipeline as the command line (the next chunk's facts are read
    while this one is evaluated and the previous one written); otherwise one by one. A chunk
    that fails is marked failed for the finaliser to send again. Returns the chunks done here."""
    run = GradingRun.objects.filter(pk=run_id).first()
    if run is None or run.status != RunStatus.RUNNING:
        return 0
    chunks = list(
        GradingChunk.objects.filter(run=run, pk__in=list(chunk_ids))
        .exclude(status=ChunkStatus.DONE)
        .order_by("number")
    )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _pipeline(run, chunks=chunks, lane=True)
    done = 0
    for chunk in chunks:
        try:
            done += bool(process_chunk(chunk.pk))
        except Exception:  # noqa: BLE001 - recorded on the chunk, sent again by the finaliser
            pass
    return done


# Rows the pipelined driver evaluates before handing them to the writer (a chunk streams to
# COPY in batches of this size, so PostgreSQL stores one batch while the next is evaluated).
PIPELINE_BATCH = 5000
_END, _ABORT = object(), object()


class _EvaluationFailed(Exception):
    pass


# The pipeline collects cyclic garbage by hand once this many objects have accumulated.
YOUNG_OBJECTS_LIMIT = 1_000_000


@contextmanager
def _collector_paused():
    """Python's automatic cycle collection off while the pipeline runs.

    A chunk allocates hundreds of thousands of small objects that live on a while (facts,
    results, the evaluation memo); the automatic collector answers them with repeated full
    collections that walk every live object — measured, 40 % of the evaluation's time, for
    nothing: a chunk leaves no cyclic garbage (refcounting frees what it drops; ``gc.collect``
    after each chunk of the 200,000-employer benchmark found 0 objects). As a safety valve the
    pipeline still collects the young generations once ``YOUNG_OBJECTS_LIMIT`` objects have
    accumulated (every dozen chunks or so); the collector is on again, as it was, at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _batches(rows_queue) -> Iterator[list]:
    """The batches of rows of one chunk as the evaluating thread hands them over; raises if
    the evaluation failed (the writer then rolls the chunk back)."""
    while True:
        batch = rows_queue.get()
        if batch is _END:
            return
        if batch is _ABORT:
            raise _EvaluationFailed
        yield batch


def _pipeline(run: GradingRun, *, chunks=None, lane: bool = False) -> int:
    """Reader thread → (facts) → this thread: rules → (results, in batches) → writer thread. Each
    thread has its own database connection; a chunk is still written and marked done in one
    transaction. The writer opens a chunk's transaction as soon as its first batch is evaluated
    and streams the batches into COPY (a cycle run) while this thread evaluates the next ones;
    a live run's chunk is upserted once whole, as the next chunk is evaluated.

    ``lane`` (a Celery lane, not the run's driver): a chunk is marked taken when its writer locks
    it, a failed one is marked failed, the chunks still waiting keep their ``dispatched_at``
    fresh (the finaliser would otherwise take them for lost messages), and nothing is written
    once the run is no longer running. Returns the number of chunks written."""
    import queue

    from django.db import connections

    span = Span.for_as_of(run.as_of)
    chunks = list(chunks_to_redo(run)) if chunks is None else list(chunks)
    written = [0]
    facts_queue: queue.Queue = queue.Queue(maxsize=2)
    results_queue: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def reader():
        try:
            for chunk in chunks:
                if stop.is_set():
                    break
                facts_queue.put((chunk, list(fact_rows(span, _selection(run, chunk)))))
        except Exception:  # the chunks left are redone one by one
            logger.exception("run %s: reading facts failed", run.pk)
        finally:
            facts_queue.put(None)
            connections.close_all()

    waiting = [c.pk for c in chunks]

    def write(chunk, batches, expected):
        if lane:
            GradingChunk.objects.filter(pk=chunk.pk).exclude(status=ChunkStatus.DONE).update(
                taken_at=timezone.now()
            )
        with transaction.atomic():
            locked = GradingChunk.objects.select_for_update().get(pk=chunk.pk)
            running = not lane or (
                GradingRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).exists()
            )
            if locked.status != ChunkStatus.DONE and running:
                store_chunk(
                    run, locked, _selection(run, locked), batches=batches, expected=expected
                )
                written[0] += 1

    def writer():
        try:
            while (item := results_queue.get()) is not None:
                chunk, rows_queue, expected = item
                batches = _batches(rows_queue)
                try:
                    write(chunk, batches, expected)
                except Exception as exc:
                    logger.exception("run %s: writing chunk %s failed", run.pk, chunk.number)
                    if lane:
                        GradingChunk.objects.filter(pk=chunk.pk).exclude(
                            status=ChunkStatus.DONE
                        ).update(
                            status=ChunkStatus.FAILED,
                            error=repr(exc)[:2000],
                            attempts=_attempts_plus_one(chunk.pk),
                        )
                finally:  # what was not taken (a chunk skipped or failed): let it come
                    with suppress(_EvaluationFailed):
                        for _batch in batches:
                            pass
                if lane:
                    waiting.remove(chunk.pk)
                    GradingChunk.objects.filter(pk__in=waiting, status=ChunkStatus.PENDING).update(
                        dispatched_at=timezone.now()
                    )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader), threading.Thread(target=writer)]
    evaluator = evaluator_for(run)
    reader_done = False
    with _collector_paused():
        for thread in threads:
            thread.start()
        try:
            _evaluate_chunks(run, evaluator, facts_queue, results_queue)
            reader_done = True
        finally:
            stop.set()
            while not reader_done:  # unblock the reader and wait for its end marker
                reader_done = facts_queue.get() is None
            results_queue.put(None)
            for thread in threads:
                thread.join()
    if lane and waiting:  # not written here (reading or evaluating failed): send them again
        GradingChunk.objects.filter(pk__in=waiting).exclude(status=ChunkStatus.DONE).update(
            status=ChunkStatus.FAILED, error="lane", attempts=F("attempts") + 1
        )
    return written[0]


def _evaluate_chunks(run: GradingRun, evaluator, facts_queue, results_queue) -> None:
    """The pipeline's middle: each chunk's facts, evaluated batch by batch, handed to the
    writer; the young generations collected after a chunk only once ``YOUNG_OBJECTS_LIMIT``
    objects have accumulated (``_collector_paused``)."""
    import queue

    while (item := facts_queue.get()) is not None:
        chunk, facts = item
        rows_queue: queue.Queue = queue.Queue()  # a whole chunk may wait (as before batches)
        results_queue.put((chunk, rows_queue, len(facts)))
        end = _ABORT
        try:
            for start in range(0, len(facts), PIPELINE_BATCH):
                rows_queue.put(list(evaluator.rows(facts[start : start + PIPELINE_BATCH])))
            end = _END
        except Exception:  # left to the one-by-one redo (a lane's: to the finaliser)
            logger.exception("run %s: evaluating chunk %s failed", run.pk, chunk.number)
        finally:
            rows_queue.put(end)
        if gc.get_count()[0] > YOUNG_OBJECTS_LIMIT:
            gc.collect(1)
        beat(run.pk)


def regrade(
    *,
    as_of: dt.date | None = None,
    cycle: int | None = None,
    jurisdiction: Jurisdiction | None = None,
    actor=None,
    chunk_size: int | None = None,
    pipelined: bool = False,
) -> GradingRun:
    """Grade every employer in scope, in this process: an annual cycle (``cycle`` = year) or the
    live grades as of a date (``as_of``). Returns the run (complete, or failed with a reason)."""
    run = start_run(
        as_of=as_of, cycle=cycle, jurisdiction=jurisdiction, actor=actor, chunk_size=chunk_size
    )
    return drive_run(run, pipelined=pipelined)


# --- the run lifecycle: drivers, supersession, resumption ------------------------------------

# pg_advisory_lock(RUN_LOCK_CLASS, run id): "a process is driving this run".
RUN_LOCK_CLASS = 7_140_014
# A run is resumed only this soon after its start (or last resumption); older ones are failed.
RESUME_WITHIN = dt.timedelta(days=2)


def driver_stale_after() -> dt.timedelta:
    """A driver silent this long is gone (the Celery finaliser beats every few seconds, the
    command line after every chunk)."""
    return dt.timedelta(seconds=int(getattr(settings, "GRADING_DRIVER_STALE_SECONDS", 120)))


def resume_keep_after() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "GRADING_RESUME_KEEP_SECONDS", 600)))


def beat(run_id: int) -> None:
    """The driver of a run is alive."""
    GradingRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())


@contextmanager
def driving(run: GradingRun):
    """Drive ``run`` in this process: its advisory lock is held on this connection (PostgreSQL)
    until the end, or until the process dies and PostgreSQL drops the connection."""
    locked = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_CLASS, run.pk])
            locked = bool(cursor.fetchone()[0])
    beat(run.pk)
    try:
        yield
    finally:
        if locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_CLASS, run.pk])
            except DatabaseError:  # the connection is gone: so is the lock
                pass


def driver_alive(run: GradingRun, *, now=None) -> bool:
    now = now or timezone.now()
    if run.heartbeat_at and run.heartbeat_at > now - driver_stale_after():
        return True
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT EXISTS (
                SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND objsubid = 2
                  AND classid::bigint = %s AND objid::bigint = %s
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            )
            """,
            [RUN_LOCK_CLASS, run.pk],
        )
        return bool(cursor.fetchone()[0])


def _covers(newer: GradingRun, older: GradingRun) -> bool:
    """``newer`` grades everything ``older`` grades: same kind (and year), scope included."""
    if newer.kind != older.kind or newer.cycle_year != older.cycle_year:
        return False
    if newer.jurisdiction_ids is None:
        return True
    if older.jurisdiction_ids is None:
        return False
    return set(older.jurisdiction_ids) <= set(newer.jurisdiction_ids)


def newer_covering_run(run: GradingRun) -> GradingRun | None:
    """A run running or complete, computed later than ``run``, whose scope covers it."""
    basis = run.basis_at
    later = (
        GradingRun.objects.filter(
            kind=run.kind,
            cycle_year=run.cycle_year,
            status__in=(RunStatus.RUNNING, RunStatus.COMPLETE),
        )
        .exclude(pk=run.pk)
        .annotate(basis=Coalesce("resumed_at", "started_at"))
        .filter(Q(basis__gt=basis) | Q(basis=basis, pk__gt=run.pk))
        .order_by("-basis", "-pk")
    )
    return next((other for other in later.iterator() if _covers(other, run)), None)


def supersede(run: GradingRun, newer: GradingRun) -> None:
    now = timezone.now()
    changed = GradingRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        status=RunStatus.SUPERSEDED,
        superseded_by=newer,
        is_current=False,
        error=_("已被更新的评价运行 #%(id)s 取代，本次结果不采用") % {"id": newer.pk},
        finished_at=now,
        duration=now - run.started_at,
    )
    if changed:
        write_audit(
            actor=None,
            action="grading.run_superseded",
            obj=run,
            jurisdiction_path=run.jurisdiction.path if run.jurisdiction_id else "",
            after={"status": RunStatus.SUPERSEDED, "superseded_by": newer.pk},
        )


def _supersede_older_runs(run: GradingRun) -> None:
    """A new run stops every older running run it covers (they would finish with older data)."""
    older = (
        GradingRun.objects.select_for_update()
        .filter(kind=run.kind, cycle_year=run.cycle_year, status=RunStatus.RUNNING)
        .exclude(pk=run.pk)
        .order_by("pk")
    )
    for other in older:
        if _covers(run, other):
            supersede(other, run)


def _has_newer_results(cycle: Cycle, run: GradingRun) -> bool:
    if not cycle.run_id or cycle.run_id == run.pk:
        return False
    holder = GradingRun.objects.filter(pk=cycle.run_id).first()
    return holder is not None and holder.basis_at > run.basis_at


def _ledger_moved_at():
    """When the ledger last changed (its newest entry: corrections and voids are entries)."""
    from credit_records.models import CreditRecord

    return CreditRecord.objects.order_by("-pk").values_list("created_at", flat=True).first()


@transaction.atomic
def take_over_run(run_id: int, *, now=None) -> str:
    """The safety net's decision about a running run (``grading.tasks.watch_runs``):

    - "alive": its driver is alive (a recent heartbeat, or its advisory lock held) — left alone;
    - "superseded": a newer run covers it — stopped, never made current;
    - "abandoned": too old to resume (two days), or live grades of a past day — failed;
    - "resumed": every chunk the ledger has moved past since it was graded (and every chunk
      older than GRADING_RESUME_KEEP_SECONDS) is to be graded again; the caller dispatches it.
    """
    run = GradingRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return "over"
    now = now or timezone.now()
    if driver_alive(run, now=now):
        return "alive"
    newer = newer_covering_run(run)
    if newer is not None:
        supersede(run, newer)
        return "superseded"
    path = run.jurisdiction.path if run.jurisdiction_id else ""
    reason = ""
    if now - run.basis_at > RESUME_WITHIN:
        reason = _("评价运行中断已超过两天，不再续算；请重新发起计算")
    elif run.kind == RunKind.LIVE and timezone.localdate(run.basis_at) != timezone.localdate(now):
        reason = _("动态评价中断且已不是当天，不再续算；每晚的动态评价会重新计算")
    if reason:
        fail_run(run, reason)
        write_audit(
            actor=None, action="grading.run_abandoned", obj=run, jurisdiction_path=path,
            after={"status": RunStatus.FAILED}, note=reason,
        )  # fmt: skip
        return "abandoned"
    moved = _ledger_moved_at()
    keep_from = now - resume_keep_after()
    if moved is not None and moved > keep_from:
        keep_from = moved
    # Done chunks only: a chunk not done may be locked by a live worker that will update this
    # run's row (locked here) when it stores its results.
    stale = run.chunks.filter(Q(status=ChunkStatus.DONE) & Q(finished_at__lt=keep_from))
    regraded = stale.update(status=ChunkStatus.PENDING, attempts=0, error="")
    run.resumed_at = now  # its results are as of now: newer than any run started before
    run.heartbeat_at = now
    run.driver_token = uuid.uuid4().hex  # the lost chain, should it come back, stops
    run.chunks_done = run.chunks.filter(status=ChunkStatus.DONE).count()
    run.save(update_fields=["resumed_at", "heartbeat_at", "driver_token", "chunks_done"])
    write_audit(
        actor=None, action="grading.run_resumed", obj=run, jurisdiction_path=path,
        after={"chunks_regraded": regraded, "chunks_left": run.chunks_total - run.chunks_done},
    )  # fmt: skip
    return "resumed"


# --- live regrade of one employer ----------------------------------------------------------------


def regrade_employer(employer_id: int, *, record=None, as_of: dt.date | None = None):
    """Regrade one employer as of today (or ``as_of``) right after a ledger change: the live
    grade is upserted, a change goes into the history with the record that caused it, and the
    audit log says so. Returns the list of GradeChange rows written."""
    as_of = as_of or timezone.localdate()
    span = Span.for_as_of(as_of)
    selection = EmployerSelection(employer_ids=(int(employer_id),))
    with transaction.atomic():
        employer = Employer.objects.select_related("jurisdiction").get(pk=employer_id)
        rows = engine.evaluate(span, selection, Assignments(as_of))
        changes = engine.upsert_current_grades(span, selection, rows, record=record)
        write_audit(
            actor=None,
            action="grading.live_regrade",
            obj=employer,
            jurisdiction_path=employer.jurisdiction.path,
            before={c.ruleset_code: c.old_grade for c in changes} or None,
            after={r.ruleset.code: {"grade": r.result.grade, "rules": list(r.result.rules)}
                   for r in rows},
            note=_("信用记录 #%(id)s 变化后重新评价") % {"id": record.pk} if record else "",
        )  # fmt: skip
    return changes


IMPORT_REGRADE_BATCH = 2000


def regrade_imported(first_id: int, last_id: int, *, as_of: dt.date | None = None) -> int:
    """Regrade, as of today, every employer with a ledger entry whose id is in
    [first_id, last_id] (one records import), ``IMPORT_REGRADE_BATCH`` employers per query and
    transaction: the same set-based facts as a run, not one task per employer. Idempotent.
    Returns the number of employers regraded."""
    from credit_records.models import CreditRecord

    as_of = as_of or timezone.localdate()
    span = Span.for_as_of(as_of)
    assignments = Assignments(as_of)
    employer_ids = sorted(
        set(
            CreditRecord.objects.filter(pk__gte=first_id, pk__lte=last_id)
            .values_list("employer_id", flat=True)
            .iterator(chunk_size=20000)
        )
    )
    for start in range(0, len(employer_ids), IMPORT_REGRADE_BATCH):
        batch = tuple(employer_ids[start : start + IMPORT_REGRADE_BATCH])
        selection = EmployerSelection(employer_ids=batch)
        with transaction.atomic():
            rows = engine.evaluate(span, selection, assignments)
            changes = engine.upsert_current_grades(span, selection, rows)
            write_audit(
                actor=None,
                action="grading.live_regrade_batch",
                object_type="employers.Employer",
                object_repr=_("导入信用记录后重新评价 %(n)d 家用人单位") % {"n": len(batch)},
                after={
                    "records": [first_id, last_id],
                    "employers": len(batch),
                    "changed": len(changes),
                },
            )
    return len(employer_ids)


# --- manual review (seed 002 四（一）) ------------------------------------------------------------


def _cycle_of(grade: Grade) -> Cycle | None:
    return (
        Cycle.objects.select_for_update()
        .filter(
            run_id=grade.run_id,
            ruleset_code=grade.ruleset_code,
            year=grade.cycle_year,
            jurisdiction_id=grade.jurisdiction_id,
        )
        .first()
    )


def _check_scope(actor, grade: Grade) -> None:
    from employers.selectors import scope_by_employer

    if not scope_by_employer(Employer.objects.filter(pk=grade.employer_id), actor).exists():
        raise PermissionDenied(_("该用人单位不在您的管辖范围内"))


def _allowed_statuses(objection) -> tuple:
    """The cycle statuses in which a grade may be overridden: computed or under review (seed 002
    四（一）); with ``objection`` (an upheld grade objection being approved) also public notice
    (seed 002 四（二）"对确需调整的及时在系统上变更等级"; SPEC §7, §8)."""
    if objection is None:
        return tuple(REVIEWABLE_CYCLE_STATUSES)
    return (*REVIEWABLE_CYCLE_STATUSES, CycleStatus.PUBLIC_NOTICE)


def _check_objection(objection, grade: Grade) -> None:
    if objection is not None and getattr(objection, "grade_id_ref", None) != grade.pk:
        raise ValidationError(_("该异议不是针对此评价结果的"))


def _validated_cited_rules(grade: Grade, proposed_grade: str, cited_rules) -> list[str]:
    """The cited rules must be rules of the grade's rule-set version at the proposed grade."""
    from . import rulesets

    ruleset = rulesets.get(grade.ruleset_code, grade.ruleset_version)
    codes = []
    for code in cited_rules or ():
        try:
            rule = ruleset.rule(code)
        except KeyError:
            raise ValidationError({"cited_rules": _("所选条款不属于该评价办法")}) from None
        if rule.grade != proposed_grade:
            raise ValidationError(
                {
                    "cited_rules": _("所选条款“%(article)s”不是建议等级的情形")
                    % {"article": rule.article}
                }
            )
        if code not in codes:
            codes.append(code)
    return codes


@transaction.atomic
def propose_override(
    *,
    actor,
    grade: Grade,
    proposed_grade: str,
    reason: str,
    objection=None,
    cited_rules=(),
) -> GradeOverride:
    """An inspector proposes another grade for a computed cycle grade, with a reason and the
    rules it rests on (``cited_rules``, SPEC §8 [r2]: the basis of the written notice); the cycle
    enters "under review" with its first proposal. ``objection`` (an ``objections.Objection``
    on this grade) also allows a cycle in public notice: the decision on a grade objection."""
    if actor is None or not actor.has_role(Role.INSPECTOR, Role.SUPERVISOR):
        raise PermissionDenied(_("只有监察员或监察机构负责人可以提出等级调整"))
    _check_scope(actor, grade)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("必须填写调整理由")})
    from . import rulesets

    allowed = rulesets.get(grade.ruleset_code, grade.ruleset_version).grades
    if proposed_grade not in (*allowed, ""):
        raise ValidationError(
            {"proposed_grade": _("等级“%(value)s”无效，应为：%(allowed)s")
             % {"value": proposed_grade, "allowed": _("、").join(allowed) + _("或不予评级")}}
        )  # fmt: skip
    _check_objection(objection, grade)
    cycle = _cycle_of(grade)
    if cycle is None or cycle.status not in _allowed_statuses(objection):
        raise ValidationError(_("该评价结果不在可复核的评价周期中（须为已自动评级或人工复核中）"))
    if GradeOverride.objects.filter(grade=grade, status=OverrideStatus.PENDING).exists():
        raise ValidationError(_("该单位已有待审批的等级调整"))
    current = final_grade(grade)
    if proposed_grade == current:
        raise ValidationError(_("建议等级与当前等级相同"))
    cited = _validated_cited_rules(grade, proposed_grade, cited_rules)
    override = GradeOverride.objects.create(
        grade=grade,
        proposed_grade=proposed_grade,
        reason=reason,
        cited_rules=cited,
        proposed_by=actor,
    )
    if cycle.status == CycleStatus.COMPUTED:
        cycle.status = CycleStatus.UNDER_REVIEW
        cycle.save(update_fields=["status", "updated_at"])
        write_audit(
            actor=actor,
            action="grading.cycle_under_review",
            obj=cycle,
            jurisdiction_path=cycle.jurisdiction.path,
            before={"status": CycleStatus.COMPUTED},
            after={"status": CycleStatus.UNDER_REVIEW},
        )
    write_audit(
        actor=actor,
        action="grading.override_proposed",
        obj=override,
        jurisdiction_path=grade.employer.jurisdiction.path,
        after=snapshot(override),
        note=reason,
    )
    return override


@transaction.atomic
def decide_override(
    *, actor, override: GradeOverride, approve: bool, note: str = "", objection=None
) -> GradeOverride:
    """The supervisor (劳动保障监察机构负责人) approves or rejects a proposal. ``objection`` as
    for ``propose_override`` (public notice allowed)."""
    if actor is None or not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied(_("只有监察机构负责人可以审批等级调整"))
    override = GradeOverride.objects.select_for_update().select_related("grade").get(pk=override.pk)
    _check_scope(actor, override.grade)
    if override.status != OverrideStatus.PENDING:
        raise ValidationError(_("该等级调整已审批，不能重复审批"))
    if override.proposed_by_id == actor.pk:
        raise ValidationError(_("不能审批本人提出的等级调整"))
    _check_objection(objection, override.grade)
    cycle = _cycle_of(override.grade)
    if cycle is None or cycle.status not in _allowed_statuses(objection):
        raise ValidationError(_("该评价周期已进入公示或之后的阶段，不能再审批等级调整"))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"decision_note": _("驳回时必须填写审批意见")})
    before = snapshot(override)
    override.status = OverrideStatus.APPROVED if approve else OverrideStatus.REJECTED
    override.decided_by = actor
    override.decided_at = timezone.now()
    override.decision_note = note
    override.save()
    write_audit(
        actor=actor,
        action="grading.override_approved" if approve else "grading.override_rejected",
        obj=override,
        jurisdiction_path=override.grade.employer.jurisdiction.path,
        before=before,
        after=snapshot(override),
        note=note,
    )
    return override


def final_grade(grade: Grade) -> str:
    """The grade of a cycle: the latest approved override, else the computed grade."""
    approved = (
        grade.overrides.filter(status=OverrideStatus.APPROVED).order_by("-decided_at").first()
    )
    return approved.proposed_grade if approved else grade.grade


# --- exemplary agencies (seed 003 五（七）) ---------------------------------------------------------


def exemplary_quota(cycle: Cycle) -> int:
    """At most 5 % of the A-grade agencies, rounded down (SPEC §5.4)."""
    from .selectors import cycle_results

    a_count = sum(1 for row in cycle_results(cycle) if row.final_grade == "A")
    return a_count * 5 // 100


@transaction.atomic
def choose_exemplary(*, actor, cycle: Cycle, employer: Employer, reason: str) -> ExemplaryAgency:
    if actor is None or not actor.has_role(Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER):
        raise PermissionDenied(_("您的角色不能选树诚信机构典型"))
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _check_exemplary_open(cycle)
    from . import rulesets

    if "exemplary" not in rulesets.get(cycle.ruleset_code).honours:
        raise ValidationError(_("该评价办法没有诚信机构典型"))
    if not _in_scope(actor, employer):
        raise PermissionDenied(_("该用人单位不在您的管辖范围内"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("必须填写选树原因")})
    from .selectors import cycle_grades

    grade = cycle_grades(cycle).filter(employer=employer).first()
    if grade is None or final_grade(grade) != "A":
        raise ValidationError(_("只能从本周期评为A级的机构中选树"))
    if ExemplaryAgency.objects.filter(cycle=cycle, employer=employer).exists():
        raise ValidationError(_("该机构已选树为诚信机构典型"))
    quota = exemplary_quota(cycle)
    if cycle.exemplary.count() >= quota:
        raise ValidationError(
            _("已达到名额上限：不超过A级机构总数的5%%（本周期最多 %(n)d 家）") % {"n": quota}
        )
    chosen = ExemplaryAgency.objects.create(
        cycle=cycle, employer=employer, reason=reason, chosen_by=actor
    )
    write_audit(
        actor=actor,
        action="grading.exemplary_chosen",
        obj=chosen,
        jurisdiction_path=cycle.jurisdiction.path,
        after=snapshot(chosen),
        note=reason,
    )
    return chosen


@transaction.atomic
def drop_exemplary(*, actor, chosen: ExemplaryAgency, reason: str) -> None:
    if actor is None or not actor.has_role(Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER):
        raise PermissionDenied(_("您的角色不能调整诚信机构典型"))
    if not _in_scope(actor, chosen.employer):
        raise PermissionDenied(_("该用人单位不在您的管辖范围内"))
    _check_exemplary_open(Cycle.objects.select_for_update().get(pk=chosen.cycle_id))
    before = snapshot(chosen)
    write_audit(
        actor=actor,
        action="grading.exemplary_dropped",
        obj=chosen,
        jurisdiction_path=chosen.cycle.jurisdiction.path,
        before=before,
        note=reason,
    )
    chosen.delete()


def _check_exemplary_open(cycle: Cycle) -> None:
    """The exemplary agencies are part of the published 附件2 table (SPEC §5.4): published
    results never change (SPEC §8), so the choice is closed once the cycle is published."""
    if cycle.status == CycleStatus.PUBLISHED:
        raise ValidationError(_("该周期的结果已经公布，诚信机构典型不能再变更"))


def _in_scope(actor, employer) -> bool:
    from employers.selectors import scope_by_employer

    return scope_by_employer(Employer.objects.filter(pk=employer.pk), actor).exists()
