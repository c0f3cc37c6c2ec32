"""Credit repair (SPEC §7 [r2]): the repair policy as data with effective dates, and eligibility
as a pure function of a record, its related records and dates.

**Policies.** An application is judged by the policy in force on the day it is filed, and the
eligibility page names it (``policy_for``):

- 国家发展改革委令2023年第58号《失信行为纠正后的信用信息修复管理办法（试行）》,
  2023-05-01 … 2026-03-31;
- 国家发展改革委令2025年第36号《信用修复管理办法》, from 2026-04-01 (it repeals the former).

Both set the same publicity periods (SPEC §7): general dishonesty information at least 3 months,
at most 1 year; serious at least 1 year, at most 3 years; minor information is not published. The
wage-arrears blacklist has its own: removed three years after the listing (人社部令第45号 第十一条),
early removal possible 6 months after the arrears are paid, with a written commitment (第十二条).

**Interpretation** (SPEC §7 [r2] [decision]): the 3-month/1-year and 1-year/3-year periods are
set for penalty information (a general-procedure ``administrative_penalty``, ``license_revoked``);
they apply to the other 失信—一般 and 失信—严重 kinds as well. They run from the record's date and
are counted by 民法典 第二百零一、二百零二条 (``credit_records.periods``): a period of M months from D
ends on ``add_months(D, M)``, an application is possible from the next day — a general record
dated 2024-01-15 may be repaired from 2024-04-16.

**Not repairable here**: ``serious_dishonesty_list`` (its issuer removes it) and
``dishonest_judgment_debtor`` (a court's list; the bureau shows it and never pushes it, SPEC §3).
The page says who removes them.

Every repair needs the obligations fulfilled (seed 004 第十一条: 已按规定纠正失信行为、履行相关义务;
seed 000 第二十一条: violation corrected, penalty performed) and a signed credit commitment.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credit_records.choices import InfoClass, Performance, RecordKind, Rectification
from credit_records.classes import info_class
from credit_records.periods import ONE_DAY, add_months, blacklist_expiry

K = RecordKind

EARLY_REMOVAL_MONTHS = 6  # 人社部令第45号 第十二条
LIST_KINDS = {
    K.WAGE_ARREARS_BLACKLIST,
    K.SERIOUS_DISHONESTY_LIST,
    K.BUSINESS_ABNORMAL_LIST,
    K.DISHONEST_JUDGMENT_DEBTOR,
}
# SPEC §7 [r2]: lists this bureau does not remove, and who does.
NOT_REPAIRABLE_HERE = {
    K.SERIOUS_DISHONESTY_LIST: gettext_lazy(
        "严重失信主体名单由作出列入决定的认定部门依照有关规定移出，本机关不办理其信用修复；"
        "请向作出列入决定的部门申请。"
    ),
    K.DISHONEST_JUDGMENT_DEBTOR: gettext_lazy(
        "失信被执行人名单由人民法院依法纳入、删除，本机关只展示该信息，不推送、不修复；"
        "履行生效法律文书确定的义务后，请向执行法院申请删除。"
    ),
}


@dataclass(frozen=True)
class RepairPolicy:
    """One repair regulation with its dates and its publicity periods (months, by class)."""

    name: str  # the issuing order, e.g. 国家发展改革委令2025年第36号
    title: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    min_months: dict
    max_months: dict

    @property
    def label(self) -> str:
        return f"{self.name}《{self.title}》"

    def in_force(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


PERIODS_MIN = {InfoClass.DISHONEST_GENERAL: 3, InfoClass.DISHONEST_SERIOUS: 12}
PERIODS_MAX = {InfoClass.DISHONEST_GENERAL: 12, InfoClass.DISHONEST_SERIOUS: 36}

POLICIES = (
    RepairPolicy(
        name="国家发展改革委令2023年第58号",
        title="失信行为纠正后的信用信息修复管理办法（试行）",
        effective_from=datetime.date(2023, 5, 1),
        effective_to=datetime.date(2026, 3, 31),
        min_months=PERIODS_MIN,
        max_months=PERIODS_MAX,
    ),
    RepairPolicy(
        name="国家发展改革委令2025年第36号",
        title="信用修复管理办法",
        effective_from=datetime.date(2026, 4, 1),
        effective_to=None,
        min_months=PERIODS_MIN,
        max_months=PERIODS_MAX,
    ),
)


def policy_for(day: datetime.date) -> RepairPolicy:
    """The policy in force on ``day`` (the filing day). Before the first one, the first one:
    interpretation — nothing was filed in this system before 2023-05-01 and its periods are the
    ones every later policy repeats."""
    for policy in reversed(POLICIES):
        if policy.in_force(day):
            return policy
    return POLICIES[0]


def period_table(policy: RepairPolicy) -> list[dict]:
    """The periods of a policy as the page tabulates them."""
    return [
        {
            "label": _("失信信息—一般"),
            "kinds": _(
                "一般程序作出的行政处罚（违法行为轻微或主动消除、减轻危害后果的除外）、"
                "吊销人力资源服务许可、提供虚假材料、未履行信用承诺、无理抗拒阻挠劳动保障监察"
            ),
            "min": _("%(n)d个月") % {"n": policy.min_months[InfoClass.DISHONEST_GENERAL]},
            "max": _("%(n)d年") % {"n": policy.max_months[InfoClass.DISHONEST_GENERAL] // 12},
        },
        {
            "label": _("失信信息—严重"),
            "kinds": _("重大劳动保障违法行为、欺诈骗取社会保险基金等资金、被追究刑事责任"),
            "min": _("%(n)d年") % {"n": policy.min_months[InfoClass.DISHONEST_SERIOUS] // 12},
            "max": _("%(n)d年") % {"n": policy.max_months[InfoClass.DISHONEST_SERIOUS] // 12},
        },
        {
            "label": _("拖欠农民工工资失信联合惩戒对象名单"),
            "kinds": _("人社部令第45号 第十一、十二条"),
            "min": _("改正之日起满6个月，可书面承诺申请提前移出"),
            "max": _("列入之日起3年，期满自动移出"),
        },
    ]


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
    policy: str = ""  # the policy judged by (its label)
    repairable_here: bool = True

    def as_json(self) -> dict:
        data = asdict(self)
        data["earliest"] = self.earliest.isoformat() if self.earliest else None
        return data


def publicity_last_day(record, policy: RepairPolicy | None = None) -> datetime.date | None:
    """The last day a dishonesty record is published (its maximum period, SPEC §7 [r2]): the
    blacklist's expiry, else the record's date + the maximum of its class; None when the record
    is not published as dishonesty information or not this bureau's to end."""
    klass = info_class(record)
    if klass not in PERIODS_MAX or record.kind in NOT_REPAIRABLE_HERE:
        return None
    if record.kind == K.WAGE_ARREARS_BLACKLIST:
        return blacklist_expiry(record.date)
    policy = policy or POLICIES[-1]
    return add_months(record.date, policy.max_months[klass])


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


