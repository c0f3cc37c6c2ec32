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
  end_date ≥ S.start); **[r2]** for the wage-arrears blacklist the end is the earlier of
  end_date and its three-year expiry (``credit_records.periods.effective_list_end``), tested
  without date arithmetic in SQL as date ≥ the span's ``blacklist_from_*`` threshold;
- **[r2]** repaired: an effective record with ``repaired_on`` ≤ as_of does not count at all
  (SPEC §7: a record whose repair was approved on R counts in no grade with as_of ≥ R);
- outstanding: a record of any date ≤ as_of whose obligation is unmet (rectification
  not_rectified, performance pending or refused).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, fields

from django.db import connections, transaction
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
from credit_records.periods import effective_list_end

# Records that mean "被查处" (being dealt with by the inspectorate), SPEC §4 cases(W).
CASE_KINDS = (
    RecordKind.VIOLATION,
    RecordKind.ADMINISTRATIVE_DECISION,
    RecordKind.ADMINISTRATIVE_PENALTY,
)
# Every harmonious-enterprise level is "county or higher" (seed 000 第九条 县级…).
HARMONIOUS_LEVELS = tuple(HarmoniousLevel.values)
SPAN_FIELDS = ("as_of", "window_start", "l60_start")


@dataclass(slots=True)
class Facts:
    """What the ledger says about one employer as of ``as_of``. Treat it as immutable (not
    declared frozen only because a frozen dataclass is several times slower to build, and a
    million are built per run)."""

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
        return not self.kinds_in_window.isdisjoint(kinds)

    def in_l60(self, *kinds: str) -> bool:
        return not self.kinds_in_l60.isdisjoint(kinds)

    def listed(self, kind: str) -> bool:
        return kind in self.listed_in_window

    def listed_l60(self, kind: str) -> bool:
        return kind in self.listed_in_l60

    def is_outstanding(self, kind: str, *statuses: str) -> bool:
        if not self.outstanding:
            return False
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
# outstanding obligation gets a power of two, and the database ORs them per employer with BIT_OR
# (built into PostgreSQL; registered on SQLite connections by grading.apps).

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
LIST_BITS = {kind: 1 << i for i, kind in enumerate(LIST_KINDS)}
# Kinds whose value the rules read record by record (fetched by a small side query).
VALUE_KINDS = (RecordKind.PUBLIC_CREDIT_RATING, RecordKind.ANNUAL_REPORT_MISSING)

# Two 64-bit masks per employer carry every set-valued fact (fewer aggregates, faster):
#   kinds mask: in(k, W) in bits 0–31, in(k, L60) in bits 32–63;
#   misc mask:  the fields below, each at its offset.
L60_SHIFT = 32
KIND_MASK = (1 << L60_SHIFT) - 1
MISC = {  # name: (offset, width)
    "listed_w": (0, 8),
    "listed_l60": (8, 8),
    "severities_w": (16, 4),
    "categories_w": (20, 16),
    "outstanding": (36, 12),
    "incident_w": (48, 1),
    "harmonious": (49, 1),
}
assert len(KIND_BITS) < L60_SHIFT and len(LIST_BITS) <= 8 and len(SEVERITY_BITS) <= 4
assert len(CATEGORY_BITS) <= 16 and len(OUTSTANDING_BITS) <= 12


# The kind of each bit of a kinds mask; every kind name is an identifier (no JSON escaping).
_KIND_OF_BIT = {bit: kind for kind, bit in KIND_BITS.items()}
assert all(re.fullmatch(r"[a-z0-9_]+", kind) for kind in KIND_BITS)


def _field(mask: int, name: str) -> int:
    offset, width = MISC[name]
    return (mask >> offset) & ((1 << width) - 1)


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


def id_filter(column: str, selection: EmployerSelection) -> str:
    """SQL condition on an employer id column for the selection's ids and id range."""
    parts = []
    if selection.employer_ids is not None:
        ids = ", ".join(str(int(i)) for i in selection.employer_ids) or "NULL"
        parts.append(f"{column} IN ({ids})")
    if selection.first_id is not None:
        parts.append(f"{column} >= {int(selection.first_id)}")
    if selection.last_id is not None:
        parts.append(f"{column} <= {int(selection.last_id)}")
    return " AND ".join(parts) or "1 = 1"


