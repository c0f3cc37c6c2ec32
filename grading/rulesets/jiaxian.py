"""郏县人力资源和社会保障局《用人单位劳动保障守法信用分级分类监管办法（试行）》

Seed ``000_07c09dfd8a427630.txt``; SPEC §5.1. Four grades A（优秀）/B（良好）/C（一般）/D（较差）
(第八条) for every kind of employer in the county (第二条), one-year cycle with dynamic adjustment
(第十三条). Laid out like the regulation: 第九条 A, 第十条 B, 第十一条 C, 第十二条 D, then the
measures of 第十四至十七条.
"""

import datetime as dt

from django.utils.translation import gettext_noop

from credit_records.choices import Performance, RecordKind

from ..facts import Facts
from .base import Measure, RuleSet, rule

RULES: list = []


# 第九条 用人单位同时具备以下条件，并被确定为县级劳动关系和谐企业且未被撤销的，评价为A级（优秀）：
# （一）依法保障职工权益，近60个月无劳动保障违法违规行为或劳动人事争议仲裁败诉案件；
# （二）严格执行劳动合同办法，注重人文关怀，企业凝聚力较强。
@rule(
    RULES,
    "jiaxian.A.1",
    "A",
    "第九条",
    "同时具备依法保障职工权益，近60个月无劳动保障违法违规行为或劳动人事争议仲裁败诉案件，"
    "严格执行劳动合同办法、注重人文关怀，并被确定为县级劳动关系和谐企业且未被撤销的，评价为A级（优秀）",
    interpretation=(
        "SPEC §5.1 [decision]: 第九条（二）is attested by the harmonious-enterprise designation "
        "(any level, county or higher, in force at as_of: revoked on as_of no longer counts); "
        "“近60个月无违法违规行为或仲裁败诉” = no case, no arbitration loss and no wage-arrears "
        "blacklist listing in L60."
    ),
)
def meets_article_9(f: Facts) -> bool:
    return (
        f.cases_in_window == 0  # B (第十条) holds
        and f.harmonious_in_force
        and f.cases_in_l60 == 0
        and not f.in_l60(RecordKind.ARBITRATION_LOSS)
        and not f.listed_l60(RecordKind.WAGE_ARREARS_BLACKLIST)
    )


# 第十条 用人单位在近一年内未被发现有违反人社法律法规行为的，评价为B级（良好）。
@rule(
    RULES,
    "jiaxian.B.1",
    "B",
    "第十条",
    "用人单位在近一年内未被发现有违反人社法律法规行为的，评价为B级（良好）",
    interpretation=(
        "第九条 is 第十条 plus more, so an employer that meets 第九条 is A and not also B "
        "(otherwise the worst grade would always win over A)."
    ),
)
def no_violation_found_in_window(f: Facts) -> bool:
    return f.cases_in_window == 0 and not meets_article_9(f)


# 第十一条 用人单位在近一年内因违反人社法律法规行为被查处，但能及时纠正，未受到行政处罚的，
# 评价为C级（一般）。
@rule(
    RULES,
    "jiaxian.C.1",
    "C",
    "第十一条",
    "用人单位在近一年内因违反人社法律法规行为被查处，但能及时纠正，未受到行政处罚的，评价为C级（一般）",
)
def dealt_with_in_window(f: Facts) -> bool:
    return f.cases_in_window >= 1


# 第十二条 用人单位在近一年内存在以下情形之一的，评价为D级（较差）：
# （一）因违反人社法律法规受到行政处罚的；
@rule(
    RULES,
    "jiaxian.D.1",
    "D",
    "第十二条第（一）项",
    "因违反人社法律法规受到行政处罚的",
    interpretation=(
        "SPEC §5.1 [decision]: 第二十一条 lifts D only once the penalty is performed and the "
        "violation corrected, so a penalty of any earlier date still pending or refused keeps D."
    ),
)
def administrative_penalty(f: Facts) -> bool:
    return f.in_window(RecordKind.ADMINISTRATIVE_PENALTY) or f.is_outstanding(
        RecordKind.ADMINISTRATIVE_PENALTY, Performance.PENDING, Performance.REFUSED
    )


# （二）被列入拖欠农民工工资“黑名单”的。
@rule(
    RULES,
    "jiaxian.D.2",
    "D",
    "第十二条第（二）项",
    "被列入拖欠农民工工资“黑名单”的",
    interpretation="A listing overlapping the window counts, even one decided before it (SPEC §5.6).",
)
def listed_on_wage_arrears_blacklist(f: Facts) -> bool:
    return f.listed(RecordKind.WAGE_ARREARS_BLACKLIST)


MEASURES = {
    # 第十四条
    "A": (
        Measure("免于日常巡视检查", "第十四条第（一）项"),
        Measure(
            "同等条件下，优先给予就业、职业培训、人才、社保、劳动关系等政策支持",
            "第十四条第（二）项",
        ),
        Measure("国家和本县规定的其他激励措施", "第十四条第（三）项"),
    ),
    # 第十五条
    "B": (
        Measure("申请人社领域行政许可时给予优先办理、简化程序等便利化服务", "第十五条第（一）项"),
        Measure("在日常监管中，适当减少日常巡视检查频次", "第十五条第（二）项"),
        Measure("国家和本县规定的其他激励措施", "第十五条第（三）项"),
    ),
    # 第十六条
    "C": (Measure("适当增加日常巡视检查频次", "第十六条"),),
    # 第十七条: the first paragraph for a penalty, the second for the blacklist.
    "D": (
        Measure(
            "在办理行政许可过程中，根据实际情况减少对其采取承诺制审批等便利化措施的范围",
            "第十七条第一款第（一）项",
            when_rules=("jiaxian.D.1",),
        ),
        Measure(
            "列为日常监管重点对象，强化日常巡视检查",
            "第十七条第一款第（二）项",
            when_rules=("jiaxian.D.1",),
        ),
        Measure(
            "对主要负责人、直接责任人进行约谈，敦促其遵守人社法律法规，约谈情况记入用人单位信用记录",
            "第十七条第一款第（三）项",
            when_rules=("jiaxian.D.1",),
        ),
        Measure(
            "按照法律法规规定进行联合惩戒",
            "第十七条第二款",
            when_rules=("jiaxian.D.2",),
        ),
    ),
}

RULESET = RuleSet(
    code="jiaxian",
    version="1",
    title=gettext_noop("用人单位劳动保障守法信用分级分类监管办法（试行）"),
    issuer="郏县人力资源和社会保障局",
    document="",  # the seed gives no 文号
    seed="000_07c09dfd8a427630.txt",
    # Interpretation: 第二十三条 “自发布之日起施行” gives no date; the text cites 国办发〔2020〕49号,
    # so it was issued after December 2020 — the system applies it from 2021-01-01.
    effective_from=dt.date(2021, 1, 1),
    effective_to=None,
    grades=("A", "B", "C", "D"),
    grade_labels={
        "A": gettext_noop("A级（优秀）"),
        "B": gettext_noop("B级（良好）"),
        "C": gettext_noop("C级（一般）"),
        "D": gettext_noop("D级（较差）"),
    },
    rules=tuple(RULES),
    measures=MEASURES,
)
