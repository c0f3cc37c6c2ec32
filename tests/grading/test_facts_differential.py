"""The aggregate SQL of grading.facts against SPEC §4 read literally (reference_facts), on
random ledgers: same facts for every employer, on SQLite and PostgreSQL alike.

[r2]: the ledgers include repaired records (SPEC §7: not counted from the approval day) and
blacklistings whose three-year expiry falls around the span starts, from 29 February and month
ends (SPEC §4: expiry by 民法典 第二百零二条, computed in Python and passed to SQL as a threshold)."""

import datetime as dt
import random

import pytest

from credit_records.models import CreditRecord
from credit_records.services import repair_record
from grading.facts import EmployerSelection, compute_facts, reference_facts
from grading.windows import Span
from tests.factories import EmployerFactory
from tests.grading.records import add, correct, void

pytestmark = pytest.mark.django_db

KINDS = {
    "violation": lambda r: {
        "severity": r.choice(["minor", "general", "serious", "major"]),
        "category": r.choice(["wages", "child_labor", "forced_labor", "labor_contract"]),
        "rectification": r.choice(["rectified", "in_progress", "not_rectified"]),
        "incident": r.random() < 0.2,
    },
    "administrative_decision": lambda r: {
        "performance": r.choice(["performed", "pending", "refused"])
    },
    "administrative_penalty": lambda r: {
        "performance": r.choice(["performed", "pending", "refused"]),
        "procedure": r.choice(["general", "simplified"]),
    },
    "wage_arrears_blacklist": lambda r: {},
    "business_abnormal_list": lambda r: {},
    "serious_dishonesty_list": lambda r: {},
    "harmonious_enterprise": lambda r: {"level": r.choice(["county", "city", "national"])},
    "lost_contact": lambda r: {},
    "arbitration_loss": lambda r: {},
    "patrol_inspection": lambda r: {"result": "no_issue"},
    "public_credit_rating": lambda r: {"value": r.choice("ABCD")},
    "annual_report_missing": lambda r: {},
    "fund_fraud": lambda r: {},
}
LIST_LIKE = {
    "wage_arrears_blacklist", "business_abnormal_list", "serious_dishonesty_list",
    "harmonious_enterprise", "lost_contact",
}  # fmt: skip
START = dt.date(2018, 6, 1)
DAYS = (dt.date(2025, 6, 30) - START).days


def random_ledger(rng: random.Random, employers):
    for employer in employers:
        for _ in range(rng.randint(0, 10)):
            kind = rng.choice(list(KINDS))
            date = START + dt.timedelta(days=rng.randint(0, DAYS))
            fields = KINDS[kind](rng)
            if kind in {"violation", "administrative_decision", "administrative_penalty"}:
                fields["case_no"] = rng.choice(["", "", "K1", "K2", "K3"])
            if kind in LIST_LIKE and rng.random() < 0.5:
                fields["end_date"] = date + dt.timedelta(days=rng.randint(0, 900))
                if fields["end_date"] > dt.date(2025, 12, 31):
                    del fields["end_date"]
            if kind == "annual_report_missing":
                fields["value"] = str(rng.randint(2017, date.year))
            record = add(employer, kind, date, **fields)
            roll = rng.random()
            if roll < 0.1:
                void(record)
            elif roll < 0.2:
                try:
                    correct(record, date=record.date - dt.timedelta(days=rng.randint(1, 400)))
                except Exception:  # noqa: BLE001 - a correction the ledger refuses is fine
                    pass
            elif roll < 0.3:
                repaired_on = record.date + dt.timedelta(days=rng.randint(0, 900))
                repaired_on = min(repaired_on, dt.date(2026, 1, 31))
                repair_record(actor=None, record=record, repaired_on=repaired_on, reason="修复")
        # Blacklistings whose expiry falls around the starts of the spans below (SPEC §4 [r2]).
        for listed_on in BLACKLIST_DATES:
            if rng.random() < 0.15:
                add(employer, "wage_arrears_blacklist", listed_on)


# Dates whose three-year expiry is on, just before or just after a span start below:
# 2020-02-29 → 2023-02-28; 2021-02-28 → 2024-02-28; 2021-03-01 → 2024-03-01 …
BLACKLIST_DATES = [
    dt.date(2020, 2, 28), dt.date(2020, 2, 29), dt.date(2020, 3, 1), dt.date(2020, 3, 2),
    dt.date(2021, 2, 28), dt.date(2021, 3, 1), dt.date(2021, 3, 2), dt.date(2020, 12, 31),
    dt.date(2021, 1, 1), dt.date(2021, 1, 2), dt.date(2020, 7, 1), dt.date(2020, 7, 2),
    dt.date(2021, 8, 1), dt.date(2019, 1, 1), dt.date(2019, 1, 2),
]  # fmt: skip


SPANS = [
    Span.for_cycle(2023),
    Span.for_cycle(2024),
    Span.for_as_of(dt.date(2024, 6, 30)),
    Span.for_as_of(dt.date(2024, 2, 29)),
    Span.for_as_of(dt.date(2024, 2, 28)),
    Span.for_as_of(dt.date(2024, 3, 1)),
    Span.for_as_of(dt.date(2023, 2, 28)),
    Span.for_as_of(dt.date(2025, 8, 1)),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_facts_equal_the_reference(seed):
    rng = random.Random(seed)
    employers = [EmployerFactory(kind=rng.choice(["enterprise", "hr_agency"])) for _ in range(25)]
    random_ledger(rng, employers)
    assert CreditRecord.objects.count() > 50
    assert CreditRecord.objects.filter(entry_type="void").exists()
    assert CreditRecord.objects.filter(entry_type="correction").exists()
    assert CreditRecord.objects.filter(entry_type="repair").exists()
    ids = tuple(e.pk for e in employers)
    for span in SPANS:
        computed = compute_facts(span, EmployerSelection(employer_ids=ids))
        for employer in employers:
            records = list(CreditRecord.objects.filter(employer=employer))
            expected = reference_facts(records, employer_kind=employer.kind, span=span)
            assert computed[employer.pk] == expected, (span, employer.pk)
        # A primary-key range gives the same facts as the id list.
        ranged = compute_facts(span, EmployerSelection(first_id=min(ids), last_id=max(ids)))
        assert ranged == computed
        # Repairs approved after as_of taken into account (a published grade's adjustment).
        later = dt.date(2026, 1, 31)
        with_repairs = compute_facts(span, EmployerSelection(employer_ids=ids), repaired_by=later)
        for employer in employers:
            records = list(CreditRecord.objects.filter(employer=employer))
            expected = reference_facts(
                records, employer_kind=employer.kind, span=span, repaired_by=later
            )
            assert with_repairs[employer.pk] == expected, (span, employer.pk, "repaired_by")


def test_stored_facts_json_is_the_facts_to_json():
    import json

    from grading.facts import KeyDecoder, fact_rows

    rng = random.Random(11)
    employers = [EmployerFactory(kind=rng.choice(["enterprise", "hr_agency"])) for _ in range(20)]
    random_ledger(rng, employers)
    span = Span.for_cycle(2024)
    decoder = KeyDecoder(span)
    rows = list(fact_rows(span, EmployerSelection(employer_ids=tuple(e.pk for e in employers))))
    assert len(rows) == 20
    for _employer_id, _jurisdiction_id, key in rows:
        facts = decoder.facts(key)
        expected = json.dumps(
            facts.to_json(include_span=False), ensure_ascii=False, separators=(",", ":")
        )
        assert decoder.facts_json(key) == expected