def jurisdiction_filter(alias: str, jurisdiction_ids) -> str:
    """`` AND …`` keeping employers registered in, or located on a street of, the given
    jurisdictions (the scoping of employers.selectors); empty for None (every employer)."""
    if jurisdiction_ids is None:
        return ""
    ids = ", ".join(str(int(i)) for i in jurisdiction_ids) or "NULL"
    return f" AND ({alias}.jurisdiction_id IN ({ids}) OR {alias}.street_id IN ({ids}))"


@dataclass(frozen=True)
class EmployerSelection:
    """Which employers: a primary-key range (a chunk), a list (live regrade), and optionally
    only those in ``jurisdiction_ids`` (registered there or on one of its streets)."""

    first_id: int | None = None
    last_id: int | None = None
    employer_ids: tuple[int, ...] | None = None
    jurisdiction_ids: tuple[int, ...] | None = None


def _effective_records(selection: EmployerSelection) -> str:
    """The effective records dated on or before as_of (SPEC §4; ``CreditRecordQuerySet.effective``).

    A correction or void entry belongs to the employer of the entry it supersedes (the ledger
    copies it), so the superseded ids of a chunk come from the chunk's own rows: a small set the
    database hashes once, which leaves it free to read the records in employer order."""
    return f"""
        SELECT r.id, r.employer_id, r.kind, r.date, r.end_date, r.case_no, r.severity,
               r.category, r.rectification, r.performance, r.incident, r.level, r.value
        FROM credit_records_creditrecord r
        WHERE {id_filter("r.employer_id", selection)}
          AND r.date <= %(as_of)s
          AND r.entry_type <> 'void'
          AND (r.repaired_on IS NULL OR r.repaired_on > %(repaired_by)s)
          AND r.id NOT IN (
              SELECT s.supersedes_id FROM credit_records_creditrecord s
              WHERE s.supersedes_id IS NOT NULL AND {id_filter("s.employer_id", selection)}
          )
    """


def _kind_table() -> str:
    """A small table, one row per record kind, with every bit that kind contributes; joining it
    costs one hash lookup per record instead of chains of string comparisons."""
    outstanding = MISC["outstanding"][0]
    rows = []
    for kind, bit in KIND_BITS.items():
        is_case = kind in CASE_KINDS

        def out(status, kind=kind, is_case=is_case):
            return OUTSTANDING_BITS[f"{kind}:{status}"] << outstanding if is_case else 0

        list_bit = LIST_BITS.get(kind, 0)
        rows.append(
            f"SELECT '{kind}' AS kind, {bit} AS kind_bit, {bit << L60_SHIFT} AS kind_l60_bit, "
            f"{list_bit << MISC['listed_w'][0]} AS listed_w_bit, "
            f"{list_bit << MISC['listed_l60'][0]} AS listed_l60_bit, "
            f"{1 if is_case else 0} AS is_case, "
            f"{out(Rectification.NOT_RECTIFIED)} AS not_rectified_bit, "
            f"{out(Performance.PENDING)} AS pending_bit, {out(Performance.REFUSED)} AS refused_bit"
        )
    return " UNION ALL ".join(rows)


