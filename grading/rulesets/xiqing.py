"""天津市西青区人力资源和社会保障局《关于进一步做好用人单位劳动保障守法信用等级评价管理工作的通知》
（西青人社发〔2018〕25号）

Seed ``001_dd21bc9efb295875.txt``; SPEC §5.2. Three grades A/B/C for every kind of employer
(“覆盖到所有用人单位…包括企业、个体工商户、职业介绍机构、职业技能培训机构”). The grading criteria are in
part 三“落实对企业信用等级评价动态管理分类监管”（一）“准确确定用人单位信用等级”, in the order
A, B, C; the measures in 三（二）“依法使用信用等级评价结果”.
"""

import datetime as dt

from django.utils.translation import gettext_noop

from credit_records.choices import Performance, RecordKind, Rectification, Severity

from ..facts import Facts
from .base import Measure, RuleSet, rule

RULES: list = []
ARTICLE = "三（一）"


# 用人单位未因人力社保违法行为被查处的，评价为A级用人单位；
@rule(RULES, "xiqing.A.1", "A", ARTICLE, "用人单位未因人力社保违法行为被查处的，评价为A级用人单位")
def not_dealt_with(f: Facts) -> bool:
    return f.cases_in_window == 0


# 用人单位因人力社保违法行为被查处，但不属于C级所列情形的，评价为B级用人单位；
@rule(
    RULES,
    "xiqing.B.1",
    "B",
    ARTICLE,
    "用人单位因人力社保违法行为被查处，但不属于C级所列情形的，评价为B级用人单位",
    interpretation="“不属于C级所列情形” is the worst-grade-wins policy: a C rule overrides this one.",
)
def dealt_with(f: Facts) -> bool:
    return f.cases_in_window >= 1


# 具有以下情形的，评价为C级用人单位：
@rule(
    RULES,
    "xiqing.C.1",
    "C",
    ARTICLE,
    "因人力社保违法行为被查处三次以上（含三次）的",
    interpretation="“三次以上（含三次）”: three distinct cases in the window or more.",
)
def dealt_with_three_times(f: Facts) -> bool:
    return f.cases_in_window >= 3


@rule(
    RULES,
    "xiqing.C.2",
    "C",
    ARTICLE,
    "存在人力社保违法行为被责令改正，未进行整改的",
    interpretation="An order not complied with as of as_of, whatever its date (SPEC §4 outstanding).",
)
def ordered_to_correct_not_rectified(f: Facts) -> bool:
    return f.is_outstanding(RecordKind.VIOLATION, Rectification.NOT_RECTIFIED)


@rule(
    RULES,
    "xiqing.C.3",
    "C",
    ARTICLE,
    "存在人力社保违法行为被劳动监察机构行政处理，未履行完毕的",
)
def administrative_decision_not_performed(f: Facts) -> bool:
    return f.is_outstanding(
        RecordKind.ADMINISTRATIVE_DECISION, Performance.PENDING, Performance.REFUSED
    )


@rule(RULES, "xiqing.C.4", "C", ARTICLE, "存在人力社保违法行为被劳动监察机构行政处罚的")
def administrative_penalty(f: Facts) -> bool:
    return f.in_window(RecordKind.ADMINISTRATIVE_PENALTY)


@rule(
    RULES,
    "xiqing.C.5",
    "C",
    ARTICLE,
    "因用人单位人力社保违法行为引发群体上访、突发事件或造成严重不良社会影响的",
)
def caused_incident(f: Facts) -> bool:
    return f.violation_incident_in_window


@rule(
    RULES,
    "xiqing.C.6",
    "C",
    ARTICLE,
    "发生其他重大人力社保违法行为，且情节严重、影响恶劣的",
    interpretation="A violation recorded with severity 重大 (major).",
)
def major_violation(f: Facts) -> bool:
    return Severity.MAJOR in f.violation_severities_in_window


@rule(RULES, "xiqing.C.7", "C", ARTICLE, "因人力社保违法行为被追究刑事责任的")
def criminal_liability(f: Facts) -> bool:
    return f.in_window(RecordKind.CRIMINAL_LIABILITY)


MEASURES = {
    "A": (Measure("适当减少劳动保障监察日常巡视检查频次", "三（二）"),),
    "B": (Measure("适当增加劳动保障监察日常巡视检查频次", "三（二）"),),
    "C": (
        Measure(
            "列入劳动保障监察重点对象，定期进行日常巡查或专项检查，对监管有难度的，可以提请区劳动保障监察机构协助",
            "三（二）",
        ),
        Measure(
            "对其主要负责人、直接责任人定期进行培训，敦促其遵守人力社保法律、法规和规章",
            "三（二）",
        ),
        Measure("限制评优评先、限制新增项目审批、限制参与招标投标（失信联合惩戒）", "三（三）"),
    ),
}

RULESET = RuleSet(
    code="xiqing",
    version="1",
    title=gettext_noop("关于进一步做好用人单位劳动保障守法信用等级评价管理工作的通知"),
    issuer="天津市西青区人力资源和社会保障局",
    document="西青人社发〔2018〕25号",
    seed="001_dd21bc9efb295875.txt",
    # Interpretation: the notice is dated 2018 and starts “从今年开始实现常态化”.
    effective_from=dt.date(2018, 1, 1),
    effective_to=None,
    grades=("A", "B", "C"),
    grade_labels={"A": gettext_noop("A级"), "B": gettext_noop("B级"), "C": gettext_noop("C级")},
    rules=tuple(RULES),
    measures=MEASURES,
)
