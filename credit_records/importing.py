"""The records file (SPEC §9): its columns, reading one row into a record's content, and the
rows of an export.

The employer import goes through a django-import-export resource; this one does not, on
purpose: a resource costs a model instance, a diff and a result object per row, which cannot
reach the million rows in five minutes that the ledger must take. The pattern is the same —
every lookup loaded once per file, every row validated before anything is written, all or
nothing, ``row N, column: message`` — with the row validation shared with the services
(``kinds.clean_record``), so a record is valid by the same rules however it arrives.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from employers.tabular import RowProblem

from .choices import RecordKind
from .kinds import EXTRA_FIELDS, choices_for, clean_record

RECORD_COLUMNS = [
    "uscc",
    "kind",
    "date",
    "end_date",
    "case_no",
    "document_no",
    "severity",
    "category",
    "rectification",
    "performance",
    "procedure",
    "incident",
    "level",
    "value",
    "result",
    "source",
    "summary",
    "mitigation",  # SPEC §9 [r2]: optional; files without it stay valid
]
RECORD_REQUIRED = RECORD_COLUMNS[:3]
# Extra, human-readable columns of an export (after the import columns).
EXPORT_EXTRA_COLUMNS = [
    "info_class",
    "entry_type",
    "effective",
    "reason",
    "department",
    "recorded_at",
]

_KIND_LOOKUP = {c.value: c.value for c in RecordKind}
_KIND_LOOKUP.update({str(c.label): c.value for c in RecordKind})
_YES = {"yes", "y", "true", "1", "是", "有"}
_NO = {"no", "n", "false", "0", "否", "无"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_choice_lookups: dict = {}


def parse_date(value):
    """2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301 or a spreadsheet date."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-":
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise ValueError(_("日期“%(value)s”无效，应为 YYYY-MM-DD（如 2024-03-01）") % {"value": text})


def _choice_lookup(kind, field):
    key = (kind, field)
    if key not in _choice_lookups:
        choices = choices_for(kind, field)
        lookup = None
        if choices is not None:
            lookup = {c.value: c.value for c in choices}
            lookup.update({c.value.lower(): c.value for c in choices})
            lookup.update({str(c.label): c.value for c in choices})
        _choice_lookups[key] = lookup
    return _choice_lookups[key]


def parse_row(row: dict, *, today: datetime.date) -> dict:
    """One file row (column → cell) → a record's validated content (without the employer).
    Raises ValidationError({column: [messages]})."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    kind_text = str(row.get("kind") or "").strip()
    kind = _KIND_LOOKUP.get(kind_text) or _KIND_LOOKUP.get(kind_text.lower()) or kind_text
    values["kind"] = kind
    for field in ("date", "end_date"):
        try:
            values[field] = parse_date(row.get(field))
        except ValueError as exc:
            errors[field] = [str(exc)]
    known_kind = kind in _KIND_LOOKUP.values()
    for field in ("case_no", "document_no", "summary", "source", *EXTRA_FIELDS):
        raw = row.get(field)
        text = "" if raw is None else str(raw).strip()
        if field == "incident":
            low = text.lower()
            if not text:
                values[field] = None
            elif low in _YES:
                values[field] = True
            elif low in _NO:
                values[field] = False
            else:
                errors[field] = [_("“%(value)s”无效，应为 yes 或 no（是/否）") % {"value": text}]
            continue
        if text and (known_kind or field == "source"):
            lookup = _choice_lookup(kind, field)
            if lookup is not None:
                text = lookup.get(text) or lookup.get(text.lower()) or text
        values[field] = text
    try:
        content = clean_record(values, today=today)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field not in errors:  # a date that did not parse is reported once
                errors.setdefault(field, []).extend(messages)
        raise ValidationError(errors) from None
    if errors:
        raise ValidationError(errors)
    return content


def problems_of(row_number: int, exc: ValidationError) -> list[RowProblem]:
    return [
        RowProblem(row_number, field, message)
        for field, messages in exc.message_dict.items()
        for message in messages
    ]


def export_row(record, *, effective: bool) -> list:
    """A ledger entry as a row of the records file, plus the human-readable columns."""
    row = [record.employer.uscc]
    for field in RECORD_COLUMNS[1:]:
        value = getattr(record, field)
        if field == "incident":
            value = "" if value is None else ("yes" if value else "no")
        elif field == "mitigation" and record.kind == RecordKind.ADMINISTRATIVE_PENALTY:
            value = value or "none"  # recorded before revision 2: none
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        row.append(value if value is not None else "")
    row += [
        str(record.info_class),
        record.get_entry_type_display(),
        _("是") if effective else _("否"),
        record.reason,
        record.department,
        timezone.localtime(record.created_at).strftime("%Y-%m-%d %H:%M"),
    ]
    return row
