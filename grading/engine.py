"""records ──facts──▶ facts ──rules──▶ grade + fired rules ──▶ stored result (STYLE.md).

``evaluate`` turns the fact rows of a chunk into results, evaluating each distinct (rule set,
facts) once — rules are pure, so equal facts give equal results. ``write_grades`` stores the
results of a cycle run and ``upsert_current_grades`` the live grades with their history; both are
idempotent for a chunk (redoing a chunk leaves the same rows), and both use PostgreSQL's COPY for
large chunks (the bulk write of a million employers) and the ORM otherwise.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .assignments import Assignments
from .decisions import Decisions
from .facts import EmployerSelection, KeyDecoder, fact_rows, id_filter
from .models import CurrentGrade, Grade, GradeChange, GradingRun
from .rulesets import RuleSet
from .windows import Span

# Chunks larger than this are written with COPY on PostgreSQL (tests lower it to cover COPY).
COPY_THRESHOLD = 2000
# Distinct facts remembered per rule set before its memo is cleared (bounds memory). At a
# million employers 200,000 took the run to 478 MiB at its peak, 100,000 to 427 MiB for about
# 7 % more time, 50,000 to 341 MiB for about 10 % (2026年12月1日): the process stays clear of
# the 500 MiB budget.
MEMO_LIMIT = 100_000


@dataclass(slots=True)
class Result:
    grade: str
    rules: tuple[str, ...]
    rules_json: str
    facts_json: str

    @property
    def facts(self) -> dict:
        return json.loads(self.facts_json)


@dataclass(slots=True)
class Row:
    employer_id: int
    grading_jurisdiction_id: int | None
    ruleset: RuleSet
    result: Result


class Evaluator:
    """Facts → results for many employers; one evaluation per distinct (rule set, facts)."""

    def __init__(self, span: Span, assignments: Assignments):
        self.span = span
        self.assignments = assignments
        self.decoder = KeyDecoder(span)
        self._memo: dict = {}  # rule set key: ({fact key: Result}, Decisions)
        self._plans: dict = {}  # (jurisdiction, employer kind): see _plan
        self._rules_json: dict = {}
        self.evaluations = 0

    def _ruleset_memo(self, ruleset: RuleSet) -> tuple[dict, Decisions]:
        memo = self._memo.get(ruleset.key)
        if memo is None:
            memo = self._memo[ruleset.key] = ({}, Decisions(ruleset, self.decoder))
        return memo

    def result(self, ruleset: RuleSet, key) -> Result:
        memo, decisions = self._ruleset_memo(ruleset)
        result = memo.get(key)
        if result is None:
            result = self._evaluate(memo, decisions, key)
        return result

    def _evaluate(self, memo: dict, decisions: Decisions, key) -> Result:
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        evaluation = decisions.evaluate(key)
        rules_json = self._rules_json.get(evaluation.rules)
        if rules_json is None:
            rules_json = self._rules_json[evaluation.rules] = json.dumps(list(evaluation.rules))
        result = memo[key] = Result(
            evaluation.grade, evaluation.rules, rules_json, self.decoder.facts_json(key)
        )
        self.evaluations += 1
        return result

    def _plan(self, jurisdiction_id, kind) -> tuple:
        """(grading jurisdiction, ((rule set, its memo, its decisions), …)) for an employer."""
        found = self.assignments.applicable(jurisdiction_id, kind)
        plan = self._plans[(jurisdiction_id, kind)] = (
            found.grading_jurisdiction_id,
            tuple((rs, *self._ruleset_memo(rs)) for rs in found.rulesets),
        )
        return plan

    def rows(self, fact_rows_: Iterable) -> Iterator[Row]:
        plans = self._plans
        evaluate = self._evaluate
        for employer_id, jurisdiction_id, key in fact_rows_:
            plan = plans.get((jurisdiction_id, key[0]))
            if plan is None:
                plan = self._plan(jurisdiction_id, key[0])
            grading_jurisdiction_id, applied = plan
            for ruleset, memo, decisions in applied:
                result = memo.get(key)
                if result is None:
                    result = evaluate(memo, decisions, key)
                yield Row(employer_id, grading_jurisdiction_id, ruleset, result)


def evaluate(span: Span, selection: EmployerSelection, assignments: Assignments) -> list[Row]:
    return list(Evaluator(span, assignments).rows(fact_rows(span, selection)))


class Tally:
    """Counts stored with a chunk and summed into its run, taken as the rows go by."""

    def __init__(self):
        self.employers: set[int] = set()
        self.by_result: Counter = Counter()

    def passing(self, rows: Iterable[Row]) -> Iterator[Row]:
        """``rows`` unchanged, each counted on its way (a chunk streamed into COPY)."""
        employers, by_result = self.employers, self.by_result
        for row in rows:
            employers.add(row.employer_id)
            by_result[(row.grading_jurisdiction_id, row.ruleset.code, row.result.grade)] += 1
            yield row

    def counts(self) -> dict:
        grades: Counter = Counter()
        cycles: Counter = Counter()
        for (jurisdiction_id, code, grade), n in self.by_result.items():
            grades[f"{code}:{grade}"] += n
            cycles[f"{jurisdiction_id}:{code}"] += n
        return {"employers": len(self.employers), "grades": dict(grades), "cycles": dict(cycles)}


def tally(rows: Iterable[Row]) -> dict:
    """Counts stored with a chunk and summed into its run."""
    counter = Tally()
    for _row in counter.passing(rows):
        pass
    return counter.counts()


NULL = "\\N"  # COPY text format


def copy_text(value) -> str:
    """One field in COPY's text format."""
    if value is None:
        return NULL
    if type(value) is str:
        text = value
    else:
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_lines(table: str, columns: list[str], lines: Iterable[str], batch: int = 20_000) -> None:
    """COPY already formatted lines (text format), written in batches."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            buffer = []
            for line in lines:
                buffer.append(line)
                if len(buffer) >= batch:
                    copy.write("".join(buffer))
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))


def _use_copy(count: int) -> bool:
    return connection.vendor == "postgresql" and count > COPY_THRESHOLD


# --- cycle runs: Grade rows ---------------------------------------------------------------------
GRADE_COLUMNS = [
    "run_id", "employer_id", "jurisdiction_id", "ruleset_code", "ruleset_version", "as_of",
    "cycle_year", "grade", "rules", "facts",
]  # fmt: skip


def _grade_texts(run: GradingRun, batches: Iterable[list[Row]], counter: Tally) -> Iterator[str]:
    """COPY text of Grade rows, one string per batch of rows, counting them into ``counter``
    on the way; the part of a line that depends only on the result is formatted once per chunk
    (the result is held with it, so its id cannot be reused while the chunk is written)."""
    head = f"{run.pk}\t"
    tails: dict[int, tuple[Result, str]] = {}
    prefixes: dict[tuple, str] = {}
    as_of, year = copy_text(run.as_of), copy_text(run.cycle_year)
    employers, by_result = counter.employers, counter.by_result
    for batch in batches:
        lines = []
        append = lines.append
        for r in batch:
            result = r.result
            found = tails.get(id(result))
            if found is None:
                fields = (
                    f"{copy_text(result.grade)}\t{copy_text(result.rules_json)}\t"
                    f"{copy_text(result.facts_json)}\n"
                )
                ruleset = r.ruleset
                prefix = prefixes.get(ruleset.key)
                if prefix is None:
                    prefix = prefixes[ruleset.key] = (
                        f"{copy_text(ruleset.code)}\t{copy_text(ruleset.version)}\t{as_of}\t"
                        f"{year}\t"
                    )
                found = tails[id(result)] = (result, prefix + fields)
            employer_id, jurisdiction = r.employer_id, r.grading_jurisdiction_id
            employers.add(employer_id)
            by_result[(jurisdiction, r.ruleset.code, result.grade)] += 1
            append(
                f"{head}{employer_id}\t{NULL if jurisdiction is None else jurisdiction}\t{found[1]}"
            )
        yield "".join(lines)


def _copy_texts(table: str, columns: list[str], texts: Iterable[str]) -> None:
    """COPY text already formatted, one write per piece."""
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for text in texts:
                copy.write(text)


COPY_BATCH = 5000  # rows per write of a chunk given whole


def write_grades(
    run: GradingRun,
    selection: EmployerSelection,
    rows: list[Row] | None = None,
    *,
    batches: Iterable[list[Row]] | None = None,
    expected: int = 0,
) -> dict:
    """Store a chunk's results for a cycle run: the chunk's old rows (from an attempt that got
    this far before) are replaced, so redoing a chunk leaves each employer graded once. Returns
    the chunk's counts (``tally``).

    The results come whole (``rows``) or as ``batches`` still being evaluated (the pipelined
    run, about ``expected`` rows in all): with COPY each batch is sent as it comes, so
    PostgreSQL stores one batch while the next is evaluated."""
    if batches is None:
        rows = rows or []
        batches = (rows[i : i + COPY_BATCH] for i in range(0, len(rows), COPY_BATCH))
        expected = len(rows)
    counter = Tally()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM grading_grade WHERE run_id = %s AND "
                f"{id_filter('employer_id', selection)}",
                [run.pk],
            )
        if _use_copy(expected):
            _copy_texts("grading_grade", GRADE_COLUMNS, _grade_texts(run, batches, counter))
        else:
            Grade.objects.bulk_create(
                [
                    Grade(
                        run=run, employer_id=r.employer_id,
                        jurisdiction_id=r.grading_jurisdiction_id, ruleset_code=r.ruleset.code,
                        ruleset_version=r.ruleset.version, as_of=run.as_of,
                        cycle_year=run.cycle_year, grade=r.result.grade,
                        rules=list(r.result.rules), facts=r.result.facts,
                    )
                    for r in counter.passing(row for batch in batches for row in batch)
                ],
                batch_size=1000,
            )  # fmt: skip
    return counter.counts()


# --- live grades: CurrentGrade upserts and GradeChange history ---------------------------------

CURRENT_COLUMNS = [
    "employer_id", "ruleset_code", "ruleset_version", "as_of", "window_start", "grade",
    "rules", "facts", "computed_at", "run_id",
]  # fmt: skip


def upsert_current_grades(
    span: Span,
    selection: EmployerSelection,
    rows: list[Row],
    *,
    run: GradingRun | None = None,
    record=None,
) -> list[GradeChange]:
    """Make the live grades of the selected employers equal to ``rows``; a changed grade (or a
    first one) gets a GradeChange naming the record or run that caused it. Idempotent: a second
    call with the same rows changes nothing and records no change."""
    now = timezone.now()
    with transaction.atomic():
        existing = {
            (c.employer_id, c.ruleset_code): c
            for c in CurrentGrade.objects.select_for_update()
            .filter(_orm_filter(selection))
            .only("id", "employer_id", "ruleset_code", "grade", "rules", "as_of")
        }
        changes = []
        fresh = set()
        for r in rows:
            key = (r.employer_id, r.ruleset.code)
            fresh.add(key)
            before = existing.get(key)
            if before is None or before.grade != r.result.grade:
                changes.append(
                    GradeChange(
                        employer_id=r.employer_id, ruleset_code=r.ruleset.code, date=span.as_of,
                        old_grade=None if before is None else before.grade,
                        new_grade=r.result.grade,
                        old_rules=[] if before is None else before.rules,
                        new_rules=list(r.result.rules), record=record, run=run,
                    )
                )  # fmt: skip
        stale = [c.pk for key, c in existing.items() if key not in fresh]
        if stale:
            CurrentGrade.objects.filter(pk__in=stale).delete()
        run_id = run.pk if run else None
        if _use_copy(len(rows)):
            _upsert_current_copy(span, rows, now, run_id)
        else:
            CurrentGrade.objects.bulk_create(
                [
                    CurrentGrade(
                        employer_id=r.employer_id, ruleset_code=r.ruleset.code,
                        ruleset_version=r.ruleset.version, as_of=span.as_of,
                        window_start=span.window_start, grade=r.result.grade,
                        rules=list(r.result.rules), facts=r.result.facts, computed_at=now,
                        run_id=run_id,
                    )
                    for r in rows
                ],
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["employer", "ruleset_code"],
                update_fields=[
                    "ruleset_version", "as_of", "window_start", "grade", "rules", "facts",
                    "computed_at", "run",
                ],
            )  # fmt: skip
        if changes:
            GradeChange.objects.bulk_create(changes, batch_size=1000)
    return changes


def _upsert_current_copy(span: Span, rows: list[Row], now, run_id) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE grading_current_in (LIKE grading_currentgrade) ON COMMIT DROP"
        )
    shared = f"{copy_text(span.as_of)}\t{copy_text(span.window_start)}"
    stamp = "\t".join(copy_text(v) for v in (now, run_id))
    tails: dict[int, str] = {}

    def lines():
        for r in rows:
            tail = tails.get(id(r.result))
            if tail is None:
                tail = tails[id(r.result)] = (
                    f"{copy_text(r.ruleset.code)}\t{copy_text(r.ruleset.version)}\t{shared}\t"
                    f"{copy_text(r.result.grade)}\t{copy_text(r.result.rules_json)}\t"
                    f"{copy_text(r.result.facts_json)}\t{stamp}\n"
                )
            yield f"0\t{r.employer_id}\t{tail}"

    _copy_lines("grading_current_in", ["id", *CURRENT_COLUMNS], lines())
    columns = ", ".join(CURRENT_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in CURRENT_COLUMNS[2:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO grading_currentgrade ({columns}) "
            f"SELECT {columns} FROM grading_current_in "
            f"ON CONFLICT (employer_id, ruleset_code) DO UPDATE SET {updates}"
        )
        cursor.execute("DROP TABLE grading_current_in")


def _orm_filter(selection: EmployerSelection) -> Q:
    """The selection as a filter on CurrentGrade (the same employers as the fact query)."""
    where = Q()
    if selection.employer_ids is not None:
        where &= Q(employer_id__in=list(selection.employer_ids))
    if selection.first_id is not None:
        where &= Q(employer_id__gte=selection.first_id)
    if selection.last_id is not None:
        where &= Q(employer_id__lte=selection.last_id)
    if selection.jurisdiction_ids is not None:
        ids = list(selection.jurisdiction_ids)
        where &= Q(employer__jurisdiction_id__in=ids) | Q(employer__street_id__in=ids)
    return where
