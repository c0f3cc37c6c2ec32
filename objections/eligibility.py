"""Credit repair eligibility (SPEC §7), a pure function of a record, its related records and dates.

Publicity periods (国家发展改革委令2025年第36号, as SPEC §7 states them), by the record's
information class (``credit_records.classes.info_class``, seed 004 第五条):

- 基础信息 / 良好信息 (incl. minor rectified violations, simplified-procedure penalties): not
  published as dishonesty, nothing to repair;
- 失信信息—一般: published at least 3 months, at most 1 year;
- 失信信息—严重: at least 1 year, at most 3 years;
- the wage-arrears blacklist: removed after 3 years (人社部令第45号 第十一条); early removal once
  the arrears are paid and 6 months have passed since, with a written credit commitment
  (第十二条).

Every repair needs the obligations fulfilled (seed 004 第十一条: 已按规定纠正失信行为、履行相关义务;
seed 000 第二十一条: violation corrected, penalty performed) and a signed credit commitment.

Interpretation (民法典 第二百零一、二百零二条): a period of M months from date D ends on the day of
D + M months; an application is possible from the day after it ends, e.g. a general record dated
2024-01-15 may be repaired from 2024-04-16.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from credit_records.choices import InfoClass, Performance, RecordKind, Rectification
from credit_records.classes import info_class

K = RecordKind
ONE_DAY = datetime.timedelta(days=1)

MIN_MONTHS = {InfoClass.DISHONEST_GENERAL: 3, InfoClass.DISHONEST_SERIOUS: 12}
MAX_MONTHS = {InfoClass.DISHONEST_GENERAL: 12, InfoClass.DISHONEST_SERIOUS: 36}
BLACKLIST_MONTHS = 36  # 人社部令第45号 第十一条
EARLY_REMOVAL_MONTHS = 6  # 人社部令第45号 第十二条
LIST_KINDS = {
    K.WAGE_ARREARS_BLACKLIST,
    K.SERIOUS_DISHONESTY_LIST,
    K.BUSINESS_ABNORMAL_LIST,
    K.DISHONEST_JUDGMENT_DEBTOR,
}


def period_end(start: datetime.date, months: int) -> datetime.date:
    """The last day of a period of ``months`` months counted from ``start`` (start not counted)."""
    return start + relativedelta(months=months)


@dataclass
class Condition:
    code: str
    label: str
    met: bool
    detail: str = ""


@dataclass
class Eligibility:
    info_class: str
    eligible: bool
    conditions: list[Condition] = field(default_factory=list)
    # the first day the time conditions allow an application (None: not applicable)
    earliest: datetime.date | None = None
    note: str = ""

    def as_json(self) -> dict:
        data = asdict(self)
        data["earliest"] = self.earliest.isoformat() if self.earliest else None
        return data


def _obligation(record) -> tuple[bool, str] | None:
    """(met, description) for a record that carries an obligation, else None."""
    if record.kind == K.VIOLATION:
        return (
            record.rectification == Rectification.RECTIFIED,
            _("违法行为整改情况：%(v)s") % {"v": record.get_rectification_display() or "—"},
        )
    if record.kind in (K.ADMINISTRATIVE_PENALTY, K.ADMINISTRATIVE_DECISION):
        return (
            record.performance == Performance.PERFORMED,
            _("%(kind)s履行情况：%(v)s")
            % {"kind": record.get_kind_display(), "v": record.get_performance_display() or "—"},
        )
    return None


def repair_eligibility(
    record,
    *,
    today: datetime.date,
    corrected_on: datetime.date | None,
    commitment_signed: bool,
    case_records=(),
    new_arrears_since_correction: bool = False,
) -> Eligibility:
    """Whether ``record`` (an effective ledger entry) may be repaired on ``today``.

    ``case_records``: the other effective records of the same case (same ``case_no``), whose
    obligations must be fulfilled too. ``new_arrears_since_correction``: for the blacklist, a new
    wage-arrears record dated after ``corrected_on`` (第十二条: 6 months without new arrears).
    """
    klass = info_class(record)
    result = Eligibility(info_class=str(klass), eligible=False)
    if klass not in MIN_MONTHS:
        result.note = _("该记录属于%(c)s，不作为失信信息公示，无需信用修复。") % {
            "c": InfoClass(klass).label
        }
        return result

    conditions = result.conditions
    blacklist = record.kind == K.WAGE_ARREARS_BLACKLIST
    # Publicity still running? (after the maximum it ends by itself; a removed listing too)
    max_end = period_end(record.date, BLACKLIST_MONTHS if blacklist else MAX_MONTHS[klass])
    removed = record.kind in LIST_KINDS and record.end_date and record.end_date <= today
    if today > max_end or removed:
        result.note = (
            _("该记录已于%(d)s移出名单，无需信用修复。") % {"d": record.end_date}
            if removed
            else _("该记录最长公示期已于%(d)s届满，已停止公示，无需信用修复。") % {"d": max_end}
        )
        return result

    # Corrected and obligations fulfilled.
    corrected_ok = corrected_on is not None and record.date <= corrected_on <= today
    conditions.append(
        Condition(
            "corrected",
            _("已纠正失信行为（纠正日期不早于记录日期、不晚于今天）"),
            corrected_ok,
            str(corrected_on or "—"),
        )
    )
    for rec in (record, *case_records):
        obligation = _obligation(rec)
        if obligation is not None:
            met, detail = obligation
            conditions.append(Condition("obligation", _("已履行相关义务"), met, detail))

    # Time conditions.
    if blacklist:
        if corrected_ok:
            result.earliest = period_end(corrected_on, EARLY_REMOVAL_MONTHS) + ONE_DAY
        conditions.append(
            Condition(
                "early_removal",
                _("改正拖欠工资行为之日起满6个月（人社部令第45号 第十二条）"),
                result.earliest is not None and today >= result.earliest,
                _("最早可于%(d)s申请") % {"d": result.earliest} if result.earliest else "—",
            )
        )
        conditions.append(
            Condition(
                "no_new_arrears",
                _("改正后未再发生拖欠农民工工资行为"),
                not new_arrears_since_correction,
            )
        )
    else:
        months = MIN_MONTHS[klass]
        result.earliest = period_end(record.date, months) + ONE_DAY
        conditions.append(
            Condition(
                "min_publicity",
                _("已达到最短公示期（%(m)s个月）") % {"m": months},
                today >= result.earliest,
                _("最早可于%(d)s申请") % {"d": result.earliest},
            )
        )

    conditions.append(Condition("commitment", _("已签署信用承诺书"), bool(commitment_signed)))
    result.eligible = all(c.met for c in conditions)
    return result
