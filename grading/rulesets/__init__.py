"""The registry of rule sets: (code, version) → RuleSet (SPEC §5.5).

One module per regulation, laid out like it. A new version of a regulation is a new ``RuleSet``
(in the same module or a new one) listed here; a new jurisdiction is a new module plus a
``RuleSetAssignment`` row (a data migration) — the engine does not change.

**[r2] Which version grades** (SPEC §5.5): for an as_of, the highest version in force on that
day (``in_force``). Version 2 of each rule set (``<code>_v2.py``) corrects the reading of the same
regulation and carries version 1's dates, so it grades every run from now on, whatever the year;
version 1 stays registered so every stored version-1 grade is explained by version 1.
"""

from __future__ import annotations

import datetime as dt

from . import (
    jiangjin,
    jiangjin_v2,
    jiaxian,
    jiaxian_v2,
    xiqing,
    xiqing_v2,
    xuchang,
    xuchang_v2,
)
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
    "in_force",
    "all_rulesets",
]

REGISTRY: dict[tuple[str, str], RuleSet] = {
    rs.key: rs
    for rs in (
        jiaxian.RULESET,
        xiqing.RULESET,
        jiangjin.RULESET,
        xuchang.RULESET,
        jiaxian_v2.RULESET,
        xiqing_v2.RULESET,
        jiangjin_v2.RULESET,
        xuchang_v2.RULESET,
    )
}


def _version_number(ruleset: RuleSet) -> tuple:
    version = ruleset.version
    return (int(version), "") if version.isdigit() else (0, version)


def get(code: str, version: str | None = None) -> RuleSet:
    """The rule set ``code`` at ``version`` (the newest version when None); KeyError if unknown."""
    if version is None:
        return latest(code)
    return REGISTRY[(code, version)]


def latest(code: str, on: dt.date | None = None) -> RuleSet:
    """The highest version of ``code`` (of those in force on ``on`` when given)."""
    candidates = [
        rs for (c, _v), rs in REGISTRY.items() if c == code and (on is None or rs.in_force(on))
    ]
    if not candidates:
        raise KeyError(code)
    return max(candidates, key=_version_number)


def in_force(code: str, on: dt.date) -> RuleSet:
    """SPEC §5.5 [r2]: the version that grades an as_of — the highest version in force on it.
    KeyError when no version of ``code`` is in force that day."""
    return latest(code, on)


def all_rulesets() -> list[RuleSet]:
    return sorted(REGISTRY.values(), key=lambda rs: (rs.code, _version_number(rs)))


def rule_by_code(code: str, version: str | None = None) -> Rule:
    ruleset_code = code.split(".", 1)[0]
    return get(ruleset_code, version).rule(code)
