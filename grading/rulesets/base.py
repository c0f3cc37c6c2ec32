"""What a rule set is: rules (code, grade, article, Chinese text, pure predicate) in the
regulation's order, measures per grade, and the evaluation (STYLE.md "the one flow that matters").

Evaluation follows DMN's PRIORITY hit policy: every rule is tried, the worst grade among the rules
that fired wins (D < C < B < A, SPEC §4) and *every* rule fired at that grade is kept, so the
explanation is complete. A ``U`` rule (grade ``""``) marks the employer as not graded (未评级); when
one fires, the result is ungraded whatever else fired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from ..facts import Facts

UNGRADED = ""
# How bad a grade is: the worst wins. Not graded (a U rule fired) overrides every grade.
GRADE_SEVERITY = {"D": 4, "C": 3, "B": 2, "A": 1}
_SEVERITY = {**GRADE_SEVERITY, "": 5}


def _severity(rule) -> int:
    return _SEVERITY[rule.grade]


@dataclass(frozen=True)
class Rule:
    code: str  # <ruleset>.<grade>.<item>, e.g. "jiaxian.D.1"
    grade: str  # "A".."D", or "" for a U rule (not graded)
    article: str  # where in the regulation, e.g. "第十二条第（一）项"
    text: str  # the regulation's own words (Chinese)
    predicate: Callable[[Facts], bool]  # pure: no ORM, no clock, no I/O
    interpretation: str = ""  # SPEC's [decision], when the code reads the text a certain way

    @property
    def is_scope_rule(self) -> bool:
        return self.grade == UNGRADED


@dataclass(frozen=True)
class Measure:
    """A consequence of a grade (激励或惩戒措施) with its article."""

    text: str
    article: str
    # Measures that apply only when one of these rules fired (jiaxian 第十七条: the D measures
    # differ for a penalty and for the wage-arrears blacklist); empty = every employer of the grade.
    when_rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    grade: str  # "A".."D" or "" (未评级)
    rules: tuple[str, ...]  # every rule fired at that grade, in the regulation's order

    @property
    def is_graded(self) -> bool:
        return self.grade != UNGRADED


class IncompleteRuleSet(Exception):
    """No rule fired: a rule set must give every employer a grade or a U code saying why not."""


@dataclass(frozen=True)
class RuleSet:
    code: str
    version: str
    title: str
    issuer: str
    document: str  # 文号 of the issuing document ("" when it has none: then issuer + title)
    seed: str  # the file in /work/shared/seeds the text comes from
    effective_from: dt.date
    effective_to: dt.date | None
    grades: tuple[str, ...]  # best first, e.g. ("A", "B", "C", "D")
    grade_labels: dict[str, str]
    rules: tuple[Rule, ...]
    measures: dict[str, tuple[Measure, ...]] = field(default_factory=dict)
    # Employer kinds the rule set grades (None = every kind); the others get its U rule.
    employer_kinds: frozenset[str] | None = None
    # Seed 002 四（一）: a grade needs labour-inspection enforcement in the cycle — records of
    # these kinds dated in the window (used by its scope rule and by the screening report);
    # empty when the rule set grades without it.
    supervision_kinds: tuple[str, ...] = ()
    # [r2] Lists whose listing in force during the window is enforcement as well (jiangjin U.2:
    # the wage-arrears blacklist).
    supervision_lists: tuple[str, ...] = ()
    # Extra honours the rule set knows of (jiangjin 授牌, xuchang 诚信机构典型); used by pages.
    honours: tuple[str, ...] = ()

    def __post_init__(self):
        codes = [r.code for r in self.rules]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{self.code}: duplicate rule codes")
        for rule in self.rules:
            if not rule.code.startswith(f"{self.code}."):
                raise ValueError(f"{rule.code} is not a rule of {self.code}")
            if rule.grade and rule.grade not in self.grades:
                raise ValueError(f"{rule.code}: grade {rule.grade} not in {self.grades}")

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.version)

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def rule(self, code: str) -> Rule:
        for rule in self.rules:
            if rule.code == code:
                return rule
        raise KeyError(code)

    def evaluate(self, facts: Facts) -> Evaluation:
        fired = [rule for rule in self.rules if rule.predicate(facts)]
        if not fired:
            raise IncompleteRuleSet(f"{self.code} {self.version}: no rule fired for {facts!r}")
        worst = max(fired, key=_severity).grade  # a U rule (grade "") outranks every grade
        return Evaluation(worst, tuple(rule.code for rule in fired if rule.grade == worst))

    def measures_for(self, grade: str, fired: tuple[str, ...] | list[str] = ()) -> list[Measure]:
        """The measures of ``grade``; those tied to particular rules only when one of them fired."""
        fired = set(fired)
        return [
            m
            for m in self.measures.get(grade, ())
            if not m.when_rules or fired.intersection(m.when_rules)
        ]


def keep(registry: list, earlier: RuleSet, code: str) -> Rule:
    """Carry a rule of an earlier version into a new one unchanged (same code, article, text,
    predicate and interpretation): a new version lists every clause, changed or not."""
    kept = earlier.rule(code)
    registry.append(kept)
    return kept


def rule(registry: list, code: str, grade: str, article: str, text: str, *, interpretation=""):
    """Decorator laying a rule out next to its clause:

    @rule(RULES, "jiaxian.D.2", "D", "第十二条第（二）项", "被列入拖欠农民工工资“黑名单”的")
    def listed_on_wage_arrears_blacklist(f): ...
    """

    def decorate(predicate):
        registry.append(Rule(code, grade, article, text, predicate, interpretation))
        return predicate

    return decorate
