"""Reads of grades that pages and other apps use (publication, objections).

Scoping is the caller's: pass querysets through ``employers.selectors.scope_by_employer`` (the
page helpers below do).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from employers.choices import STAFF_ROLES, EmployerKind, Industry
from employers.models import Employer, Jurisdiction
from employers.selectors import scope_by_employer, visible_jurisdictions

from . import rulesets
from .choices import GradeLetter, OverrideStatus, RunKind, RunStatus
from .models import (
    CurrentGrade,
    Cycle,
    Grade,
    GradeChange,
    GradeOverride,
    GradingRun,
)
from .rulesets import Measure


# --- explanations ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleExplanation:
    code: str
    grade: str
    article: str
    text: str
    interpretation: str = ""

    def __iter__(self):  # unpacks as (code, grade, article, text)
        return iter((self.code, self.grade, self.article, self.text))


def rule_explanations(codes: Iterable[str], version: str | None = None) -> list[RuleExplanation]:
    """(code, grade, article, text) of each code, from the rule-set version that fired it."""
    out = []
    for code in codes:
        try:
            rule = rulesets.rule_by_code(code, version)
        except KeyError:
            out.append(RuleExplanation(code, "", "", ""))
            continue
        out.append(
            RuleExplanation(rule.code, rule.grade, rule.article, rule.text, rule.interpretation)
        )
    return out


def measures_for(
    ruleset_code: str, grade: str, version: str | None = None, fired: Iterable[str] = ()
) -> list[Measure]:
    """The measures (激励/惩戒措施) of a grade under a rule set; with ``fired``, only those that
    apply to the rules that fired (jiaxian 第十七条 distinguishes a penalty from the blacklist)."""
    if not grade:
        return []
    ruleset = rulesets.get(ruleset_code, version)
    fired = list(fired)
    if fired:
        return ruleset.measures_for(grade, fired)
    return list(ruleset.measures.get(grade, ()))


def grade_label(ruleset_code: str, grade: str, version: str | None = None) -> str:
    if not grade:
        return str(GradeLetter.UNGRADED.label)
    try:
        label = rulesets.get(ruleset_code, version).grade_labels.get(grade, grade)
    except KeyError:
        return grade
    return gettext(label)  # the rule set marks its labels with gettext_noop


# --- live grades ----------------------------------------------------------------------------------
def current_grades(employer) -> list[CurrentGrade]:
    return list(CurrentGrade.objects.filter(employer=employer).order_by("ruleset_code"))


def current_grade(employer, ruleset_code: str | None = None) -> CurrentGrade | None:
    """The live grade of an employer (under ``ruleset_code``, or its first rule set)."""
    grades = CurrentGrade.objects.filter(employer=employer)
    if ruleset_code:
        grades = grades.filter(ruleset_code=ruleset_code)
    return grades.order_by("ruleset_code").first()


def grade_history(employer, limit: int = 50) -> QuerySet:
    return (
        GradeChange.objects.filter(employer=employer)
        .select_related("record", "run")
        .order_by("-at", "-id")[:limit]
    )


# --- cycles ---------------------------------------------------------------------------------------
@dataclass
class CycleRow:
    employer: Employer
    grade: Grade  # the computed result (with its rule-set version and facts)
    computed_grade: str
    final_grade: str  # approved override, else computed
    rules: list[str]  # fired rule codes of the computed grade
    override: GradeOverride | None  # the approved override, if any

    @property
    def overridden(self) -> bool:
        return self.override is not None


def cycle_grades(cycle: Cycle) -> QuerySet:
    """The computed Grade rows of a cycle (empty until it has a run)."""
    if not cycle.run_id:
        return Grade.objects.none()
    return Grade.objects.filter(
        run_id=cycle.run_id, ruleset_code=cycle.ruleset_code, jurisdiction_id=cycle.jurisdiction_id
    )


# A run's computed counts stay this long in the cache (a new run is a new key).
COUNTS_CACHE_SECONDS = 7 * 24 * 3600


def computed_counts(cycle: Cycle, *, refresh: bool = False) -> dict:
    """{computed grade: employers} of the cycle's run (a GROUP BY over every grade: 0.5 s at a
    million employers). A run's grade rows never change once the cycle points at the run, so
    the counts are kept in the cache, keyed by the run and the cycle's rule set and
    jurisdiction — a new run is a new key. ``refresh`` counts again (a run warms the cache of
    the cycles it computed, ``services``)."""
    from django.core.cache import cache
    from django.db.models import Count

    if not cycle.run_id:
        return {}
    key = f"grading:computed-counts:{cycle.run_id}:{cycle.ruleset_code}:{cycle.jurisdiction_id}"
    counts = None if refresh else cache.get(key)
    if counts is None:
        counts = dict(cycle_grades(cycle).order_by().values_list("grade").annotate(n=Count("pk")))
        cache.set(key, counts, timeout=COUNTS_CACHE_SECONDS)
    return counts


def approved_overrides(grades: QuerySet | Iterable[int]) -> dict[int, GradeOverride]:
    """The latest approved override of each grade, by grade id; ``grades`` a Grade queryset
    or a list of grade ids."""
    out = {}
    ids = grades.values("pk") if isinstance(grades, QuerySet) else grades
    approved = GradeOverride.objects.filter(
        grade_id__in=ids, status=OverrideStatus.APPROVED
    ).order_by("decided_at", "id")
    for override in approved:
        out[override.grade_id] = override  # the latest approval wins
    return out


def cycle_results(cycle: Cycle, *, employers: QuerySet | None = None) -> Iterator[CycleRow]:
    """Every employer of a cycle with its computed grade, final grade and fired rules, ordered
    by USCC. ``employers`` (a scoped Employer queryset) restricts the rows."""
    grades = cycle_grades(cycle)
    if employers is not None:
        grades = grades.filter(employer__in=employers.values("pk"))
    overrides = approved_overrides(grades)
    rows = grades.select_related("employer", "employer__jurisdiction", "employer__street")
    for grade in rows.order_by("employer__uscc").iterator(chunk_size=2000):
        override = overrides.get(grade.pk)
        yield CycleRow(
            employer=grade.employer,
            grade=grade,
            computed_grade=grade.grade,
            final_grade=override.proposed_grade if override else grade.grade,
            rules=list(grade.rules),
            override=override,
        )


def cycles_for_year(year: int, jurisdiction: Jurisdiction | None = None) -> QuerySet:
    cycles = Cycle.objects.filter(year=year).select_related("jurisdiction", "run")
    if jurisdiction is not None:
        cycles = cycles.filter(jurisdiction__in=jurisdiction.subtree())
    return cycles.order_by("jurisdiction__path", "ruleset_code")


def employer_cycle_grades(employer) -> list[dict]:
    """The employer's results in every cycle (newest first) with computed and final grade and
    the review history of each."""
    cycles = Cycle.objects.filter(run__isnull=False).select_related("jurisdiction")
    by_run = {(c.run_id, c.ruleset_code, c.jurisdiction_id): c for c in cycles}
    out = []
    grades = Grade.objects.filter(employer=employer, run_id__in={c.run_id for c in cycles})
    for grade in grades.order_by("-cycle_year", "ruleset_code"):
        cycle = by_run.get((grade.run_id, grade.ruleset_code, grade.jurisdiction_id))
        if cycle is not None:
            overrides = list(
                grade.overrides.select_related("proposed_by", "decided_by").order_by("proposed_at")
            )
            approved = [o for o in overrides if o.status == OverrideStatus.APPROVED]
            out.append(
                {
                    "cycle": cycle,
                    "grade": grade,
                    "final_grade": approved[-1].proposed_grade if approved else grade.grade,
                    "overrides": overrides,
                    "pending": any(o.status == OverrideStatus.PENDING for o in overrides),
                }
            )
    return out


def visible_cycles(user) -> QuerySet:
    cycles = Cycle.objects.select_related("jurisdiction", "run")
    if not user.is_authenticated or user.role not in STAFF_ROLES:
        return cycles.none()
    return cycles.filter(jurisdiction__in=visible_jurisdictions(user))


def pending_overrides(user) -> QuerySet:
    overrides = GradeOverride.objects.select_related(
        "grade", "grade__employer", "grade__run", "proposed_by", "decided_by"
    )
    return scope_by_employer(overrides, user, "grade__employer")


# --- runs -----------------------------------------------------------------------------------------
def current_live_run() -> GradingRun | None:
    return GradingRun.objects.filter(
        kind=RunKind.LIVE, status=RunStatus.COMPLETE, is_current=True
    ).first()


# --- overview: grade distribution by street, kind and industry -----------------------------------
def grade_distribution(employers: QuerySet, *, cycle: Cycle | None = None) -> dict:
    """Counts of grades by street, kind and industry among ``employers`` (already scoped): the
    live grades, or the final grades of ``cycle``."""
    if cycle is None:
        source = CurrentGrade.objects.filter(employer__in=employers.values("pk"))
        grade_field = "grade"
        rows = source.values(
            "grade", "employer__street__name", "employer__kind", "employer__industry"
        ).annotate(n=Count("id"))
        data = [
            (
                r[grade_field],
                r["employer__street__name"],
                r["employer__kind"],
                r["employer__industry"],
                r["n"],
            )
            for r in rows
        ]
    else:
        data_counter: dict = defaultdict(int)
        for row in cycle_results(cycle, employers=employers):
            e = row.employer
            data_counter[
                (row.final_grade, e.street.name if e.street_id else None, e.kind, e.industry)
            ] += 1
        data = [(*k, n) for k, n in data_counter.items()]
    kinds = dict(EmployerKind.choices)
    industries = dict(Industry.choices)
    by = {"street": defaultdict(lambda: defaultdict(int)),
          "kind": defaultdict(lambda: defaultdict(int)),
          "industry": defaultdict(lambda: defaultdict(int))}  # fmt: skip
    totals: dict[str, int] = defaultdict(int)
    for grade, street, kind, industry, n in data:
        grade = grade or ""
        by["street"][street or str(_("（未填写街道）"))][grade] += n
        by["kind"][str(kinds.get(kind, kind))][grade] += n
        by["industry"][str(industries.get(industry, industry))][grade] += n
        totals[grade] += n
    return {
        "totals": dict(totals),
        "by": {dim: {k: dict(v) for k, v in sorted(groups.items())} for dim, groups in by.items()},
    }


# --- the latest published grade (sampling by grade: written review, patrol plans) ------------
@dataclass(frozen=True)
class PublishedGrade:
    grade: str
    year: int
    ruleset_code: str
    cycle_id: int


# Hooks that adjust published grades after publication (a dated adjustment, SPEC §8). The app
# that records adjustments sits above grading, so it registers here instead of being imported:
# fn(rows: list[dict(cycle_id, employer_id, grade)], as_of: date | None) -> {(cycle_id,
# employer_id): grade in force}.
_PUBLISHED_GRADE_ADJUSTERS: list = []


def register_published_grade_adjuster(fn) -> None:
    if fn not in _PUBLISHED_GRADE_ADJUSTERS:
        _PUBLISHED_GRADE_ADJUSTERS.append(fn)


_WORST_FIRST = {"D": 0, "C": 1, "B": 2, "A": 3}


def latest_published_grades(
    employer_ids: Iterable[int], *, up_to_year: int | None = None, as_of=None, chunk: int = 5000
) -> dict[int, PublishedGrade]:
    """{employer id: its grade in the latest published cycle} (cycles of year ≤ ``up_to_year``).

    The published grade is the cycle's final grade (an approved override, else the computed
    one), as ``publication.publish`` snapshots it, with any later dated adjustment in force on
    ``as_of`` applied through the registered adjusters. An employer graded under two rule sets
    in the same latest year gets the worse grade (interpretation: sampling errs towards review).
    Ungraded results (未评级) are not published and give nothing. One query per 2,000 employers.
    """
    from .choices import CycleStatus

    cycles = Cycle.objects.filter(status=CycleStatus.PUBLISHED, run__isnull=False)
    if up_to_year is not None:
        cycles = cycles.filter(year__lte=up_to_year)
    by_key = {
        (c["run_id"], c["ruleset_code"], c["jurisdiction_id"]): c
        for c in cycles.values("id", "run_id", "ruleset_code", "jurisdiction_id", "year")
    }
    out: dict[int, PublishedGrade] = {}
    if not by_key:
        return out
    run_ids = sorted({key[0] for key in by_key})
    ids = sorted(set(employer_ids))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        wanted = set(part)
        grades = Grade.objects.filter(run_id__in=run_ids)
        if part[-1] - part[0] < 4 * len(part):
            # Dense ids (a chunk of one jurisdiction): a range scan of the (run, employer)
            # index is much cheaper than thousands of probes; others are dropped below.
            grades = grades.filter(employer_id__gte=part[0], employer_id__lte=part[-1])
        else:
            grades = grades.filter(employer_id__in=part)
        grades = [
            g
            for g in grades.values(
                "id", "employer_id", "run_id", "ruleset_code", "jurisdiction_id", "grade"
            )
            if g["employer_id"] in wanted
        ]
        overrides = {}
        for o in (
            GradeOverride.objects.filter(
                grade_id__in=[g["id"] for g in grades], status=OverrideStatus.APPROVED
            )
            .order_by("decided_at", "id")
            .values("grade_id", "proposed_grade")
        ):
            overrides[o["grade_id"]] = o["proposed_grade"]
        rows = []
        for g in grades:
            cycle = by_key.get((g["run_id"], g["ruleset_code"], g["jurisdiction_id"]))
            if cycle is None:
                continue
            final = overrides.get(g["id"], g["grade"])
            if final:
                rows.append(
                    {
                        "cycle_id": cycle["id"],
                        "employer_id": g["employer_id"],
                        "grade": final,
                        "year": cycle["year"],
                        "ruleset_code": g["ruleset_code"],
                    }
                )
        for adjuster in _PUBLISHED_GRADE_ADJUSTERS:
            adjusted = adjuster(rows, as_of)
            for row in rows:
                row["grade"] = adjusted.get((row["cycle_id"], row["employer_id"]), row["grade"])
        for row in rows:
            current = out.get(row["employer_id"])
            candidate = PublishedGrade(
                row["grade"], row["year"], row["ruleset_code"], row["cycle_id"]
            )
            if (
                current is None
                or row["year"] > current.year
                or (
                    row["year"] == current.year
                    and _WORST_FIRST.get(row["grade"], 9) < _WORST_FIRST.get(current.grade, 9)
                )
            ):
                out[row["employer_id"]] = candidate
    return out


# --- grades computed on demand, not stored (SPEC §5.1 [r2], §7 [r2]) ---------------------------
def grades_as_of(employer_ids, day, *, repaired_by=None) -> dict[int, dict[str, tuple]]:
    """{employer id: {rule set code: (grade, rules, version)}} as the engine would grade them on
    ``day`` (live: the year ending on ``day``) — computed, not stored. ``repaired_by``: take the
    repairs approved up to that day into account (default: up to ``day``, as always)."""
    from .assignments import Assignments
    from .engine import Evaluator
    from .facts import EmployerSelection, fact_rows
    from .windows import Span

    ids = tuple(int(i) for i in employer_ids)
    if not ids:
        return {}
    span = Span.for_as_of(day)
    evaluator = Evaluator(span, Assignments(day))
    rows = fact_rows(span, EmployerSelection(employer_ids=ids), repaired_by=repaired_by)
    out: dict[int, dict[str, tuple]] = {}
    for row in evaluator.rows(rows):
        out.setdefault(row.employer_id, {})[row.ruleset.code] = (
            row.result.grade,
            tuple(row.result.rules),
            row.ruleset.version,
        )
    return out


def cycle_grade_with_repairs(
    employer_id: int, *, year: int, ruleset_code: str, version: str, repaired_by
) -> tuple[str, tuple[str, ...]] | None:
    """The grade a cycle's rule-set version gives the employer for ``year`` when the repairs
    approved up to ``repaired_by`` are taken into account (SPEC §7 [r2]: a published grade that
    a repair changes gets a dated adjustment). None when the version is unknown."""
    from .facts import EmployerSelection, compute_facts
    from .windows import Span

    try:
        ruleset = rulesets.get(ruleset_code, version)
    except KeyError:
        return None
    span = Span.for_cycle(year)
    facts = compute_facts(
        span, EmployerSelection(employer_ids=(int(employer_id),)), repaired_by=repaired_by
    ).get(int(employer_id))
    if facts is None:
        return None
    evaluation = ruleset.evaluate(facts)
    return evaluation.grade, tuple(evaluation.rules)
