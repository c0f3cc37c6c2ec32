"""The incremental nightly run (issue 15 item 5): regrade only the employers whose live grade may
have changed since the last complete run, and prove now and then that it agrees with a full run.

A live grade as of D is a pure function of the employer (kind, jurisdiction), the rule sets in
force on D (grading.assignments), and the ledger read through the dates of D (grading.facts,
grading.windows). Between the last complete live run of every employer (the *basis*, as of A)
and tonight (as of B ≥ A), an employer's grade can change only if

1. its ledger has a new entry (record, correction, void, repair — the ledger is append-only,
   so every change is a new row): id above the basis's ``ledger_watermark``, or created since
   the basis started (less a margin, for a transaction that took its id before the basis read
   the watermark and committed after);
2. the employer itself changed (``updated_at``/``created_at`` since the basis started: its kind
   or its jurisdiction choose the rule sets);
3. a dated record crossed one of the edges of the spans between A and B:
   - a record dated in (A, B] enters (``date ≤ as_of``), a repair dated in (A, B] takes effect;
   - a record dated in [W(A).start, W(B).start) or [L60(A).start, L60(B).start) leaves W or L60;
   - a list entry ending in those ranges stops overlapping W or L60 (listed(k, S));
   - a wage-arrears blacklisting dated between the two ``blacklist_from_*`` thresholds reaches
     its three-year expiry (SPEC §4 [r2], ``credit_records.periods.first_start_reaching``);
   - an end (revocation, restoration) in (A, B] ends a harmonious designation or a lost contact
     (``end_date > as_of``);
   - a lost contact reaches one year (xuchang C.4, both versions' readings, with a few days
     of margin);
4. and otherwise nothing that is not the employer's own: the rule sets in force and the
   jurisdiction tree (the ``fingerprint``), and the as_of year itself (xuchang C.5 reads
   ``as_of.year``). A change of any of these makes the run full.

The conditions are deliberately wide (every entry, effective or not, counts): a few employers
regraded for nothing cost little, one missed would keep a wrong grade. A full run every week
(``GRADING_FULL_RUN_WEEKDAY``, Sunday by default) and ``compare_with_full`` (``manage.py
check_live_grades``: a full evaluation compared with the stored live grades, writing nothing)
are the safety net; the differential test (tests/grading/test_incremental.py) checks the
conditions on random ledgers.

An incremental run is an ordinary live run (``GradingRun``, kind live, mode incremental) whose
chunks carry their employers' ids: the Celery path, the command line, the safety net and
supersession treat it like any other. The live grades it does not touch keep their ``as_of``
(the day they were last computed), which the check shows to be the same grade as tonight's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from credit_records.choices import RecordKind
from credit_records.periods import add_years
from employers.models import Jurisdiction

from . import engine
from .assignments import Assignments
from .choices import RunKind, RunMode, RunStatus
from .facts import EmployerSelection, fact_rows
from .models import CurrentGrade, GradingChunk, GradingRun
from .windows import Span

# Employers per chunk of an incremental run (the ids travel in the fact query's IN list).
INCREMENTAL_CHUNK_SIZE = 5000
# A ledger entry created this long before the basis started still counts as new.
CREATED_MARGIN = dt.timedelta(minutes=10)
LOST_CONTACT_MARGIN = dt.timedelta(days=3)
# With more candidates than this share of the employers, the run is full (faster then).
FULL_ABOVE = 0.3


def full_run_weekday() -> int | None:
    """The weekday (Monday 0 … Sunday 6) of the weekly full run; None: never by the calendar."""
    value = getattr(settings, "GRADING_FULL_RUN_WEEKDAY", 6)
    return None if value is None else int(value)


def incremental_enabled() -> bool:
    return bool(getattr(settings, "GRADING_INCREMENTAL", True))


def ledger_watermark() -> int:
    from credit_records.models import CreditRecord

    return CreditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def fingerprint(assignments: Assignments) -> str:
    """What, beyond an employer's own data, decides its grade: the assignments in force with
    the version each resolves to, and the jurisdiction tree."""
    assigned = sorted(
        (a.pk, a.jurisdiction_id, a.employer_kind, a.ruleset_code, assignments._ruleset(a).version)
        for rows in assignments.by_jurisdiction.values()
        for a in rows
    )
    tree = sorted(Jurisdiction.objects.values_list("pk", "parent_id"))
    data = json.dumps([assigned, tree], separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def basis_run() -> GradingRun | None:
    """The latest complete live run of every employer (full or incremental)."""
    return (
        GradingRun.objects.filter(
            kind=RunKind.LIVE,
            status=RunStatus.COMPLETE,
            jurisdiction__isnull=True,
            jurisdiction_ids__isnull=True,
        )
        .exclude(fingerprint="")
        .annotate(basis_time=Coalesce("resumed_at", "started_at"))
        .order_by("-basis_time", "-pk")
        .first()
    )


def _older_grades_since(basis: GradingRun) -> bool:
    """A live run (of any scope, finished or not) begun after ``basis`` that graded as of an
    earlier day: its employers' grades are older than the basis's, so the basis's edges do not
    cover them."""
    return (
        GradingRun.objects.filter(kind=RunKind.LIVE, as_of__lt=basis.as_of)
        .annotate(basis_time=Coalesce("resumed_at", "started_at"))
        .filter(basis_time__gt=basis.basis_at)
        .exists()
    )


@dataclass
class Plan:
    as_of: dt.date
    basis: GradingRun | None
    full_reason: str = ""  # why the run must be full ("" : incremental)
    employer_ids: list[int] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return bool(self.full_reason)


def plan(as_of: dt.date, *, basis: GradingRun | None = None, weekly: bool = True) -> Plan:
    """Decide between a full and an incremental run as of ``as_of`` (and find the employers)."""
    basis = basis or basis_run()
    if not incremental_enabled():
        return Plan(as_of, basis, "disabled")
    if weekly and full_run_weekday() is not None and as_of.weekday() == full_run_weekday():
        return Plan(as_of, basis, "weekly")
    if basis is None or basis.ledger_watermark is None:
        return Plan(as_of, basis, "no basis")
    if as_of < basis.as_of:
        return Plan(as_of, basis, "as_of before basis")
    if as_of.year != basis.as_of.year:
        return Plan(as_of, basis, "new year")
    if _older_grades_since(basis):
        return Plan(as_of, basis, "older live grades since the basis")
    if fingerprint(Assignments(as_of)) != basis.fingerprint:
        return Plan(as_of, basis, "rule sets or jurisdictions changed")
    employer_ids = changed_employers(basis, as_of)
    if len(employer_ids) > FULL_ABOVE * max(1, _employer_count()):
        # Chunks of id lists cost more per employer than primary-key ranges.
        return Plan(as_of, basis, "many changed", employer_ids)
    return Plan(as_of, basis, "", employer_ids)


def _employer_count() -> int:
    from employers.models import Employer

    return Employer.objects.count()


def _crossing_params(basis: GradingRun, as_of: dt.date) -> dict:
    before, after = Span.for_as_of(basis.as_of), Span.for_as_of(as_of)
    return {
        "watermark": basis.ledger_watermark,
        "since": basis.started_at - CREATED_MARGIN,
        "a": before.as_of,
        "b": after.as_of,
        "wa": before.window_start,
        "wb": after.window_start,
        "la": before.l60_start,
        "lb": after.l60_start,
        "bwa": before.blacklist_from_window,
        "bwb": after.blacklist_from_window,
        "bla": before.blacklist_from_l60,
        "blb": after.blacklist_from_l60,
        "lca": add_years(before.as_of, -1) - LOST_CONTACT_MARGIN,
        "lcb": add_years(after.as_of, -1) + LOST_CONTACT_MARGIN,
        "blacklist": RecordKind.WAGE_ARREARS_BLACKLIST,
        "lost_contact": RecordKind.LOST_CONTACT,
    }


CHANGED_SQL = """
    SELECT r.employer_id FROM credit_records_creditrecord r
    WHERE r.id > %(watermark)s OR r.created_at >= %(since)s
       OR (r.date > %(a)s AND r.date <= %(b)s)
       OR (r.repaired_on > %(a)s AND r.repaired_on <= %(b)s)
       OR (r.date >= %(wa)s AND r.date < %(wb)s)
       OR (r.date >= %(la)s AND r.date < %(lb)s)
       OR (r.end_date >= %(wa)s AND r.end_date < %(wb)s)
       OR (r.end_date >= %(la)s AND r.end_date < %(lb)s)
       OR (r.end_date > %(a)s AND r.end_date <= %(b)s)
       OR (r.kind = %(blacklist)s AND ((r.date >= %(bwa)s AND r.date < %(bwb)s)
                                       OR (r.date >= %(bla)s AND r.date < %(blb)s)))
       OR (r.kind = %(lost_contact)s AND r.date >= %(lca)s AND r.date <= %(lcb)s)
    UNION
    SELECT e.id FROM employers_employer e
    WHERE e.updated_at >= %(since)s OR e.created_at >= %(since)s
