"""Writing credit records for grading tests through the ledger's own services."""

import datetime as dt

from credit_records import services

# What each kind needs to be a valid record (credit_records.kinds), when a test does not care.
DEFAULTS = {
    "violation": {"severity": "general", "category": "wages", "rectification": "rectified"},
    "administrative_decision": {"performance": "performed"},
    "administrative_penalty": {"performance": "performed", "procedure": "general"},
    "harmonious_enterprise": {"level": "county"},
    "public_credit_rating": {"value": "A"},
    "patrol_inspection": {"result": "no_issue"},
    "written_review": {"result": "qualified"},
    "complaint": {"result": "verified"},
    "interview": {"result": "reminder"},
}


def as_date(value):
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def add(employer, kind, date, **fields):
    values = {**DEFAULTS.get(kind, {}), **fields}
    if "end_date" in values:
        values["end_date"] = as_date(values["end_date"])
    if kind == "annual_report_missing" and "value" not in values:
        values["value"] = str(as_date(date).year)
    return services.add_record(
        actor=None, employer=employer, kind=kind, date=as_date(date), **values
    )


def void(record, reason="异议成立，作废"):
    return services.void_record(actor=None, record=record, reason=reason)


def correct(record, reason="更正", **changes):
    return services.correct_record(actor=None, record=record, reason=reason, **changes)
