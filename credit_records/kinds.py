"""What each record kind needs (SPEC §3), and the one validation of a record's content.

Used by the services (every write), the add/correct forms and the import, so a record is valid
by the same rules however it arrives. Messages are Chinese and name the offending value.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import (
    Category,
    ComplaintResult,
    CreditRating,
    HarmoniousLevel,
    InterviewResult,
    Mitigation,
    PatrolResult,
    Performance,
    Procedure,
    RecordKind,
    Rectification,
    Severity,
    Source,
    WrittenReviewResult,
)
from .periods import cn_date as _cn

K = RecordKind

# Fields every kind has; the kind-specific ones follow.
COMMON_FIELDS = ("date", "end_date", "case_no", "document_no", "source", "summary", "department")
EXTRA_FIELDS = (
    "severity",
    "category",
    "rectification",
    "performance",
    "procedure",
    "incident",
    "level",
    "value",
    "result",
    "mitigation",  # SPEC §3 [r2]
)
CONTENT_FIELDS = ("kind",) + COMMON_FIELDS + EXTRA_FIELDS

MAX_LENGTHS = {"case_no": 64, "document_no": 100, "department": 100, "summary": 4000}
# Nothing in this ledger predates the 1994 Labour Law; an earlier year is a typing error.
MIN_DATE = datetime.date(1994, 7, 5)


@dataclass(frozen=True)
class KindSpec:
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    # list-like kinds have an end: removal, revocation, restoration (SPEC §3)
    end_date: bool = False
    date_label: str = ""
    end_label: str = ""

    @cached_property
    def extras(self) -> tuple[str, ...]:
        return self.required + self.optional


KIND_SPECS: dict[str, KindSpec] = {
    K.VIOLATION: KindSpec(
        required=("severity", "category", "rectification"),
        optional=("incident",),
        date_label=gettext_lazy("查处日期"),
    ),
    K.ADMINISTRATIVE_DECISION: KindSpec(
        required=("performance",), date_label=gettext_lazy("决定日期")
    ),
    K.ADMINISTRATIVE_PENALTY: KindSpec(
        required=("performance", "procedure"),
        optional=("mitigation",),  # SPEC §3 [r2]: blank = none
        date_label=gettext_lazy("处罚决定日期"),
    ),
    K.WAGE_ARREARS_BLACKLIST: KindSpec(
        end_date=True, date_label=gettext_lazy("列入日期"), end_label=gettext_lazy("移出日期")
    ),
    K.ARBITRATION_LOSS: KindSpec(date_label=gettext_lazy("裁决日期")),
    K.CRIMINAL_LIABILITY: KindSpec(date_label=gettext_lazy("判决日期")),
    K.OBSTRUCTION: KindSpec(date_label=gettext_lazy("发生日期")),
    K.HARMONIOUS_ENTERPRISE: KindSpec(
        required=("level",),
        end_date=True,
        date_label=gettext_lazy("命名日期"),
        end_label=gettext_lazy("撤销日期"),
    ),
    K.COMMENDATION: KindSpec(date_label=gettext_lazy("表彰日期")),
    K.CREDIT_COMMITMENT: KindSpec(date_label=gettext_lazy("签署日期")),
    K.COMMITMENT_BREACH: KindSpec(date_label=gettext_lazy("认定日期")),
    K.FALSE_MATERIALS: KindSpec(date_label=gettext_lazy("认定日期")),
    K.REPORTING_FAILURE: KindSpec(date_label=gettext_lazy("认定日期")),
    K.ANNUAL_REPORT_MISSING: KindSpec(required=("value",), date_label=gettext_lazy("认定日期")),
    K.ESTABLISHMENT_UNMET: KindSpec(date_label=gettext_lazy("认定日期")),
    K.ENTERPRISE_CREDIT_PENALTY: KindSpec(date_label=gettext_lazy("处罚日期")),
    K.BUSINESS_ABNORMAL_LIST: KindSpec(
        end_date=True, date_label=gettext_lazy("列入日期"), end_label=gettext_lazy("移出日期")
    ),
    K.LOST_CONTACT: KindSpec(
        end_date=True, date_label=gettext_lazy("失联日期"), end_label=gettext_lazy("恢复联系日期")
    ),
    K.FUND_FRAUD: KindSpec(date_label=gettext_lazy("认定日期")),
    K.LICENSE_REVOKED: KindSpec(date_label=gettext_lazy("吊销日期")),
    K.PUBLIC_CREDIT_RATING: KindSpec(required=("value",), date_label=gettext_lazy("评价日期")),
    K.SERIOUS_DISHONESTY_LIST: KindSpec(
        end_date=True, date_label=gettext_lazy("列入日期"), end_label=gettext_lazy("移出日期")
    ),
    K.DISHONEST_JUDGMENT_DEBTOR: KindSpec(
        end_date=True, date_label=gettext_lazy("列入日期"), end_label=gettext_lazy("移出日期")
    ),
    K.PATROL_INSPECTION: KindSpec(required=("result",), date_label=gettext_lazy("检查日期")),
    K.WRITTEN_REVIEW: KindSpec(required=("result",), date_label=gettext_lazy("审查结论日期")),
    K.COMPLAINT: KindSpec(required=("result",), date_label=gettext_lazy("受理日期")),
    K.INTERVIEW: KindSpec(required=("result",), date_label=gettext_lazy("约谈日期")),
}

# Allowed values of the kind-specific fields; ``value`` and ``result`` depend on the kind.
FIELD_CHOICES = {
    "severity": Severity,
    "category": Category,
    "rectification": Rectification,
    "performance": Performance,
    "procedure": Procedure,
    "level": HarmoniousLevel,
    "source": Source,
    "mitigation": Mitigation,
}
KIND_FIELD_CHOICES = {
    (K.PUBLIC_CREDIT_RATING, "value"): CreditRating,
    (K.PATROL_INSPECTION, "result"): PatrolResult,
    (K.WRITTEN_REVIEW, "result"): WrittenReviewResult,
    (K.COMPLAINT, "result"): ComplaintResult,
    (K.INTERVIEW, "result"): InterviewResult,
}

FIELD_LABELS = {
    "kind": gettext_lazy("记录类型"),
    "date": gettext_lazy("日期"),
    "end_date": gettext_lazy("截止日期"),
    "case_no": gettext_lazy("监察案件编号"),
    "document_no": gettext_lazy("文书号"),
    "source": gettext_lazy("信息来源"),
    "summary": gettext_lazy("摘要"),
    "department": gettext_lazy("记录部门"),
    "severity": gettext_lazy("情节"),
    "category": gettext_lazy("违法类别"),
    "rectification": gettext_lazy("整改情况"),
    "performance": gettext_lazy("履行情况"),
    "procedure": gettext_lazy("处罚程序"),
    "incident": gettext_lazy("是否引发群体性事件等"),
    "level": gettext_lazy("和谐企业级别"),
    "value": gettext_lazy("值"),
    "result": gettext_lazy("结论"),
    "mitigation": gettext_lazy("从轻情节"),
}
KIND_FIELD_LABELS = {
    (K.ANNUAL_REPORT_MISSING, "value"): gettext_lazy("未报告年度"),
    (K.PUBLIC_CREDIT_RATING, "value"): gettext_lazy("评价等级"),
}


# Allowed codes as sets (TextChoices.values builds a new list on every call).
_ALLOWED = {
    choices: frozenset(choices.values)
    for choices in (*FIELD_CHOICES.values(), *KIND_FIELD_CHOICES.values())
}


def choices_for(kind: str, field: str):
    """The TextChoices of a field for a kind, or None for free text."""
    return KIND_FIELD_CHOICES.get((kind, field)) or FIELD_CHOICES.get(field)


def label_for(kind: str, field: str) -> str:
    spec = KIND_SPECS.get(kind)
    if spec and field == "date" and spec.date_label:
        return str(spec.date_label)
    if spec and field == "end_date" and spec.end_label:
        return str(spec.end_label)
    return str(KIND_FIELD_LABELS.get((kind, field)) or FIELD_LABELS[field])


def fields_for(kind: str) -> tuple[str, ...]:
    """The content fields a record of this kind may carry (besides ``kind``)."""
    spec = KIND_SPECS[kind]
    common = tuple(f for f in COMMON_FIELDS if f != "end_date" or spec.end_date)
    return common + spec.extras


_YEAR = re.compile(r"^\d{4}$")


def _comparable(field: str, value):
    # A penalty recorded before revision 2 has a blank mitigation: it means none.
    if field == "mitigation" and value in ("", None):
        return Mitigation.NONE.value
    return value


def same_content(content: dict, record) -> bool:
    """Whether validated ``content`` says the same as ``record`` (no correction needed)."""
    return all(
        _comparable(f, content[f]) == _comparable(f, getattr(record, f)) for f in CONTENT_FIELDS
    )


def clean_record(values: dict, *, today: datetime.date) -> dict:
    """Validate a record's content and return it normalised (every content field present,
    the fields the kind does not use blank). Raises ValidationError({field: [messages]}).

    ``values`` holds typed values: dates as ``datetime.date``, ``incident`` as bool or None,
    the rest as strings. Fields a kind does not use must be empty.
    """
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    kind = values.get("kind") or ""
    spec = KIND_SPECS.get(kind)
    if spec is None:
        allowed = _("、").join(KIND_SPECS)
        if kind:
            error(
                "kind",
                _("记录类型“%(value)s”无效，应为：%(allowed)s")
                % {"value": kind, "allowed": allowed},
            )
        else:
            error("kind", _("记录类型不能为空"))
        raise ValidationError(errors)

    out = {"kind": kind}
    for field in ("case_no", "document_no", "source", "summary", "department", *EXTRA_FIELDS):
        value = values.get(field)
        if field == "incident":
            out[field] = value if value in (True, False) else None
        else:
            out[field] = "" if value is None else str(value).strip()

    date = values.get("date")
    end_date = values.get("end_date")
    out["date"], out["end_date"] = date, end_date
    if not isinstance(date, datetime.date):
        error("date", _("%(label)s不能为空") % {"label": label_for(kind, "date")})
    else:
        if isinstance(date, datetime.datetime):
            out["date"] = date = date.date()
        if date > today:
            error(
                "date",
                _("%(label)s“%(value)s”晚于今天，不能记录未来的日期")
                % {"label": label_for(kind, "date"), "value": _cn(date)},
            )
        elif date < MIN_DATE:
            error(
                "date",
                _("%(label)s“%(value)s”过早，请检查年份")
                % {"label": label_for(kind, "date"), "value": _cn(date)},
            )
    if end_date is not None:
        if isinstance(end_date, datetime.datetime):
            out["end_date"] = end_date = end_date.date()
        if not spec.end_date:
            error("end_date", _("“%(kind)s”记录没有截止日期，请留空") % {"kind": K(kind).label})
        elif isinstance(date, datetime.date) and end_date < date:
            error(
                "end_date",
                _("%(end)s“%(value)s”早于%(start)s“%(start_value)s”")
                % {
                    "end": label_for(kind, "end_date"),
                    "value": _cn(end_date),
                    "start": label_for(kind, "date"),
                    "start_value": _cn(date),
                },
            )
        elif end_date > today:
            error(
                "end_date",
                _("%(label)s“%(value)s”晚于今天，不能记录未来的日期")
                % {"label": label_for(kind, "end_date"), "value": _cn(end_date)},
            )

    for field, limit in MAX_LENGTHS.items():
        if len(out[field]) > limit:
            error(
                field,
                _("%(label)s“%(value)s…”过长（最多 %(n)d 个字符）")
                % {"label": label_for(kind, field), "value": out[field][:20], "n": limit},
            )

    if out["source"] and out["source"] not in _ALLOWED[Source]:
        error(
            "source",
            _("信息来源“%(value)s”无效，应为：%(allowed)s")
            % {"value": out["source"], "allowed": _("、").join(Source.values)},
        )

    for field in EXTRA_FIELDS:
        value = out[field]
        empty = value is None or value == ""
        if field not in spec.extras:
            if not empty:
                error(
                    field,
                    _("“%(kind)s”记录不使用%(label)s，请留空（填写的是“%(value)s”）")
                    % {"kind": K(kind).label, "label": label_for(kind, field), "value": value},
                )
            continue
        if empty:
            if field in spec.required:
                error(
                    field,
                    _("“%(kind)s”记录必须填写%(label)s")
                    % {"kind": K(kind).label, "label": label_for(kind, field)},
                )
            continue
        choices = choices_for(kind, field)
        if choices is not None and value not in _ALLOWED[choices]:
            error(
                field,
                _("%(label)s“%(value)s”无效，应为：%(allowed)s")
                % {
                    "label": label_for(kind, field),
                    "value": value,
                    "allowed": _("、").join(choices.values),
                },
            )
    if kind == K.VIOLATION and out["incident"] is None:
        out["incident"] = False
    if kind == K.ADMINISTRATIVE_PENALTY and not out["mitigation"]:
        out["mitigation"] = Mitigation.NONE.value  # SPEC §3 [r2]: default none
    if kind == K.ANNUAL_REPORT_MISSING and out["value"] and "value" not in errors:
        year = out["value"]
        if not _YEAR.match(year) or not (
            MIN_DATE.year
            <= int(year)
            <= (date.year if isinstance(date, datetime.date) else today.year)
        ):
            error(
                "value",
                _("未报告年度“%(value)s”应为四位年份，且不晚于认定日期的年份") % {"value": year},
            )
    if errors:
        raise ValidationError(errors)
    return out