"""


def changed_employers(basis: GradingRun, as_of: dt.date) -> list[int]:
    """Every employer whose live grade may differ between ``basis`` and ``as_of`` (one pass over
    the ledger, one over the registry), in id order."""
    with connection.cursor() as cursor:
        cursor.execute(CHANGED_SQL, _crossing_params(basis, as_of))
        return sorted(row[0] for row in cursor.fetchall())


def run_fields(as_of: dt.date) -> dict:
    """What every live run of every employer records for a later incremental run."""
    return {"ledger_watermark": ledger_watermark(), "fingerprint": fingerprint(Assignments(as_of))}


@transaction.atomic
def start_incremental_run(
    the_plan: Plan, *, actor=None, chunk_size: int = INCREMENTAL_CHUNK_SIZE
) -> GradingRun:
    """An incremental live run of ``the_plan``'s employers (planned, not graded yet)."""
    from .services import _check_runner, _supersede_older_runs

    _check_runner(actor)
    span = Span.for_as_of(the_plan.as_of)
    assignments = Assignments(span.as_of)
    ids = the_plan.employer_ids
    batches = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    run = GradingRun.objects.create(
        kind=RunKind.LIVE,
        mode=RunMode.INCREMENTAL,
        basis_run=the_plan.basis,
        as_of=span.as_of,
        window_start=span.window_start,
        window_end=span.window_end,
        ruleset_versions=assignments.versions(),
        jurisdiction_ids=None,
        chunk_size=chunk_size,
        chunks_total=len(batches),
        counts={"candidates": len(ids)},
        started_by=actor if getattr(actor, "pk", None) else None,
        heartbeat_at=timezone.now(),
        ledger_watermark=ledger_watermark(),
        fingerprint=fingerprint(assignments),
    )
    GradingChunk.objects.bulk_create(
        GradingChunk(run=run, number=i, first_id=b[0], last_id=b[-1], employer_ids=b)
        for i, b in enumerate(batches)
    )
    _supersede_older_runs(run)
    return run