def _day(day: datetime.date | None) -> str:
    return date_format(day) if day else "—"


def repair_eligibility(
    record,
    *,
    today: datetime.date,
    corrected_on: datetime.date | None,
    commitment_signed: bool,
    case_records=(),
    new_arrears_since_correction: bool = False,
    filed_on: datetime.date | None = None,
) -> Eligibility:
    """Whether ``record`` (an effective ledger entry) may be repaired on ``today``, judged by
    the policy in force on ``filed_on`` (the filing day; default ``today``).

    ``case_records``: the other effective records of the same case (same ``case_no``), whose
    obligations must be fulfilled too. ``new_arrears_since_correction``: for the blacklist, a new
    wage-arrears record dated after ``corrected_on`` (第十二条: 6 months without new arrears).
    """
    policy = policy_for(filed_on or today)
    klass = info_class(record)
    result = Eligibility(info_class=str(klass), eligible=False, policy=policy.label)
    if record.kind in NOT_REPAIRABLE_HERE:
        result.repairable_here = False
        result.note = str(NOT_REPAIRABLE_HERE[record.kind])
        return result
    if klass not in policy.min_months:
        result.note = _("该记录属于%(c)s，不作为失信信息公示，无需信用修复。") % {
            "c": InfoClass(klass).label
        }
        return result
    if getattr(record, "repaired_on", None):
        result.note = _("该记录已于%(d)s完成信用修复，已停止公示。") % {
            "d": _day(record.repaired_on)
        }
        return result

    conditions = result.conditions
    blacklist = record.kind == K.WAGE_ARREARS_BLACKLIST
    # Publicity still running? After the maximum it ends by itself (the nightly task records it);
    # a listing removed or expired is no longer there to repair.
    last_day = publicity_last_day(record, policy)
    removed = record.kind in LIST_KINDS and record.end_date and record.end_date <= today
    if removed:
        result.note = _("该记录已于%(d)s移出名单，无需信用修复。") % {"d": _day(record.end_date)}
        return result
    if today > last_day:
        result.note = (
            _(
                "该名单自列入之日起满3年，已于%(d)s届满并移出（人社部令第45号 第十一条），无需信用修复。"
            )
            if blacklist
            else _("该记录最长公示期已于%(d)s届满，已停止公示，无需信用修复。")
        ) % {"d": _day(last_day)}
        return result

    # Corrected and obligations fulfilled.
    corrected_ok = corrected_on is not None and record.date <= corrected_on <= today
    conditions.append(
        Condition(
            "corrected",
            _("已纠正失信行为（纠正日期不早于记录日期、不晚于今天）"),
            corrected_ok,
            _day(corrected_on),
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
            result.earliest = add_months(corrected_on, EARLY_REMOVAL_MONTHS) + ONE_DAY
        conditions.append(
            Condition(
                "early_removal",
                _("改正拖欠工资行为之日起满6个月（人社部令第45号 第十二条）"),
                result.earliest is not None and today >= result.earliest,
                _("最早可于%(d)s申请") % {"d": _day(result.earliest)} if result.earliest else "—",
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
        months = policy.min_months[klass]
        result.earliest = add_months(record.date, months) + ONE_DAY
        conditions.append(
            Condition(
                "min_publicity",
                _("已达到最短公示期（%(m)s个月，%(p)s）") % {"m": months, "p": policy.name},
                today >= result.earliest,
                _("最早可于%(d)s申请") % {"d": _day(result.earliest)},
            )
        )

    conditions.append(Condition("commitment", _("已签署信用承诺书"), bool(commitment_signed)))
    result.eligible = all(c.met for c in conditions)
    if not result.eligible and result.earliest and today < result.earliest:
        result.note = _("尚未达到最短公示期，最早可于%(d)s申请信用修复。") % {
            "d": _day(result.earliest)
        }
    return result
