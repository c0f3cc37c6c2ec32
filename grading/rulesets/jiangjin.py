"""重庆市江津区 企业劳动保障守法诚信等级评价 — 《重庆市企业劳动保障守法诚信等级评价暂行办法》
（渝人社发〔2016〕212号） as applied by the district's notice of 2024-08-02.

Seed ``002_92263434b012a74d.txt``; SPEC §5.3. Chongqing's criteria repeat the national A/B/C
criteria of 《企业劳动保障守法诚信等级评价办法》（人社部规〔2016〕1号）: A 守法诚信, B 基本诚信,
C 不诚信. The criteria themselves are not in the seed, so the articles below name the criterion
(“C级情形（一）”…) rather than an article number. Seed 002 四（一） adds who is graded: only
enterprises, and only those that had labour-inspection enforcement in the cycle (the screening
“避免出现同一主体不同等级、非企业性质参加评级和未实施劳动保障监察却产生评级结果”).
"""

import datetime as dt

from django.utils.translation import gettext_noop

from credit_records.choices import Category, Performance, RecordKind, Rectification, Severity
from employers.choices import EmployerKind

from ..facts import Facts
from .base import Measure, RuleSet, rule

RULES: list = []

# Records that show labour-inspection enforcement (seed 002 四（一）: 主动巡查、专项检查、举报投诉、
# 行政处理处罚…, and the written review of 三（一）).
SUPERVISION_KINDS = (
    RecordKind.VIOLATION,
    RecordKind.ADMINISTRATIVE_DECISION,
    RecordKind.ADMINISTRATIVE_PENALTY,
    RecordKind.PATROL_INSPECTION,
    RecordKind.WRITTEN_REVIEW,
    RecordKind.COMPLAINT,
    RecordKind.INTERVIEW,
)


# --- who is graded (seed 002 四（一）) --------------------------------------------------------
@rule(
    RULES,
    "jiangjin.U.1",
    "",
    "四（一）",
    "避免出现非企业性质参加评级",
    interpretation="Only employers of kind 企业 (enterprise) are graded; 个体工商户 and others are not.",
)
def not_an_enterprise(f: Facts) -> bool:
    return f.employer_kind != EmployerKind.ENTERPRISE


@rule(
    RULES,
    "jiangjin.U.2",
    "",
    "四（一）",
    "避免出现未实施劳动保障监察却产生评级结果",
    interpretation=(
        "No record of a violation, decision, penalty, patrol inspection, written review, "
        "complaint or interview dated in the window: not graded."
    ),
)
def no_supervision_in_window(f: Facts) -> bool:
    return not f.in_window(*SUPERVISION_KINDS)


# --- A级（守法诚信） -------------------------------------------------------------------------
@rule(
    RULES,
    "jiangjin.A.1",
    "A",
    "A级标准",
    "企业遵守劳动保障法律、法规和规章，未因劳动保障违法行为被查处的，评为A级",
)
def not_dealt_with(f: Facts) -> bool:
    return f.cases_in_window == 0


# --- B级（基本诚信） -------------------------------------------------------------------------
@rule(
    RULES,
    "jiangjin.B.1",
    "B",
    "B级标准",
    "企业因劳动保障违法行为被查处，但不属于C级所列情形的，评为B级",
    interpretation="“不属于C级所列情形” is the worst-grade-wins policy: a C rule overrides this one.",
)
def dealt_with(f: Facts) -> bool:
    return f.cases_in_window >= 1


# --- C级（不诚信）: 企业存在下列情形之一的 ---------------------------------------------------
@rule(RULES, "jiangjin.C.1", "C", "C级情形（一）", "因劳动保障违法行为被查处三次以上（含三次）的")
def dealt_with_three_times(f: Facts) -> bool:
    return f.cases_in_window >= 3


@rule(
    RULES,
    "jiangjin.C.2",
    "C",
    "C级情形（二）",
    "因劳动保障违法行为引发群体性事件、极端事件或造成严重不良社会影响的",
)
def caused_incident(f: Facts) -> bool:
    return f.violation_incident_in_window


@rule(
    RULES,
    "jiangjin.C.3",
    "C",
    "C级情形（三）",
    "因使用童工、强迫劳动等严重劳动保障违法行为被查处的",
    interpretation="“等严重劳动保障违法行为”: a violation of severity 严重 or 重大 also counts.",
)
def serious_violation(f: Facts) -> bool:
    return bool(
        f.violation_categories_in_window & {Category.CHILD_LABOR, Category.FORCED_LABOR}
        or f.violation_severities_in_window & {Severity.SERIOUS, Severity.MAJOR}
    )


@rule(
    RULES,
    "jiangjin.C.4",
    "C",
    "C级情形（四）",
    "拒不履行劳动保障监察限期整改指令、行政处理决定或者行政处罚决定的",
    interpretation=(
        "An order still not complied with (逾期未整改), or a decision or penalty recorded as "
        "拒不履行, whatever its date; “未履行完毕” alone is not refusal."
    ),
)
def refused_to_comply(f: Facts) -> bool:
    return (
        f.is_outstanding(RecordKind.VIOLATION, Rectification.NOT_RECTIFIED)
        or f.is_outstanding(RecordKind.ADMINISTRATIVE_DECISION, Performance.REFUSED)
        or f.is_outstanding(RecordKind.ADMINISTRATIVE_PENALTY, Performance.REFUSED)
    )


@rule(
    RULES,
    "jiangjin.C.5",
    "C",
    "C级情形（五）",
    "无理抗拒、阻挠人力资源社会保障行政部门实施劳动保障监察的",
)
def obstructed_inspection(f: Facts) -> bool:
    return f.in_window(RecordKind.OBSTRUCTION)


@rule(RULES, "jiangjin.C.6", "C", "C级情形（六）", "因劳动保障违法行为被追究刑事责任的")
def criminal_liability(f: Facts) -> bool:
    return f.in_window(RecordKind.CRIMINAL_LIABILITY)


MEASURES = {
    "A": (
        Measure("除有举报投诉外，原则上不纳入本年度主动巡查范围", "四（四）3"),
        Measure(
            "可进行通报表扬、授牌等；连续3年评为A级的，可授予“劳动保障守法诚信企业”铭牌",
            "四（四）2",
        ),
    ),
    "B": (Measure("适当增加日常巡视检查频次", "四（四）3"),),
    "C": (
        Measure("列为本年度劳动保障监察重点监管和培训对象", "四（四）3"),
        Measure("及时约谈其主要负责人、直接责任人，实行动态监管", "四（四）3"),
        Measure("拟评为C级的，按规定进行书面告知", "四（二）"),
    ),
}

RULESET = RuleSet(
    code="jiangjin",
    version="1",
    title=gettext_noop("重庆市企业劳动保障守法诚信等级评价暂行办法"),
    issuer="重庆市江津区人力资源和社会保障局",
    document="渝人社发〔2016〕212号",
    seed="002_92263434b012a74d.txt",
    # Interpretation: the 2016 暂行办法 (repeating 人社部规〔2016〕1号, graded from 2017-01-01).
    effective_from=dt.date(2017, 1, 1),
    effective_to=None,
    grades=("A", "B", "C"),
    grade_labels={
        "A": gettext_noop("A级（守法诚信）"),
        "B": gettext_noop("B级（基本诚信）"),
        "C": gettext_noop("C级（不诚信）"),
    },
    rules=tuple(RULES),
    measures=MEASURES,
    employer_kinds=frozenset({EmployerKind.ENTERPRISE}),
    supervision_kinds=SUPERVISION_KINDS,
    honours=("plaque",),
)
