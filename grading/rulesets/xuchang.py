"""许昌市人力资源和社会保障局《关于做好2023年度人力资源服务机构诚信建设工作的通知》

Seed ``003_7f1d6dd7294dffa2.txt``; SPEC §5.4. Four grades A–D for human-resources service
agencies (人力资源服务机构) only. The criteria are in part 二（二）, in the order A (1.), B (2.),
C (3.), D (4.); validity one year and re-evaluation in 二（四）; measures in 四（五）; exemplary
agencies (诚信机构典型, at most 5 % of the A-grade agencies) in 五（七）.
"""

import datetime as dt

from django.utils.translation import gettext_noop

from credit_records.choices import Performance, RecordKind, Rectification, Severity
from employers.choices import EmployerKind

from ..facts import Facts
from .base import Measure, RuleSet, rule

RULES: list = []


def _v1_year_before(day: dt.date) -> dt.date:
    """Version 1's reading of “1年以上”, kept so stored version-1 grades explain themselves: the
    same calendar day a year before, 29 February → 28 February (compared as ``since <= that``).
    Version 2 counts the year from the day contact was lost (credit_records.periods)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


# --- who is graded -----------------------------------------------------------------------------
@rule(
    RULES,
    "xuchang.U.1",
    "",
    "二（二）",
    "对人力资源服务机构信用进行综合评价并划分等级",
    interpretation=(
        "The notice grades 人力资源服务机构 only. Other employers in 许昌 have no rule set of "
        "their own here: they are recorded as not graded (未评级) under this code."
    ),
)
def not_an_hr_agency(f: Facts) -> bool:
    return f.employer_kind != EmployerKind.HR_AGENCY


# --- 1. 符合以下条件的，评为A级 ------------------------------------------------------------------
@rule(
    RULES,
    "xuchang.A.1",
    "A",
    "二（二）1",
    "未发现有劳动保障违法违规行为；遵守人力资源市场管理工作有关行政许可、备案、年度报告、书面报告、"
    "统计、监督检查等规定和要求；不存在评为B、C、D级的情形",
    interpretation="A is “none of the above”: no B, C or D rule fires.",
)
def none_of_the_above(f: Facts) -> bool:
    return not any(r.predicate(f) for r in RULES if r.grade in ("B", "C", "D"))


# --- 2. 存在以下情形之一的，评为B级 -------------------------------------------------------------
@rule(RULES, "xuchang.B.1", "B", "二（二）2（1）", "未履行信用承诺的")
def commitment_breached(f: Facts) -> bool:
    return f.in_window(RecordKind.COMMITMENT_BREACH)


@rule(
    RULES,
    "xuchang.B.2",
    "B",
    "二（二）2（2）",
    "有劳动保障违法违规行为，但情节较轻且能及时改正的",
    interpretation="Any case in the window; the graver cases are C or D by their own rules.",
)
def minor_violation(f: Facts) -> bool:
    return f.cases_in_window >= 1


@rule(
    RULES,
    "xuchang.B.3",
    "B",
    "二（二）2（3）",
    "未按规定要求开展行政许可、备案、年度报告、书面报告、统计、接受监督检查等工作的",
)
def reporting_failure(f: Facts) -> bool:
    return f.in_window(RecordKind.REPORTING_FAILURE)


@rule(RULES, "xuchang.B.4", "B", "二（二）2（4）", "隐瞒有关情况或提供虚假材料的")
def false_materials(f: Facts) -> bool:
    return f.in_window(RecordKind.FALSE_MATERIALS)


@rule(RULES, "xuchang.B.5", "B", "二（二）2（5）", "本机构从业人员、场所等变化未达到设立条件的")
def establishment_unmet(f: Facts) -> bool:
    return f.in_window(RecordKind.ESTABLISHMENT_UNMET)


@rule(RULES, "xuchang.B.6", "B", "二（二）2（6）", "国家企业信用信息公示系统中有行政处罚记录的")
def enterprise_credit_penalty(f: Facts) -> bool:
    return f.in_window(RecordKind.ENTERPRISE_CREDIT_PENALTY)


# --- 3. 存在以下情形之一的，评为C级 -------------------------------------------------------------
@rule(
    RULES,
    "xuchang.C.1",
    "C",
    "二（二）3（1）",
    "一年内因劳动保障违法违规行为被查处两次以上的",
    interpretation="“两次以上” includes two (SPEC §4): two distinct cases in the window.",
)
def dealt_with_twice(f: Facts) -> bool:
    return f.cases_in_window >= 2


@rule(RULES, "xuchang.C.2", "C", "二（二）3（2）", "因严重劳动保障违法违规行为被查处的")
def serious_violation(f: Facts) -> bool:
    return Severity.SERIOUS in f.violation_severities_in_window


@rule(
    RULES,
    "xuchang.C.3",
    "C",
    "二（二）3（3）",
    "有劳动保障违法违规行为但拒不整改、拒不履行行政处罚决定或行政处理决定的",
)
def refused_to_comply(f: Facts) -> bool:
    return (
        f.is_outstanding(RecordKind.VIOLATION, Rectification.NOT_RECTIFIED)
        or f.is_outstanding(RecordKind.ADMINISTRATIVE_DECISION, Performance.REFUSED)
        or f.is_outstanding(RecordKind.ADMINISTRATIVE_PENALTY, Performance.REFUSED)
    )


@rule(
    RULES,
    "xuchang.C.4",
    "C",
    "二（二）3（4）",
    "机构失联1年以上的",
    interpretation="Lost contact since a date at least one year before as_of and not restored by as_of.",
)
def lost_contact_one_year(f: Facts) -> bool:
    return f.lost_contact_since is not None and f.lost_contact_since <= _v1_year_before(f.as_of)


@rule(
    RULES,
    "xuchang.C.5",
    "C",
    "二（二）3（5）",
    "连续3年以上未进行年度报告的",
    interpretation=(
        "Three or more consecutive report years without an annual report, the last of them no "
        "earlier than the year before as_of (an old run that has since ended no longer counts)."
    ),
)
def annual_reports_missing_three_years(f: Facts) -> bool:
    run = 0
    previous = None
    for year in sorted(set(f.annual_report_missing_years)):
        run = run + 1 if previous is not None and year == previous + 1 else 1
        previous = year
        if run >= 3 and year >= f.as_of.year - 1:
            return True
    return False


@rule(RULES, "xuchang.C.6", "C", "二（二）3（6）", "国家企业信用信息公示系统中被列入经营异常名录的")
def business_abnormal_list(f: Facts) -> bool:
    return f.listed(RecordKind.BUSINESS_ABNORMAL_LIST)


# --- 4. 存在以下情形之一的，评为D级 -------------------------------------------------------------
@rule(RULES, "xuchang.D.1", "D", "二（二）4（1）", "因重大劳动保障违法违规行为被查处的")
def major_violation(f: Facts) -> bool:
    return Severity.MAJOR in f.violation_severities_in_window


@rule(
    RULES,
    "xuchang.D.2",
    "D",
    "二（二）4（2）",
    "欺诈、骗取就业补助资金、社会保险基金或职业技能培训评价补贴资金的",
)
def fund_fraud(f: Facts) -> bool:
    return f.in_window(RecordKind.FUND_FRAUD)


@rule(RULES, "xuchang.D.3", "D", "二（二）4（3）", "被吊销人力资源服务许可的")
def license_revoked(f: Facts) -> bool:
    return f.in_window(RecordKind.LICENSE_REVOKED)


@rule(
    RULES,
    "xuchang.D.4",
    "D",
    "二（二）4（4）",
    "公共信用综合评价为D级的",
    interpretation="The latest public credit rating dated on or before as_of is D.",
)
def public_credit_rating_d(f: Facts) -> bool:
    return f.latest_public_credit_rating == "D"


@rule(RULES, "xuchang.D.5", "D", "二（二）4（5）", "被列入严重失信主体名单的")
def serious_dishonesty_list(f: Facts) -> bool:
    return f.listed(RecordKind.SERIOUS_DISHONESTY_LIST)


MEASURES = {
    "A": (
        Measure("可合理降低抽查比例和频次", "四（五）"),
        Measure("可选树为诚信机构典型（不超过A级机构总数5%）", "五（七）"),
    ),
    "B": (Measure("按常规比例和频次抽查", "四（五）"),),
    "C": (
        Measure("列为重点监管对象，提高抽查比例和频次，依法依规实行严管和惩戒", "四（五）"),
        Measure(
            "不得享受人力资源社会保障领域的扶持补贴、奖励激励、项目申报、资金支持、评先评优、告知承诺等政策",
            "四（五）",
        ),
    ),
    "D": (
        Measure("列为重点监管对象，提高抽查比例和频次，依法依规实行严管和惩戒", "四（五）"),
        Measure(
            "不得享受人力资源社会保障领域的扶持补贴、奖励激励、项目申报、资金支持、评先评优、告知承诺等政策",
            "四（五）",
        ),
    ),
}

RULESET = RuleSet(
    code="xuchang",
    version="1",
    title=gettext_noop("关于做好2023年度人力资源服务机构诚信建设工作的通知"),
    issuer="许昌市人力资源和社会保障局",
    document="",  # the seed gives no 文号
    seed="003_7f1d6dd7294dffa2.txt",
    # Interpretation: issued for the 2023 cycle and applied from then on until replaced.
    effective_from=dt.date(2023, 1, 1),
    effective_to=None,
    grades=("A", "B", "C", "D"),
    grade_labels={
        "A": gettext_noop("A级"),
        "B": gettext_noop("B级"),
        "C": gettext_noop("C级"),
        "D": gettext_noop("D级"),
    },
    rules=tuple(RULES),
    measures=MEASURES,
    employer_kinds=frozenset({EmployerKind.HR_AGENCY}),
    honours=("exemplary",),
)
