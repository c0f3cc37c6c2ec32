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

from credit_records.choices import HarmoniousLevel, RecordKind

# Records that mean "被查处" (being dealt with by the inspectorate), SPEC §4 cases(W).
CASE_KINDS = (
    RecordKind.VIOLATION,
    RecordKind.ADMINISTRATIVE_DECISION,
    RecordKind.ADMINISTRATIVE_PENALTY,
)
# Every harmonious-enterprise level is "county or higher" (seed 000 第九条 县级…).
HARMONIOUS_LEVELS = tuple(HarmoniousLevel.values)


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

    def to_json(self) -> dict:
        """Compact JSON stored with a grade: the span and every fact that is not empty."""
        data = {}
        for f in fields(self):
            value = getattr(self, f.name)
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
