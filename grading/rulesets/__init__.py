"""The registry of rule sets: (code, version) → RuleSet (SPEC §5.5).

One module per regulation, laid out like it. A new version of a regulation is a new ``RuleSet``
(in the same module or a new one) listed here; a new jurisdiction is a new module plus a
``RuleSetAssignment`` row (a data migration) — the engine does not change.
"""

from __future__ import annotations

import datetime as dt

from . import jiangjin, jiaxian, xiqing, xuchang
from .base import (
    GRADE_SEVERITY,
    UNGRADED,
    Evaluation,
    IncompleteRuleSet,
    Measure,
    Rule,
    RuleSet,
)

__all__ = [
    "GRADE_SEVERITY",
    "UNGRADED",
    "Evaluation",
    "IncompleteRuleSet",
    "Measure",
    "Rule",
    "RuleSet",
    "REGISTRY",
    "get",
    "latest",
    "all_rulesets",
]

REGISTRY: dict[tuple[str, str], RuleSet] = {
    rs.key: rs for rs in (jiaxian.RULESET, xiqing.RULESET, jiangjin.RULESET, xuchang.RULESET)
}


def get(code: str, version: str | None = None) -> RuleSet:
    """The rule set ``code`` at ``version`` (the newest version when None); KeyError if unknown."""
    if version is None:
        return latest(code)
    return REGISTRY[(code, version)]


def latest(code: str, on: dt.date | None = None) -> RuleSet:
    """The newest version of ``code`` (in force on ``on`` when given)."""
    candidates = [
        rs for (c, _v), rs in REGISTRY.items() if c == code and (on is None or rs.in_force(on))
    ]
    if not candidates:
        raise KeyError(code)
    return max(candidates, key=lambda rs: rs.effective_from)


def all_rulesets() -> list[RuleSet]:
    return sorted(REGISTRY.values(), key=lambda rs: (rs.code, rs.effective_from))


def rule_by_code(code: str, version: str | None = None) -> Rule:
    ruleset_code = code.split(".", 1)[0]
    return get(ruleset_code, version).rule(code)