def start_nightly_run(
    as_of: dt.date, *, actor=None, force_full: bool = False, weekly: bool = True
) -> GradingRun:
    """The nightly live run: incremental when the plan allows it, full otherwise."""
    from .services import start_run

    the_plan = None if force_full else plan(as_of, weekly=weekly)
    if the_plan is None or the_plan.full:
        run = start_run(as_of=as_of, actor=actor)
        reason = "forced" if the_plan is None else the_plan.full_reason
        GradingRun.objects.filter(pk=run.pk).update(counts={**run.counts, "full_reason": reason})
        run.refresh_from_db()
        return run
    return start_incremental_run(the_plan, actor=actor)


# --- the check: an incremental and a full run agree ----------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    employer_id: int
    ruleset_code: str
    stored: tuple | None  # (version, grade, rules, facts) stored, None: missing
    computed: tuple | None  # the same from a full evaluation, None: should not exist


def _stored_key(grade: CurrentGrade) -> tuple:
    return (grade.ruleset_version, grade.grade, list(grade.rules), grade.facts)


def compare_with_full(as_of: dt.date | None = None, *, chunk_size: int = 20_000) -> list[Mismatch]:
    """Evaluate every employer as of ``as_of`` (default: the current live run's, else today) as a
    full run would, chunk by chunk, and compare with the stored live grades (version, grade,
    rules, facts — not the day each was computed). Writes nothing; [] when they agree."""
    from .services import _chunk_bounds

    if as_of is None:
        current = basis_run()
        as_of = current.as_of if current else timezone.localdate()
    span = Span.for_as_of(as_of)
    evaluator = engine.Evaluator(span, Assignments(as_of))
    mismatches: list[Mismatch] = []
    for first, last in _chunk_bounds(None, chunk_size):
        selection = EmployerSelection(first_id=first, last_id=last)
        computed = {
            (r.employer_id, r.ruleset.code): (
                r.ruleset.version,
                r.result.grade,
                list(r.result.rules),
                json.loads(r.result.facts_json),
            )
            for r in evaluator.rows(fact_rows(span, selection))
        }
        stored = {
            (g.employer_id, g.ruleset_code): _stored_key(g)
            for g in CurrentGrade.objects.filter(
                employer_id__gte=first, employer_id__lte=last
            ).only("employer_id", "ruleset_code", "ruleset_version", "grade", "rules", "facts")
        }
        for key in sorted(set(computed) | set(stored)):
            if computed.get(key) != stored.get(key):
                mismatches.append(Mismatch(key[0], key[1], stored.get(key), computed.get(key)))
    return mismatches
