"""Why an employer has its grade, and what would lift it and when — computed from the same
rules and the same fact definitions the engine uses (STYLE.md "the one flow that matters").

Read-only. Everything here works on one employer's ledger entries in plain Python through
``facts.reference_facts`` (SPEC §4 read literally, cross-checked against the engine's aggregate
SQL by tests/grading/test_facts_differential.py) and the rule predicates themselves:

- **the records a fired rule rests on** (``rule_basis``): the records that belong to some minimal
  set of records on which the rule still fires. A rule that fires with no record at all (第十条
  “未被发现…”, “未被查处”) rests on none; a “three cases or more” rule rests on every case record
  of the window; two penalties each suffice for 第十二条(一), so both are shown.
- **what would lift the grade and when** (``lift_plan``): the grade evaluated again on every day
  the facts can change without anybody acting — a record leaves the one-year window W or L60, a
  list's effective end (the blacklist's three-year expiry, 人社部令第45号 第十一条) leaves them —
  assuming no new record; and, for an obligation still unmet (a penalty not performed, a violation
  not corrected), the grade once it is met. Dates use ``credit_records.periods`` (民法典
  第二百零一、二百零二条) through ``grading.windows.Span``. A record whose repair is approved stops
  counting (SPEC §7 [r2]); the caller may pass ``repair_earliest`` (the objections app's
  eligibility) to show that way too — grading does not import the apps above it.

Nothing here shows a rule code to a person: pages get the rule's article and Chinese text.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from credit_records.choices import Performance, RecordKind, Rectification
from credit_records.periods import ONE_DAY, add_years, effective_list_end

from . import rulesets
from .facts import CASE_KINDS, LIST_KINDS, reference_facts
from .rulesets import GRADE_SEVERITY, RuleSet
from .selectors import RuleExplanation, grade_label, measures_for
from .windows import Span

# How far ahead the lift plan looks (the longest span a rule reads is L60: five years).
HORIZON_YEARS = 6
# Basis search is quadratic in the records that can matter; an employer with more than this many
# of them gets the most recent ones searched (the rest are still counted by the grade itself).
BASIS_LIMIT = 150


def _day(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


def effective_records(records: Iterable, as_of: dt.date) -> list:
    """The entries that count on ``as_of`` (SPEC §4): not void, not superseded, dated on or
    before ``as_of``, not repaired by then (``facts.reference_facts`` applies the same test)."""
    records = list(records)
    superseded = {r.supersedes_id for r in records if r.supersedes_id}
    return [
        r
        for r in records
        if r.entry_type != "void"
        and r.pk not in superseded
        and r.date <= as_of
        and (getattr(r, "repaired_on", None) is None or r.repaired_on > as_of)
    ]


def _facts(records, employer_kind: str, as_of: dt.date):
    return reference_facts(records, employer_kind=employer_kind, span=Span.for_as_of(as_of))


def _evaluate(ruleset: RuleSet, records, employer_kind: str, as_of: dt.date):
    return ruleset.evaluate(_facts(records, employer_kind, as_of))


# --- the records a rule rests on --------------------------------------------------------------


def rule_basis(rule, records: list, *, employer_kind: str, as_of: dt.date) -> list:
    """The effective ``records`` (as of ``as_of``) the fired ``rule`` rests on: a minimal set of
    records on which the rule still fires (found by dropping records one by one), plus every
    other record that can stand in for one of that set (two penalties each suffice for 第十二条
    (一): both are shown). [] when the rule fires on no record at all.

    Rules only grow more true with more records of the kinds they count, so a record that takes
    the place of a member of a minimal set belongs to a minimal set of its own; the search costs
    a number of evaluations linear in the records times the size of the set."""

    def fires(subset) -> bool:
        return rule.predicate(_facts(subset, employer_kind, as_of))

    if fires([]):
        return []
    empty = _facts([], employer_kind, as_of)
    # A record that changes no fact on its own changes none in company either (facts are
    # unions, counts and extremes of per-record contributions): leave it out of the search.
    candidates = [r for r in records if _facts([r], employer_kind, as_of) != empty]
    candidates.sort(key=lambda r: (r.date, r.pk), reverse=True)
    candidates = candidates[:BASIS_LIMIT]
    if not fires(candidates):
        return []
    minimal = list(candidates)
    for record in candidates:
        trial = [r for r in minimal if r is not record]
        if fires(trial):
            minimal = trial
    basis = list(minimal)
    for record in candidates:
        if any(record is m for m in minimal):
            continue
        for member in minimal:
            if fires([r for r in minimal if r is not member] + [record]):
                basis.append(record)
                break
    basis.sort(key=lambda r: (r.date, r.pk))
    return basis


# --- what would lift the grade ------------------------------------------------------------------


def leaves_span(day: dt.date, *, l60: bool = False) -> dt.date:
    """The first as_of whose window W (or L60) no longer contains ``day``: a record dated
    2024-05-10 counts in the live grade through 2025-05-09 and no longer from 2025-05-10."""

    def start(as_of):
        span = Span.for_as_of(as_of)
        return span.l60_start if l60 else span.window_start

    guess = add_years(day, 5 if l60 else 1)
    while start(guess) <= day:
        guess += ONE_DAY
    while start(guess - ONE_DAY) > day:
        guess -= ONE_DAY
    return guess


def _label(record) -> str:
    text = _("%(date)s的%(kind)s") % {
        "date": _day(record.date),
        "kind": RecordKind(record.kind).label,
    }
    if record.document_no:
        text += _("（%(no)s）") % {"no": record.document_no}
    return text


@dataclass
class Event:
    """Something that happens to a record on a day and may change the grade."""

    day: dt.date
    record: object
    text: str  # the condition in plain Chinese, e.g. “黑名单于2024年8月1日届满后”


def record_events(record, today: dt.date, horizon: dt.date) -> list[Event]:
    """The days after ``today`` on which ``record`` stops counting somewhere."""
    out = []
    kind = record.kind
    if kind in LIST_KINDS:
        end = effective_list_end(kind, record.date, record.end_date)
        if end is not None:
            if kind == RecordKind.WAGE_ARREARS_BLACKLIST and (
                record.end_date is None or end < record.end_date
            ):
                ended = _("黑名单于%(d)s届满（列入之日起3年）后") % {"d": _day(end)}
            else:
                ended = _("%(label)s于%(d)s移出或终止后") % {
                    "label": _label(record),
                    "d": _day(end),
                }
            out.append(Event(end + ONE_DAY, record, ended))
            out.append(Event(leaves_span(end), record, ended))
            out.append(Event(leaves_span(end, l60=True), record, ended))
    else:
        out.append(
            Event(
                leaves_span(record.date),
                record,
                _("%(label)s移出评价期（近一年）后") % {"label": _label(record)},
            )
        )
        out.append(
            Event(
                leaves_span(record.date, l60=True),
                record,
                _("%(label)s移出近60个月后") % {"label": _label(record)},
            )
        )
    if kind == RecordKind.LOST_CONTACT and record.end_date is None:
        out.append(Event(add_years(record.date, 1), record, _("失联满1年")))
    return [e for e in out if today < e.day <= horizon]


def _obligation_met(record):
    """A copy of ``record`` with its obligation met, and the condition in words; else None."""
    if record.kind not in CASE_KINDS:
        return None
    if record.rectification == Rectification.NOT_RECTIFIED:
        met = copy.copy(record)
        met.rectification = Rectification.RECTIFIED
        return met, _("%(label)s整改完毕后") % {"label": _label(record)}
    if record.performance in (Performance.PENDING, Performance.REFUSED):
        met = copy.copy(record)
        met.performance = Performance.PERFORMED
        return met, _("%(label)s履行完毕后") % {"label": _label(record)}
    return None


@dataclass
class LiftStep:
    grade: str
    grade_label: str
    day: dt.date | None  # from this day (None: as soon as the conditions are met)
    conditions: list[str]
    records: list
    better: bool  # the grade is better than the one before this step
    worse: bool = False  # the grade is worse than the one before (a lost contact reaching 1 year)


@dataclass
class LiftPlan:
    actions: list[tuple[object, str]] = field(default_factory=list)  # (record, condition)
    after_actions: list[LiftStep] = field(default_factory=list)  # once the actions are done
    waiting: list[LiftStep] = field(default_factory=list)  # with nobody acting
    repairs: list[tuple[object, dt.date | None]] = field(default_factory=list)
    repair_step: LiftStep | None = None
    best: bool = False  # already the best grade
    # The annual cycles ahead (评价周期为一年, W = the calendar year) as the records stand:
    # (year, grade, grade label), this year first.
    annual: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.actions or self.after_actions or self.waiting or self.repair_step)


def _better(new: str, old: str) -> bool:
    return bool(new) and bool(old) and GRADE_SEVERITY[new] < GRADE_SEVERITY[old]


def _timeline(ruleset, records, employer_kind, today, grade) -> list[LiftStep]:
    horizon = add_years(today, HORIZON_YEARS)
    events: dict[dt.date, list[Event]] = {}
    for record in effective_records(records, today):  # voided or superseded entries never count
        for event in record_events(record, today, horizon):
            events.setdefault(event.day, []).append(event)
    steps = []
    previous = grade
    for day in sorted(events):
        current = effective_records(records, day)
        evaluation = _evaluate(ruleset, current, employer_kind, day)
        if evaluation.grade == previous:
            continue
        seen, conditions, recs = set(), [], []
        for event in events[day]:
            if event.text not in seen:
                seen.add(event.text)
                conditions.append(event.text)
            if all(r is not event.record for r in recs):
                recs.append(event.record)
        steps.append(
            LiftStep(
                grade=evaluation.grade,
                grade_label=grade_label(ruleset.code, evaluation.grade, ruleset.version),
                day=day,
                conditions=conditions,
                records=recs,
                better=_better(evaluation.grade, previous),
                worse=_better(previous, evaluation.grade),
            )
        )
        previous = evaluation.grade
    return steps


def lift_plan(
    ruleset: RuleSet,
    records: list,
    *,
    employer_kind: str,
    today: dt.date,
    grade: str,
    repair_earliest: Callable | None = None,
) -> LiftPlan:
    """What would change the grade ``grade`` (the live grade on ``today`` under ``ruleset``)
    and when, if no new record comes (see the module docstring)."""
    plan = LiftPlan()
    if not grade:
        return plan
    if grade == ruleset.grades[0]:
        plan.best = True
    effective = effective_records(records, today)
    # Obligations still unmet: the grade once they are met, then with time.
    met_records = list(records)
    for index, record in enumerate(met_records):
        if not any(record is e for e in effective):
            continue
        met = _obligation_met(record)
        if met is not None:
            met_records[index] = met[0]
            plan.actions.append((record, met[1]))
    if plan.actions:
        evaluation = _evaluate(ruleset, effective_records(met_records, today), employer_kind, today)
        first = LiftStep(
            grade=evaluation.grade,
            grade_label=grade_label(ruleset.code, evaluation.grade, ruleset.version),
            day=None,
            conditions=[c for _r, c in plan.actions],
            records=[r for r, _c in plan.actions],
            better=_better(evaluation.grade, grade),
            worse=_better(grade, evaluation.grade),
        )
        plan.after_actions = [first, *_timeline(
            ruleset, met_records, employer_kind, today, evaluation.grade
        )]  # fmt: skip
    plan.waiting = _timeline(ruleset, records, employer_kind, today, grade)
    for year in range(today.year, today.year + 3):
        as_of = dt.date(year, 12, 31)
        annual = _evaluate(ruleset, effective_records(records, as_of), employer_kind, as_of).grade
        plan.annual.append((year, annual, grade_label(ruleset.code, annual, ruleset.version)))
    # Credit repair (SPEC §7 [r2]): a repaired record stops counting.
    if repair_earliest is not None and not plan.best:
        repairable = []
        now = _facts(effective, employer_kind, today)
        for record in effective:
            without_one = [r for r in effective if r is not record]
            if _facts(without_one, employer_kind, today) == now:
                continue  # repairing it changes nothing the rules read
            earliest = repair_earliest(record, today)
            if earliest is not False:
                repairable.append((record, earliest))
        if repairable:
            plan.repairs = repairable
            without = [r for r in effective if all(r is not x for x, _d in repairable)]
            without = [next((m for m in met_records if m.pk == r.pk), r) for r in without]
            evaluation = _evaluate(ruleset, without, employer_kind, today)
            if _better(evaluation.grade, grade):
                plan.repair_step = LiftStep(
                    grade=evaluation.grade,
                    grade_label=grade_label(ruleset.code, evaluation.grade, ruleset.version),
                    day=None,
                    conditions=[
                        _("%(label)s经信用修复获批后") % {"label": _label(r)}
                        for r, _d in repairable
                    ],
                    records=[r for r, _d in repairable],
                    better=True,
                )
    return plan


# --- one employer's grade, explained ---------------------------------------------------------


@dataclass
class FiredRule:
    rule: RuleExplanation  # article and Chinese text (its code is for programs, not pages)
    records: list
    # False for a rule that holds with no record at all (第十条 “未被发现…”, “未被查处”).
    rests_on_records: bool = True


@dataclass
class GradeExplanation:
    ruleset: RuleSet | None
    grade: str
    grade_label: str
    rules: list[FiredRule]
    measures: list
    as_of: dt.date | None = None
    window_start: dt.date | None = None


def explain_grade(
    ruleset_code: str,
    version: str,
    grade: str,
    rule_codes: Iterable[str],
    *,
    records: list | None = None,
    employer_kind: str = "",
    as_of: dt.date | None = None,
) -> GradeExplanation:
    """A stored or computed grade with, for each fired rule, its article and Chinese text and —
    when ``records`` (every ledger entry of the employer) and ``as_of`` are given — the
    records it rests on."""
    rule_codes = list(rule_codes)
    try:
        ruleset = rulesets.get(ruleset_code, version)
    except KeyError:
        ruleset = None
    effective = effective_records(records, as_of) if records is not None and as_of else None
    # The facts of no record at all: the same for every rule, computed once.
    no_records = _facts([], employer_kind, as_of) if effective is not None else None
    fired = []
    for code in rule_codes:
        rule = None
        if ruleset is not None:
            try:
                rule = ruleset.rule(code)
            except KeyError:
                rule = None
        if rule is None:
            continue  # an unknown code is never shown
        basis = []
        rests_on_records = True
        if effective is not None:
            basis = rule_basis(rule, effective, employer_kind=employer_kind, as_of=as_of)
            rests_on_records = not rule.predicate(no_records)
        fired.append(
            FiredRule(
                RuleExplanation(rule.code, rule.grade, rule.article, rule.text),
                basis,
                rests_on_records,
            )
        )
    span = Span.for_as_of(as_of) if as_of else None
    return GradeExplanation(
        ruleset=ruleset,
        grade=grade,
        grade_label=grade_label(ruleset_code, grade, version),
        rules=fired,
        measures=measures_for(ruleset_code, grade, version, rule_codes) if ruleset else [],
        as_of=as_of,
        window_start=span.window_start if span else None,
    )
