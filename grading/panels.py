"""The grade panel on the employer page: current grade, every fired rule with its article and
text, the measures that apply, the history, and the employer's cycle results with manual review."""

from employers.choices import STAFF_ROLES, Role

from . import rulesets, selectors
from .choices import REVIEWABLE_CYCLE_STATUSES
from .facts import describe_facts


def explain(ruleset_code: str, version: str, grade: str, rules: list[str]) -> dict:
    try:
        ruleset = rulesets.get(ruleset_code, version)
    except KeyError:
        ruleset = None
    return {
        "ruleset": ruleset,
        "grade": grade,
        "grade_label": selectors.grade_label(ruleset_code, grade, version),
        "rules": selectors.rule_explanations(rules, version),
        "measures": selectors.measures_for(ruleset_code, grade, version, rules) if ruleset else [],
    }


def employer_grade_panel(request, employer):
    user = request.user
    if user.role not in STAFF_ROLES:
        return None  # employers see their published grades (publication's panel)
    current = []
    for grade in selectors.current_grades(employer):
        item = explain(grade.ruleset_code, grade.ruleset_version, grade.grade, grade.rules)
        item.update({"current": grade, "facts": describe_facts(grade.facts)})
        current.append(item)
    cycles = []
    can_propose = user.has_role(Role.INSPECTOR, Role.SUPERVISOR)
    for entry in selectors.employer_cycle_grades(employer):
        grade = entry["grade"]
        item = explain(grade.ruleset_code, grade.ruleset_version, grade.grade, grade.rules)
        item.update(entry)
        item["final_label"] = selectors.grade_label(
            grade.ruleset_code, entry["final_grade"], grade.ruleset_version
        )
        item["can_propose"] = (
            can_propose
            and entry["cycle"].status in REVIEWABLE_CYCLE_STATUSES
            and not entry["pending"]
        )
        item["grade_choices"] = list(item["ruleset"].grades) if item["ruleset"] else []
        # The rules an override may cite, by grade (SPEC §8 [r2]: the notice states them).
        item["rule_choices"] = (
            [r for r in item["ruleset"].rules if r.grade] if item["ruleset"] else []
        )
        item["cited"] = {
            o.pk: selectors.rule_explanations(o.cited_rules, grade.ruleset_version)
            for o in entry["overrides"]
            if o.cited_rules
        }
        cycles.append(item)
    return {
        "employer": employer,
        "current": current,
        "history": list(selectors.grade_history(employer, limit=30)),
        "cycles": cycles,
        "can_decide": user.has_role(Role.SUPERVISOR),
    }