def facts_sql(selection: EmployerSelection) -> str:
    """One row per selected employer: id, jurisdiction, kind, cases in W, cases in L60, the
    kinds mask, the misc mask and the lost-contact date (see ``MISC``).

    One pass over the effective records, aggregated twice: first per (employer, case) — records
    of the same case fold into one group, so counting groups counts distinct cases — then per
    employer. Each record contributes its bits to the two masks; OR of ORs is the OR.
    """
    harmonious_levels = _quoted(HARMONIOUS_LEVELS)
    employer_filter = id_filter("e.id", selection)
    employer_filter += jurisdiction_filter("e", selection.jurisdiction_ids)

    def shifted(mapping: dict, name: str) -> dict:
        offset = MISC[name][0]
        return {key: bit << offset for key, bit in mapping.items()}

    blacklist = RecordKind.WAGE_ARREARS_BLACKLIST
    misc = f"""
        CASE WHEN k.listed_w_bit = 0 THEN 0
             ELSE CASE WHEN (r.end_date IS NULL OR r.end_date >= %(window_start)s)
                            AND (r.kind <> '{blacklist}' OR r.date >= %(blacklist_from_w)s)
                       THEN k.listed_w_bit ELSE 0 END
                + CASE WHEN (r.end_date IS NULL OR r.end_date >= %(l60_start)s)
                            AND (r.kind <> '{blacklist}' OR r.date >= %(blacklist_from_l60)s)
                       THEN k.listed_l60_bit ELSE 0 END
        END
      + CASE WHEN r.kind = 'violation' AND r.date >= %(window_start)s THEN
            COALESCE({_case("r.severity", shifted(SEVERITY_BITS, "severities_w"))}, 0)
          + COALESCE({_case("r.category", shifted(CATEGORY_BITS, "categories_w"))}, 0)
          + CASE WHEN r.incident THEN {1 << MISC["incident_w"][0]} ELSE 0 END
        ELSE 0 END
      + CASE WHEN r.rectification = '{Rectification.NOT_RECTIFIED}'
             THEN k.not_rectified_bit ELSE 0 END
      + CASE r.performance WHEN '{Performance.PENDING}' THEN k.pending_bit
                           WHEN '{Performance.REFUSED}' THEN k.refused_bit ELSE 0 END
      + CASE WHEN r.kind = 'harmonious_enterprise' AND r.level IN ({harmonious_levels})
                  AND (r.end_date IS NULL OR r.end_date > %(as_of)s)
             THEN {1 << MISC["harmonious"][0]} ELSE 0 END
    """
    return f"""
    SELECT e.id, e.jurisdiction_id, e.kind, a.cases_w, a.cases_l60, a.kinds, a.misc, a.lost_since
    FROM employers_employer e
    LEFT JOIN (
        SELECT employer_id,
               SUM(case_in_w) AS cases_w,
               SUM(CASE WHEN case_key IS NULL THEN 0 ELSE 1 END) AS cases_l60,
               BIT_OR(kinds) AS kinds, BIT_OR(misc) AS misc, MIN(lost_since) AS lost_since
        FROM (
            SELECT employer_id, case_key,
                   MAX(CASE WHEN case_key IS NOT NULL AND date >= %(window_start)s
                            THEN 1 ELSE 0 END) AS case_in_w,
                   BIT_OR(kinds) AS kinds, BIT_OR(misc) AS misc, MIN(lost_since) AS lost_since
            FROM (
                SELECT r.employer_id, r.date,
                       CASE WHEN k.is_case = 1 AND r.date >= %(l60_start)s
                            THEN CASE WHEN r.case_no <> '' THEN r.case_no
                                      ELSE '#' || CAST(r.id AS VARCHAR(20)) END
                       END AS case_key,
                       CASE WHEN r.date >= %(window_start)s THEN k.kind_bit ELSE 0 END
                     + CASE WHEN r.date >= %(l60_start)s THEN k.kind_l60_bit ELSE 0 END
                       AS kinds,
                       {misc} AS misc,
                       CASE WHEN r.kind = 'lost_contact'
                                 AND (r.end_date IS NULL OR r.end_date > %(as_of)s)
                            THEN r.date END AS lost_since
                FROM ({_effective_records(selection)}) r
                JOIN ({_kind_table()}) k ON k.kind = r.kind
            ) x
            GROUP BY employer_id, case_key
        ) per_case
        GROUP BY employer_id
    ) a ON a.employer_id = e.id
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


def query_params(span, *, repaired_by: dt.date | None = None) -> dict:
    """The parameters of the fact queries for a span. ``repaired_by`` (default: as_of) is the day
    up to which approved repairs take effect; a later day answers “what would this grade be with
    the repairs approved since” (the adjustment of a published grade, SPEC §7 [r2])."""
    return {
        "as_of": span.as_of,
        "window_start": span.window_start,
        "l60_start": span.l60_start,
        "blacklist_from_w": span.blacklist_from_window,
        "blacklist_from_l60": span.blacklist_from_l60,
        "repaired_by": repaired_by or span.as_of,
    }


def fact_rows(span, selection: EmployerSelection, *, using: str = "default", repaired_by=None):
    """Yield ``(employer_id, jurisdiction_id, key)`` for every selected employer, in id order.

    ``key`` is a hashable tuple that determines the facts completely (``facts_from_key``), so a
    caller may evaluate each distinct key once: rules are pure.
    """
    connection = connections[using]
    params = query_params(span, repaired_by=repaired_by)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The queries are short and run many times: JIT compilation costs more than it
            # saves, and the per-case hash aggregate wants more than the default 4 MB.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(value_records_sql(selection), params)
        ratings: dict[int, str] = {}
        missing_years: dict[int, list[int]] = {}
        for employer_id, kind, value in cursor.fetchall():
            if kind == RecordKind.PUBLIC_CREDIT_RATING:
                ratings[employer_id] = value  # ordered by date, id: the last one wins
            elif value and str(value).isdigit():
                missing_years.setdefault(employer_id, []).append(int(value))
        years_of = {eid: tuple(sorted(set(years))) for eid, years in missing_years.items()}
        cursor.execute(facts_sql(selection), params)
        while True:
            rows = cursor.fetchmany(5000)
            if not rows:
                break
            for row in rows:
                employer_id = row[0]
                # (kind, cases W, cases L60, kinds mask, misc mask, lost since) + values
                key = row[2:8] + (ratings.get(employer_id, ""), years_of.get(employer_id, ()))
                yield employer_id, row[1], key


class KeyDecoder:
    """Fact keys (``fact_rows``) → ``Facts`` and → the JSON stored with a grade, for one span.

    Whole keys rarely repeat across employers but their two masks do, so everything decoded from
    a pair of masks is cached: a million employers decode in seconds. ``facts_json(key)`` is
    exactly ``json.dumps(facts.to_json(include_span=False))`` (compact, UTF-8), which a test
    checks.
    """

    def __init__(self, span):
        self.span = span
        self._kinds: dict = {}
        self._misc: dict = {}
        # JSON fragments of facts_json, by the part of the key they come from.
        self._parts: dict = {}
        self._kinds_json: dict = {}
        self._misc_json: dict = {}

    @staticmethod
    def _json(name: str, value) -> str:
        if isinstance(value, frozenset):
            value = sorted(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        return f"{json.dumps(name)}:{json.dumps(value, ensure_ascii=False, separators=(',', ':'))}"

    def _kind_set(self, mask: int) -> tuple[frozenset, str]:
        found = self._kinds.get(mask)
        if found is None:
            names = _KIND_OF_BIT
            kinds = []
            rest = mask
            while rest:
                bit = rest & -rest
                rest ^= bit
                if bit in names:
                    kinds.append(names[bit])
            kinds.sort()
            # Kind names are plain identifiers: their JSON is the name in quotes.
            text = '["' + '","'.join(kinds) + '"]' if kinds else "[]"
            found = self._kinds[mask] = (frozenset(kinds), text)
        return found

    def _decode_misc(self, misc: int) -> tuple[tuple, str]:
        """The seven misc facts, in ``Facts`` field order, and their JSON."""
        found = self._misc.get(misc)
        if found is None:
            values = {
                "listed_in_window": _decode(_field(misc, "listed_w"), LIST_BITS),
                "listed_in_l60": _decode(_field(misc, "listed_l60"), LIST_BITS),
                "violation_severities_in_window": _decode(
                    _field(misc, "severities_w"), SEVERITY_BITS
                ),
                "violation_categories_in_window": _decode(
                    _field(misc, "categories_w"), CATEGORY_BITS
                ),
                "violation_incident_in_window": bool(_field(misc, "incident_w")),
                "outstanding": _decode(_field(misc, "outstanding"), OUTSTANDING_BITS),
                "harmonious_in_force": bool(_field(misc, "harmonious")),
            }
            fragment = ",".join(self._json(n, v) for n, v in values.items() if v)
            found = self._misc[misc] = (tuple(values.values()), fragment)
        return found

    def facts(self, key) -> Facts:
        kind, cases_w, cases_l60, kinds, misc, lost_since, rating, years = key
        kinds = int(kinds or 0)
        span = self.span
        # Positional, in field order (the misc facts are the seven after kinds_in_l60): a
        # million of these are built per run.
        return Facts(
            span.as_of,
            span.window_start,
            span.l60_start,
            kind,
            int(cases_w or 0),
            int(cases_l60 or 0),
            self._kind_set(kinds & KIND_MASK)[0],
            self._kind_set(kinds >> L60_SHIFT)[0],
            *self._decode_misc(int(misc or 0))[0],
            _as_date(lost_since),
            rating,
            years,
        )

    def facts_json(self, key) -> str:
        """The stored JSON of the facts of ``key``, from four cached fragments: (kind, cases),
        the kinds mask, the misc mask and (lost contact, rating, missing years) — each repeats
        across employers far more than whole keys do."""
        kind, cases_w, cases_l60, kinds, misc, lost_since, rating, years = key
        parts = self._parts
        head_key = (kind, cases_w, cases_l60)
        head = parts.get(head_key)
        if head is None:
            out = [f'"employer_kind":{json.dumps(kind, ensure_ascii=False)}']
            if cases_w:
                out.append(f'"cases_in_window":{int(cases_w)}')
            if cases_l60:
                out.append(f'"cases_in_l60":{int(cases_l60)}')
            head = parts[head_key] = ",".join(out)
        kinds_part = self._kinds_json.get(kinds)
        if kinds_part is None:
            mask = int(kinds or 0)
            out = []
            if mask & KIND_MASK:
                out.append(f'"kinds_in_window":{self._kind_set(mask & KIND_MASK)[1]}')
            if mask >> L60_SHIFT:
                out.append(f'"kinds_in_l60":{self._kind_set(mask >> L60_SHIFT)[1]}')
            kinds_part = self._kinds_json[kinds] = ",".join(out)
        misc_part = self._misc_json.get(misc)
        if misc_part is None:
            misc_part = self._misc_json[misc] = self._decode_misc(int(misc or 0))[1]
        tail_key = (lost_since, rating, years)
        tail = parts.get(tail_key)
        if tail is None:
            out = []
            if lost_since:
                out.append(f'"lost_contact_since":"{_as_date(lost_since).isoformat()}"')
            if rating:
                out.append(self._json("latest_public_credit_rating", rating))
            if years:
                out.append(self._json("annual_report_missing_years", years))
            tail = parts[tail_key] = ",".join(out)
        # head is never empty (it names the employer kind)
        if kinds_part:
            head = f"{head},{kinds_part}"
        if misc_part:
            head = f"{head},{misc_part}"
        if tail:
            head = f"{head},{tail}"
        return "{" + head + "}"


def facts_from_key(span, key) -> Facts:
    return KeyDecoder(span).facts(key)


def compute_facts(span, selection: EmployerSelection, *, repaired_by=None) -> dict[int, Facts]:
    """Facts of every selected employer (convenience for small selections and tests)."""
    rows = fact_rows(span, selection, repaired_by=repaired_by)
    return {eid: facts_from_key(span, key) for eid, _jid, key in rows}


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
    return _("%(label)s：%(value)s") % {"label": _label(RecordKind, kind), "value": status_label}


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
            text = str(_("、")).join(_label(RecordKind, v) for v in value)
        elif name == "violation_severities_in_window":
            text = str(_("、")).join(_label(Severity, v) for v in value)
        elif name == "violation_categories_in_window":
            text = str(_("、")).join(_label(Category, v) for v in value)
        elif name == "outstanding":
            text = str(_("；")).join(_outstanding_label(v) for v in value)
        elif isinstance(value, bool):
            text = str(_("是")) if value else str(_("否"))
        elif isinstance(value, list):
            text = str(_("、")).join(str(v) for v in value)
        else:
            text = str(value)
        out.append((str(label), text))
    return out


# --- the same definitions over a list of records, in plain Python -----------------------------
def reference_facts(records, *, employer_kind: str, span, repaired_by=None) -> Facts:
    """SPEC §4 read literally, for one employer's records (the ORM objects or anything with the
    same attributes): the cross-check of the aggregate SQL in tests and the naive baseline of
    the benchmark. ``records`` are every ledger entry of the employer, effective or not."""
    repaired_by = repaired_by or span.as_of
    superseded = {r.supersedes_id for r in records if r.supersedes_id}
    effective = [
        r
        for r in records
        if r.entry_type != "void"
        and r.id not in superseded
        and r.date <= span.as_of
        and (getattr(r, "repaired_on", None) is None or r.repaired_on > repaired_by)
    ]

    def in_span(r, start):
        return start <= r.date <= span.as_of

    def overlaps(r, start):
        # SPEC §4 [r2]: the effective end (the blacklist expires three years after its date).
        end = effective_list_end(r.kind, r.date, r.end_date)
        return end is None or end >= start

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
