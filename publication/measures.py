"""Measures in force: next year's patrol working list from the published grades (SPEC §5
measures; seed 000 第十四至十七条; seed 001; seed 002 四(四)3; seed 003 四(五)).

Each rule set's measures say how often an employer of each grade is patrolled. This module sorts
the published employers of a cycle into the inspectors' categories for the next year; the
measure texts themselves come from the rule set (``RuleSet.measures_for``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

KEY = "key"  # 重点监管对象
INCREASED = "increased"  # 增加巡查频次
NORMAL = "normal"  # 常规频次
REDUCED = "reduced"  # 减少巡查频次 / 降低抽查比例
EXEMPT = "exempt"  # 免于日常巡查（有举报投诉的除外）

CATEGORY_LABELS = {
    KEY: _("重点监管对象"),
    INCREASED: _("增加巡查频次"),
    NORMAL: _("常规巡查频次"),
    REDUCED: _("减少巡查频次"),
    EXEMPT: _("免于日常巡查"),
}
CATEGORY_ORDER = [KEY, INCREASED, NORMAL, REDUCED, EXEMPT]

# (category, article) per rule set and grade.
PATROL_PLAN = {
    "jiaxian": {
        "A": (EXEMPT, "第十四条第（一）项"),
        "B": (REDUCED, "第十五条第（二）项"),
        "C": (INCREASED, "第十六条"),
        "D": (KEY, "第十七条第（二）项"),
    },
    "xiqing": {
        "A": (REDUCED, "三(二)"),
        "B": (INCREASED, "三(二)"),
        "C": (KEY, "三(二)"),
    },
    "jiangjin": {
        # 除有举报投诉外，原则上不纳入本年度主动巡查范围
        "A": (EXEMPT, "四(四)3"),
        "B": (INCREASED, "四(四)3"),
        "C": (KEY, "四(四)3"),
    },
    "xuchang": {
        "A": (REDUCED, "四(五)"),
        "B": (NORMAL, "四(五)"),
        "C": (KEY, "四(五)"),
        "D": (KEY, "四(五)"),
    },
}


@dataclass
class PatrolEntry:
    result: object  # PublishedResult
    grade: str  # in force (after adjustments)
    measures: list = field(default_factory=list)


@dataclass
class PatrolGroup:
    category: str
    label: str
    article: str
    entries: list[PatrolEntry] = field(default_factory=list)


def patrol_list(cycle, results) -> list[PatrolGroup]:
    """Group the published ``results`` of ``cycle`` by patrol category, each entry with the grade
    in force (adjustments applied) and its measures."""
    from grading import rulesets

    from .services import current_grade

    plan = PATROL_PLAN.get(cycle.ruleset_code, {})
    groups: dict[str, PatrolGroup] = {}
    for result in results:
        grade = current_grade(result)
        category, article = plan.get(grade, (NORMAL, ""))
        try:
            ruleset = rulesets.get(result.ruleset_code, result.ruleset_version)
            measures = ruleset.measures_for(grade, result.rules if grade == result.grade else ())
        except KeyError:
            measures = []
        group = groups.setdefault(
            category, PatrolGroup(category, str(CATEGORY_LABELS[category]), article)
        )
        group.entries.append(PatrolEntry(result=result, grade=grade, measures=measures))
    return [groups[c] for c in CATEGORY_ORDER if c in groups]
