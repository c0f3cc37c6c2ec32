"""Which rule sets grade an employer on a given day (SPEC §5, §5.5).

An employer is graded by the rule-set assignments of its jurisdiction, or of the nearest
ancestor that has any (a street belongs to its district; a district of 许昌 to the city). Among
them, those for its kind (or for every kind) apply. When none does — 许昌 assigns its rule set to
人力资源服务机构 only — the employer is recorded as not graded under the jurisdiction's rule sets
whose scope rule (a U rule) says why (interpretation, seed 003: other kinds are 未评级 under
xuchang.U.1). A rule set without such a scope rule is not applied to kinds it was not assigned.

**[r2] Version** (SPEC §5.5): an assignment names the rule set; the version that grades an as_of
is the highest version of it in force on that day (``rulesets.in_force``) — version 2 corrects
the reading of the same regulation with version 1's dates, so it grades every run from revision 2
on. The assignment's ``ruleset_version`` records the version current when it was made and is
used only when no version is in force on the day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from employers.models import Jurisdiction

from . import rulesets
from .models import RuleSetAssignment
from .rulesets import RuleSet


@dataclass(frozen=True)
class Applicable:
    """The rule sets applied to (jurisdiction, kind) and the jurisdiction that grades."""

    grading_jurisdiction_id: int | None
    rulesets: tuple[RuleSet, ...]


class Assignments:
    """Every assignment in force on ``day``, resolved once per (jurisdiction, kind)."""

    def __init__(self, day: dt.date):
        self.day = day
        self.by_jurisdiction: dict[int, list[RuleSetAssignment]] = defaultdict(list)
        for assignment in RuleSetAssignment.objects.all():
            if assignment.in_force(day):
                self.by_jurisdiction[assignment.jurisdiction_id].append(assignment)
        self.parents = dict(Jurisdiction.objects.values_list("id", "parent_id"))
        self._cache: dict[tuple[int, str], Applicable] = {}

    def grading_jurisdiction(self, jurisdiction_id: int | None) -> int | None:
        """The nearest jurisdiction (itself or an ancestor) that has assignments."""
        node = jurisdiction_id
        while node is not None:
            if node in self.by_jurisdiction:
                return node
            node = self.parents.get(node)
        return None

    def ruleset_codes_within(self, jurisdiction_id: int) -> list[str]:
        """Codes of the rule sets that grade employers of a jurisdiction's subtree: those of the
        jurisdiction itself or its nearest ancestor with assignments, and those assigned to any
        jurisdiction below it."""
        codes = set()
        root = self.grading_jurisdiction(jurisdiction_id)
        if root is not None:
            codes.update(a.ruleset_code for a in self.by_jurisdiction[root])
        for assigned_id, assigned in self.by_jurisdiction.items():
            node = self.parents.get(assigned_id)
            while node is not None and node != jurisdiction_id:
                node = self.parents.get(node)
            if node is not None:  # jurisdiction_id is a strict ancestor of assigned_id
                codes.update(a.ruleset_code for a in assigned)
        return sorted(codes)

    def applicable(self, jurisdiction_id: int, kind: str) -> Applicable:
        key = (jurisdiction_id, kind)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._resolve(jurisdiction_id, kind)
        return found

    def _resolve(self, jurisdiction_id: int, kind: str) -> Applicable:
        root = self.grading_jurisdiction(jurisdiction_id)
        if root is None:
            return Applicable(None, ())
        assigned = self.by_jurisdiction[root]
        matching = [a for a in assigned if a.employer_kind in ("", kind)]
        if not matching:
            # Not covered: only rule sets with a scope rule for this kind record it as 未评级.
            matching = [
                a
                for a in assigned
                if (rs := self._ruleset(a)).employer_kinds is not None
                and kind not in rs.employer_kinds
            ]
        chosen = {}
        for assignment in matching:
            ruleset = self._ruleset(assignment)
            chosen.setdefault(ruleset.code, ruleset)  # one version per rule set
        return Applicable(root, tuple(chosen[code] for code in sorted(chosen)))

    def _ruleset(self, assignment: RuleSetAssignment) -> RuleSet:
        try:
            return rulesets.in_force(assignment.ruleset_code, self.day)
        except KeyError:
            return rulesets.get(assignment.ruleset_code, assignment.ruleset_version)

    def versions(self) -> dict[str, str]:
        """{rule set code: version} of every rule set that grades on this day (recorded with a
        run)."""
        out: dict[str, set[str]] = defaultdict(set)
        for assigned in self.by_jurisdiction.values():
            for a in assigned:
                out[a.ruleset_code].add(self._ruleset(a).version)
        return {code: ",".join(sorted(v)) for code, v in sorted(out.items())}

    def grading_roots(self) -> dict[int, set[str]]:
        """{jurisdiction id: rule set codes} for every jurisdiction that grades."""
        return {
            jid: {a.ruleset_code for a in assigned}
            for jid, assigned in self.by_jurisdiction.items()
        }
