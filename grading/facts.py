"""Facts: everything every rule needs about an employer, as of a date (SPEC §4).

The ``Facts`` value is what rule predicates read (pure Python, no ORM). ``compute_facts`` builds it
for a whole chunk of employers with a few aggregate queries over the ledger — never a query per
employer — and serves one employer (live regrade) and a million (nightly run) alike.

Only *effective* records count: not a void entry, not superseded by a later correction or void,
and dated on or before as_of (SPEC §4). Definitions, over the effective records:

- cases(S): distinct cases among violation / administrative_decision / administrative_penalty
  records dated in span S; records sharing a ``case_no`` are one case, a record without one is a
  case of its own;
- in(k, S): some record of kind k dated in S;
- listed(k, S): a list-like record of kind k overlaps S: date ≤ S.end and (no end_date or
  end_date ≥ S.start);
- outstanding: a record of any date ≤ as_of whose obligation is unmet (rectification
  not_rectified, performance pending or refused).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from django.db import connections
from django.utils.translation import gettext_lazy as _

from credit_records.choices import (
    Category,
    HarmoniousLevel,
    Performance,
    RecordKind,
    Rectification,
    Severity,
)
from credit_records.kinds import KIND_SPECS

# Records that mean "被查处" (being dealt with by the inspectorate), SPEC §4 cases(W).
CASE_KINDS = (
    RecordKind.VIOLATION,
    RecordKind.ADMINISTRATIVE_DECISION,
    RecordKind.ADMINISTRATIVE_PENALTY,
)
# Every harmonious-enterprise level is "county or higher" (seed 000 第九条 县级…).
HARMONIOUS_LEVELS = tuple(HarmoniousLevel.values)
SPAN_FIELDS = ("as_of", "window_start", "l60_start")


@dataclass(frozen=True)
class Facts:
    """What the ledger says about one employer as of ``as_of``."""

    as_of: dt.date
    window_start: dt.date
    l60_start: dt.date
    employer_kind: str
    cases_in_window: int = 0
    cases_in_l60: int = 0
    kinds_in_window: frozenset[str] = frozenset()  # in(k, W)
    kinds_in_l60: frozenset[str] = frozenset()  # in(k, L60)
    listed_in_window: frozenset[str] = frozenset()  # listed(k, W)
    listed_in_l60: frozenset[str] = frozenset()  # listed(k, L60)
    violation_severities_in_window: frozenset[str] = frozenset()
    violation_categories_in_window: frozenset[str] = frozenset()
    violation_incident_in_window: bool = False
    # "kind:status" of every unmet obligation, e.g. "administrative_penalty:refused".
    outstanding: frozenset[str] = frozenset()
    harmonious_in_force: bool = False  # a county-or-higher designation not revoked by as_of
    lost_contact_since: dt.date | None = None  # earliest lost contact not restored by as_of
    latest_public_credit_rating: str = ""  # value of the latest rating dated ≤ as_of
    annual_report_missing_years: tuple[int, ...] = ()

    # --- the vocabulary rules are written in -------------------------------------------------

    def in_window(self, *kinds: str) -> bool:
        return any(k in self.kinds_in_window for k in kinds)

    def in_l60(self, *kinds: str) -> bool:
        return any(k in self.kinds_in_l60 for k in kinds)

    def listed(self, kind: str) -> bool:
        return kind in self.listed_in_window

    def listed_l60(self, kind: str) -> bool:
        return kind in self.listed_in_l60

    def is_outstanding(self, kind: str, *statuses: str) -> bool:
        return any(f"{kind}:{status}" in self.outstanding for status in statuses)

    # --- storage ----------------------------------------------------------------------------

    def to_json(self, *, include_span: bool = True) -> dict:
        """Compact JSON stored with a grade: every fact that is not empty (and the span, unless
        the row stores it in its own columns)."""
        data = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SPAN_FIELDS and not include_span:
                continue
            if isinstance(value, dt.date):
                data[f.name] = value.isoformat()
            elif isinstance(value, frozenset):
                if value:
                    data[f.name] = sorted(value)
            elif isinstance(value, tuple):
                if value:
                    data[f.name] = list(value)
            elif value or f.name == "employer_kind":
                data[f.name] = value
        return data

    @classmethod
    def from_json(cls, data: dict) -> Facts:
        values = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name in ("as_of", "window_start", "l60_start", "lost_contact_since"):
                value = dt.date.fromisoformat(value) if value else None
            elif isinstance(value, list):
                value = (
                    tuple(value) if f.name == "annual_report_missing_years" else frozenset(value)
                )
            values[f.name] = value
        return cls(**values)


# --- computing facts: a few aggregate queries per chunk of employers ---------------------------
#
# Sets of kinds travel from SQL to Python as bit masks: every kind, severity, category and
# outstanding obligation gets a power of two, and the database ORs them per employer (BIT_OR on
# PostgreSQL; SUM(DISTINCT …) on SQLite, which is the same thing for powers of two).

KIND_BITS = {kind: 1 << i for i, kind in enumerate(RecordKind.values)}
SEVERITY_BITS = {value: 1 << i for i, value in enumerate(Severity.values)}
CATEGORY_BITS = {value: 1 << i for i, value in enumerate(Category.values)}
# Obligations that can be unmet (SPEC §4 outstanding): "kind:status".
OUTSTANDING_TOKENS = [
    f"{kind}:{status}"
    for kind in CASE_KINDS
    for status in (Rectification.NOT_RECTIFIED, Performance.PENDING, Performance.REFUSED)
]
OUTSTANDING_BITS = {token: 1 << i for i, token in enumerate(OUTSTANDING_TOKENS)}
# Kinds with an end (removal, revocation, restoration): what listed(k, S) is about.
LIST_KINDS = tuple(kind for kind, spec in KIND_SPECS.items() if spec.end_date)
# Kinds whose value the rules read record by record (fetched by a small side query).
VALUE_KINDS = (RecordKind.PUBLIC_CREDIT_RATING, RecordKind.ANNUAL_REPORT_MISSING)


def _decode(mask, bits: dict) -> frozenset:
    if not mask:
        return frozenset()
    mask = int(mask)
    return frozenset(name for name, bit in bits.items() if mask & bit)


def _quoted(values) -> str:
    # Only our own choice constants ever get here; refuse anything that could break the quoting.
    out = []
    for value in values:
        value = str(value)
        if "'" in value or "\\" in value:
            raise ValueError(value)
        out.append(f"'{value}'")
    return ", ".join(out)


def _case(column: str, mapping: dict) -> str:
    branches = " ".join(f"WHEN '{k}' THEN {bit}" for k, bit in mapping.items())
    return f"CASE {column} {branches} END"


def _agg_or(vendor: str, expression: str) -> str:
    return f"BIT_OR({expression})" if vendor == "postgresql" else f"SUM(DISTINCT {expression})"


def _employer_filter(column: str, selection: EmployerSelection) -> str:
    parts = []
    if selection.employer_ids is not None:
        ids = ", ".join(str(int(i)) for i in selection.employer_ids) or "NULL"
        parts.append(f"{column} IN ({ids})")
    if selection.first_id is not None:
        parts.append(f"{column} >= {int(selection.first_id)}")
    if selection.last_id is not None:
        parts.append(f"{column} <= {int(selection.last_id)}")
    return " AND ".join(parts) or "1 = 1"


@dataclass(frozen=True)
class EmployerSelection:
    """Which employers: a primary-key range (a chunk), a list (live regrade), and optionally
    only those whose jurisdiction is one of ``jurisdiction_ids``."""

    first_id: int | None = None
    last_id: int | None = None
    employer_ids: tuple[int, ...] | None = None
    jurisdiction_ids: tuple[int, ...] | None = None


def _effective_records(selection: EmployerSelection) -> str:
    """The effective records dated on or before as_of (SPEC §4; ``CreditRecordQuerySet.effective``)."""
    return f"""
        SELECT r.id, r.employer_id, r.kind, r.date, r.end_date, r.case_no, r.severity,
               r.category, r.rectification, r.performance, r.incident, r.level, r.value
        FROM credit_records_creditrecord r
        WHERE {_employer_filter("r.employer_id", selection)}
          AND r.date <= %(as_of)s
          AND r.entry_type <> 'void'
          AND NOT EXISTS (
              SELECT 1 FROM credit_records_creditrecord s WHERE s.supersedes_id = r.id
          )
    """


def facts_sql(selection: EmployerSelection, vendor: str) -> str:
    """One row per selected employer: id, jurisdiction, then the fact key (see ``FactKey``)."""
    case_kinds = _quoted(CASE_KINDS)
    list_kinds = _quoted(LIST_KINDS)
    harmonious_levels = _quoted(HARMONIOUS_LEVELS)
    employer_filter = _employer_filter("e.id", selection)
    if selection.jurisdiction_ids is not None:
        ids = ", ".join(str(int(i)) for i in selection.jurisdiction_ids) or "NULL"
        employer_filter += f" AND e.jurisdiction_id IN ({ids})"
    rectification_bit = " ".join(
        f"WHEN '{kind}' THEN {OUTSTANDING_BITS[f'{kind}:{Rectification.NOT_RECTIFIED}']}"
        for kind in CASE_KINDS
    )
    performance_bit = " ".join(
        f"WHEN r.kind = '{kind}' AND r.performance = '{status}' THEN {bit}"
        for kind in CASE_KINDS
        for status in (Performance.PENDING, Performance.REFUSED)
        for bit in [OUTSTANDING_BITS[f"{kind}:{status}"]]
    )
    orr = _agg_or
    return f"""
    SELECT e.id, e.jurisdiction_id, e.kind,
           c.cases_w, c.cases_l60,
           a.kinds_w, a.kinds_l60, a.listed_w, a.listed_l60,
           a.severities_w, a.categories_w, a.incident_w,
           a.out_rectification, a.out_performance, a.harmonious, a.lost_since
    FROM employers_employer e
    LEFT JOIN (
        SELECT employer_id,
            {orr(vendor, "CASE WHEN date >= %(window_start)s THEN kind_bit END")} AS kinds_w,
            {orr(vendor, "CASE WHEN date >= %(l60_start)s THEN kind_bit END")} AS kinds_l60,
            {orr(vendor, f"CASE WHEN kind IN ({list_kinds}) AND (end_date IS NULL OR end_date >= %(window_start)s) THEN kind_bit END")} AS listed_w,
            {orr(vendor, f"CASE WHEN kind IN ({list_kinds}) AND (end_date IS NULL OR end_date >= %(l60_start)s) THEN kind_bit END")} AS listed_l60,
            {orr(vendor, "CASE WHEN kind = 'violation' AND date >= %(window_start)s THEN severity_bit END")} AS severities_w,
            {orr(vendor, "CASE WHEN kind = 'violation' AND date >= %(window_start)s THEN category_bit END")} AS categories_w,
            MAX(CASE WHEN kind = 'violation' AND date >= %(window_start)s AND incident THEN 1 ELSE 0 END) AS incident_w,
            {orr(vendor, "rectification_bit")} AS out_rectification,
            {orr(vendor, "performance_bit")} AS out_performance,
            MAX(CASE WHEN kind = 'harmonious_enterprise' AND level IN ({harmonious_levels})
                      AND (end_date IS NULL OR end_date > %(as_of)s) THEN 1 ELSE 0 END) AS harmonious,
            MIN(CASE WHEN kind = 'lost_contact' AND (end_date IS NULL OR end_date > %(as_of)s)
                     THEN date END) AS lost_since
        FROM (
            SELECT r.employer_id, r.kind, r.date, r.end_date, r.incident, r.level,
                   {_case("r.kind", KIND_BITS)} AS kind_bit,
                   {_case("r.severity", SEVERITY_BITS)} AS severity_bit,
                   {_case("r.category", CATEGORY_BITS)} AS category_bit,
                   CASE WHEN r.rectification = '{Rectification.NOT_RECTIFIED}'
                        THEN CASE r.kind {rectification_bit} END END AS rectification_bit,
                   CASE {performance_bit} END AS performance_bit
            FROM ({_effective_records(selection)}) r
        ) x
        GROUP BY employer_id
    ) a ON a.employer_id = e.id
    LEFT JOIN (
        SELECT employer_id, SUM(in_window) AS cases_w, COUNT(*) AS cases_l60
        FROM (
            SELECT r.employer_id,
                   CASE WHEN r.case_no <> '' THEN r.case_no
                        ELSE '#' || CAST(r.id AS VARCHAR(20)) END AS case_key,
                   MAX(CASE WHEN r.date >= %(window_start)s THEN 1 ELSE 0 END) AS in_window
            FROM ({_effective_records(selection)}) r
            WHERE r.kind IN ({case_kinds}) AND r.date >= %(l60_start)s
            GROUP BY r.employer_id, case_key
        ) cases
        GROUP BY employer_id
    ) c ON c.employer_id = e.id
    WHERE {employer_filter}
    ORDER BY e.id
    """


def value_records_sql(selection: EmployerSelection) -> str:
    return f"""
    SELECT r.employer_id, r.kind, r.value
    FROM ({_effective_records(selection)}) r
    WHERE r.kind IN ({_quoted(VALUE_KINDS)})
    ORDER BY r.employer_id, r.date, r.id
    """


def _as_date(value):
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def fact_rows(span, selection: EmployerSelection, *, using: str = "default"):
    """Yield ``(employer_id, jurisdiction_id, key)`` for every selected employer, in id order.

    ``key`` is a hashable tuple that determines the facts completely (``facts_from_key``), so a
    caller may evaluate each distinct key once: rules are pure.
    """
    connection = connections[using]
    params = {
        "as_of": span.as_of,
        "window_start": span.window_start,
        "l60_start": span.l60_start,
    }
    with connection.cursor() as cursor:
        cursor.execute(value_records_sql(selection), params)
        ratings: dict[int, str] = {}
        missing_years: dict[int, list[int]] = {}
        for employer_id, kind, value in cursor.fetchall():
            if kind == RecordKind.PUBLIC_CREDIT_RATING:
                ratings[employer_id] = value  # ordered by date, id: the last one wins
            elif value and str(value).isdigit():
                missing_years.setdefault(employer_id, []).append(int(value))
        cursor.execute(facts_sql(selection, connection.vendor), params)
        while True:
            rows = cursor.fetchmany(5000)
            if not rows:
                break
            for row in rows:
                employer_id = row[0]
                years = missing_years.get(employer_id)
                key = (
                    row[2],  # kind
                    row[3] or 0,  # cases in W
                    row[4] or 0,  # cases in L60
                    row[5] or 0,
                    row[6] or 0,
                    row[7] or 0,
                    row[8] or 0,
                    row[9] or 0,
                    row[10] or 0,
                    bool(row[11]),
                    int(row[12] or 0) | int(row[13] or 0),
                    bool(row[14]),
                    _as_date(row[15]),
                    ratings.get(employer_id, ""),
                    tuple(sorted(set(years))) if years else (),
                )
                yield employer_id, row[1], key


def facts_from_key(span, key) -> Facts:
    (
        kind, cases_w, cases_l60, kinds_w, kinds_l60, listed_w, listed_l60, severities_w,
        categories_w, incident_w, outstanding, harmonious, lost_since, rating, years,
    ) = key  # fmt: skip
    return Facts(
        as_of=span.as_of,
        window_start=span.window_start,
        l60_start=span.l60_start,
        employer_kind=kind,
        cases_in_window=int(cases_w),
        cases_in_l60=int(cases_l60),
        kinds_in_window=_decode(kinds_w, KIND_BITS),
        kinds_in_l60=_decode(kinds_l60, KIND_BITS),
        listed_in_window=_decode(listed_w, KIND_BITS),
        listed_in_l60=_decode(listed_l60, KIND_BITS),
        violation_severities_in_window=_decode(severities_w, SEVERITY_BITS),
        violation_categories_in_window=_decode(categories_w, CATEGORY_BITS),
        violation_incident_in_window=incident_w,
        outstanding=_decode(outstanding, OUTSTANDING_BITS),
        harmonious_in_force=harmonious,
        lost_contact_since=lost_since,
        latest_public_credit_rating=rating,
        annual_report_missing_years=years,
    )


def compute_facts(span, selection: EmployerSelection) -> dict[int, Facts]:
    """Facts of every selected employer (convenience for small selections and tests)."""
    return {eid: facts_from_key(span, key) for eid, _jid, key in fact_rows(span, selection)}


# --- explaining facts to people ---------------------------------------------------------------
FACT_LABELS = {
    "employer_kind": _("单位类型"),
    "cases_in_window": _("评价期内被查处案件数"),
    "cases_in_l60": _("近60个月被查处案件数"),
    "kinds_in_window": _("评价期内的记录"),
    "kinds_in_l60": _("近60个月内的记录"),
    "listed_in_window": _("评价期内在列的名单"),
    "listed_in_l60": _("近60个月内在列的名单"),
    "violation_severities_in_window": _("评价期内违法行为情节"),
    "violation_categories_in_window": _("评价期内违法类别"),
    "violation_incident_in_window": _("评价期内引发群体性事件等"),
    "outstanding": _("尚未整改或履行"),
    "harmonious_in_force": _("劳动关系和谐企业（评价基准日有效）"),
    "lost_contact_since": _("失联起始日期（未恢复）"),
    "latest_public_credit_rating": _("最近一次公共信用综合评价"),
    "annual_report_missing_years": _("未进行年度报告的年度"),
}


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _outstanding_label(token: str) -> str:
    kind, _sep, status = token.partition(":")
    status_label = (
        _label(Rectification, status)
        if status in Rectification.values
        else _label(Performance, status)
    )
    return f"{_label(RecordKind, kind)}：{status_label}"


def describe_facts(data: dict) -> list[tuple[str, str]]:
    """(label, value) pairs of stored facts, in Chinese, for the employer page."""
    from employers.choices import EmployerKind

    out = []
    for name, label in FACT_LABELS.items():
        if name not in data:
            continue
        value = data[name]
        if name == "employer_kind":
            text = _label(EmployerKind, value)
        elif name in ("kinds_in_window", "kinds_in_l60", "listed_in_window", "listed_in_l60"):
            text = "、".join(_label(RecordKind, v) for v in value)
        elif name == "violation_severities_in_window":
            text = "、".join(_label(Severity, v) for v in value)
        elif name == "violation_categories_in_window":
            text = "、".join(_label(Category, v) for v in value)
        elif name == "outstanding":
            text = "；".join(_outstanding_label(v) for v in value)
        elif isinstance(value, bool):
            text = str(_("是")) if value else str(_("否"))
        elif isinstance(value, list):
            text = "、".join(str(v) for v in value)
        else:
            text = str(value)
        out.append((str(label), text))
    return out


# --- the same definitions over a list of records, in plain Python -----------------------------
def reference_facts(records, *, employer_kind: str, span) -> Facts:
    """SPEC §4 read literally, for one employer's records (the ORM objects or anything with the
    same attributes): the cross-check of the aggregate SQL in tests and the naive baseline of
    the benchmark. ``records`` are every ledger entry of the employer, effective or not."""
    superseded = {r.supersedes_id for r in records if r.supersedes_id}
    effective = [
        r
        for r in records
        if r.entry_type != "void" and r.id not in superseded and r.date <= span.as_of
    ]

    def in_span(r, start):
        return start <= r.date <= span.as_of

    def overlaps(r, start):
        return r.end_date is None or r.end_date >= start

    def cases(start):
        keys = {
            r.case_no or f"#{r.id}" for r in effective if r.kind in CASE_KINDS and in_span(r, start)
        }
        return len(keys)

    violations_w = [
        r for r in effective if r.kind == RecordKind.VIOLATION and in_span(r, span.window_start)
    ]
    outstanding = set()
    for r in effective:
        if r.kind not in CASE_KINDS:
            continue
        if r.rectification == Rectification.NOT_RECTIFIED:
            outstanding.add(f"{r.kind}:{r.rectification}")
        if r.performance in (Performance.PENDING, Performance.REFUSED):
            outstanding.add(f"{r.kind}:{r.performance}")
    lost = [
        r.date
        for r in effective
        if r.kind == RecordKind.LOST_CONTACT and (r.end_date is None or r.end_date > span.as_of)
    ]
    ratings = sorted(
        (r for r in effective if r.kind == RecordKind.PUBLIC_CREDIT_RATING),
        key=lambda r: (r.date, r.id),
    )
    years = sorted(
        {
            int(r.value)
            for r in effective
            if r.kind == RecordKind.ANNUAL_REPORT_MISSING and str(r.value).isdigit()
        }
    )
    return Facts(
        as_of=span.as_of,
        window_start=span.window_start,
        l60_start=span.l60_start,
        employer_kind=employer_kind,
        cases_in_window=cases(span.window_start),
        cases_in_l60=cases(span.l60_start),
        kinds_in_window=frozenset(r.kind for r in effective if in_span(r, span.window_start)),
        kinds_in_l60=frozenset(r.kind for r in effective if in_span(r, span.l60_start)),
        listed_in_window=frozenset(
            r.kind for r in effective if r.kind in LIST_KINDS and overlaps(r, span.window_start)
        ),
        listed_in_l60=frozenset(
            r.kind for r in effective if r.kind in LIST_KINDS and overlaps(r, span.l60_start)
        ),
        violation_severities_in_window=frozenset(r.severity for r in violations_w if r.severity),
        violation_categories_in_window=frozenset(r.category for r in violations_w if r.category),
        violation_incident_in_window=any(r.incident for r in violations_w),
        outstanding=frozenset(outstanding),
        harmonious_in_force=any(
            r.kind == RecordKind.HARMONIOUS_ENTERPRISE
            and r.level in HARMONIOUS_LEVELS
            and (r.end_date is None or r.end_date > span.as_of)
            for r in effective
        ),
        lost_contact_since=min(lost) if lost else None,
        latest_public_credit_rating=ratings[-1].value if ratings else "",
        annual_report_missing_years=tuple(years),
    )
