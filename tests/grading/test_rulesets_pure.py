"""Rule sets as pure functions: facts in, grade and fired rules out (no database).

One row per clause; the boundaries that depend on the ledger (windows, voids, L60 …) are in
test_rulesets_records.py, which goes from credit records through the facts queries.

This table is **version 1** of each rule set, kept so stored version-1 grades explain themselves
(SPEC §5.5 [r2]); version 2 has its own table in test_rulesets_v2.py.
"""

import datetime as dt

import pytest

from grading import rulesets
from grading.facts import Facts
from grading.rulesets import IncompleteRuleSet
from grading.windows import Span

SPAN = Span.for_cycle(2024)


def facts(kind="enterprise", **values):
    for name in (
        "kinds_in_window",
        "kinds_in_l60",
        "listed_in_window",
        "listed_in_l60",
        "violation_severities_in_window",
        "violation_categories_in_window",
        "outstanding",
    ):
        if name in values:
            values[name] = frozenset(values[name])
    return Facts(
        as_of=SPAN.as_of,
        window_start=SPAN.window_start,
        l60_start=SPAN.l60_start,
        employer_kind=kind,
        **values,
    )


CASE1 = {"cases_in_window": 1, "cases_in_l60": 1, "kinds_in_window": {"violation"}}
SUPERVISED = {"kinds_in_window": {"patrol_inspection"}}

# fmt: off
PURE_CASES = [
    # (ruleset, facts, grade, rules)
    ("jiaxian", facts(), "B", ["jiaxian.B.1"]),
    ("jiaxian", facts(harmonious_in_force=True), "A", ["jiaxian.A.1"]),
    ("jiaxian", facts(harmonious_in_force=True, cases_in_l60=1), "B", ["jiaxian.B.1"]),
    ("jiaxian", facts(harmonious_in_force=True, kinds_in_l60={"arbitration_loss"}), "B", ["jiaxian.B.1"]),
    ("jiaxian", facts(**CASE1), "C", ["jiaxian.C.1"]),
    ("jiaxian", facts(cases_in_window=1, kinds_in_window={"administrative_penalty"}), "D", ["jiaxian.D.1"]),
    ("jiaxian", facts(outstanding={"administrative_penalty:pending"}), "D", ["jiaxian.D.1"]),
    ("jiaxian", facts(listed_in_window={"wage_arrears_blacklist"}), "D", ["jiaxian.D.2"]),
    (
        "jiaxian",
        facts(listed_in_window={"wage_arrears_blacklist"}, outstanding={"administrative_penalty:refused"}),
        "D", ["jiaxian.D.1", "jiaxian.D.2"],
    ),
    ("xiqing", facts(), "A", ["xiqing.A.1"]),
    ("xiqing", facts(**CASE1), "B", ["xiqing.B.1"]),
    ("xiqing", facts(cases_in_window=3), "C", ["xiqing.C.1"]),
    ("xiqing", facts(cases_in_window=2), "B", ["xiqing.B.1"]),
    ("xiqing", facts(outstanding={"violation:not_rectified"}), "C", ["xiqing.C.2"]),
    ("xiqing", facts(outstanding={"administrative_decision:pending"}), "C", ["xiqing.C.3"]),
    ("xiqing", facts(cases_in_window=1, kinds_in_window={"administrative_penalty"}), "C", ["xiqing.C.4"]),
    ("xiqing", facts(cases_in_window=1, violation_incident_in_window=True), "C", ["xiqing.C.5"]),
    ("xiqing", facts(cases_in_window=1, violation_severities_in_window={"major"}), "C", ["xiqing.C.6"]),
    ("xiqing", facts(kinds_in_window={"criminal_liability"}), "C", ["xiqing.C.7"]),
    ("jiangjin", facts(kind="individual_business", **CASE1), "", ["jiangjin.U.1"]),
    ("jiangjin", facts(), "", ["jiangjin.U.2"]),
    ("jiangjin", facts(kind="other"), "", ["jiangjin.U.1", "jiangjin.U.2"]),
    ("jiangjin", facts(**SUPERVISED), "A", ["jiangjin.A.1"]),
    ("jiangjin", facts(**CASE1), "B", ["jiangjin.B.1"]),
    ("jiangjin", facts(cases_in_window=3, kinds_in_window={"violation"}), "C", ["jiangjin.C.1"]),
    ("jiangjin", facts(violation_incident_in_window=True, **CASE1), "C", ["jiangjin.C.2"]),
    ("jiangjin", facts(violation_categories_in_window={"child_labor"}, **CASE1), "C", ["jiangjin.C.3"]),
    ("jiangjin", facts(violation_severities_in_window={"serious"}, **CASE1), "C", ["jiangjin.C.3"]),
    ("jiangjin", facts(outstanding={"administrative_penalty:refused"}, **SUPERVISED), "C", ["jiangjin.C.4"]),
    ("jiangjin", facts(outstanding={"administrative_penalty:pending"}, **SUPERVISED), "A", ["jiangjin.A.1"]),
    ("jiangjin", facts(kinds_in_window={"obstruction", "patrol_inspection"}), "C", ["jiangjin.C.5"]),
    ("jiangjin", facts(kinds_in_window={"criminal_liability", "complaint"}), "C", ["jiangjin.C.6"]),
    ("xuchang", facts(), "", ["xuchang.U.1"]),
    ("xuchang", facts(kind="hr_agency"), "A", ["xuchang.A.1"]),
    ("xuchang", facts(kind="hr_agency", kinds_in_window={"commitment_breach"}), "B", ["xuchang.B.1"]),
    ("xuchang", facts(kind="hr_agency", **CASE1), "B", ["xuchang.B.2"]),
    ("xuchang", facts(kind="hr_agency", kinds_in_window={"reporting_failure"}), "B", ["xuchang.B.3"]),
    ("xuchang", facts(kind="hr_agency", kinds_in_window={"false_materials"}), "B", ["xuchang.B.4"]),
    ("xuchang", facts(kind="hr_agency", kinds_in_window={"establishment_unmet"}), "B", ["xuchang.B.5"]),
    ("xuchang", facts(kind="hr_agency", kinds_in_window={"enterprise_credit_penalty"}), "B", ["xuchang.B.6"]),
    ("xuchang", facts(kind="hr_agency", cases_in_window=2), "C", ["xuchang.C.1"]),
    ("xuchang", facts(kind="hr_agency", cases_in_window=1, violation_severities_in_window={"serious"}), "C", ["xuchang.C.2"]),
    ("xuchang", facts(kind="hr_agency", outstanding={"violation:not_rectified"}), "C", ["xuchang.C.3"]),
    ("xuchang", facts(kind="hr_agency", lost_contact_since=dt.date(2023, 12, 31)), "C", ["xuchang.C.4"]),
    ("xuchang", facts(kind="hr_agency", lost_contact_since=dt.date(2024, 1, 1)), "A", ["xuchang.A.1"]),
    ("xuchang", facts(kind="hr_agency", annual_report_missing_years=(2021, 2022, 2023)), "C", ["xuchang.C.5"]),
    ("xuchang", facts(kind="hr_agency", annual_report_missing_years=(2020, 2021, 2022)), "A", ["xuchang.A.1"]),
    ("xuchang", facts(kind="hr_agency", annual_report_missing_years=(2021, 2023, 2024)), "A", ["xuchang.A.1"]),
    ("xuchang", facts(kind="hr_agency", listed_in_window={"business_abnormal_list"}), "C", ["xuchang.C.6"]),
    ("xuchang", facts(kind="hr_agency", cases_in_window=1, violation_severities_in_window={"major"}), "D", ["xuchang.D.1"]),
    ("xuchang", facts(kind="hr_agency", kinds_in_window={"fund_fraud"}), "D", ["xuchang.D.2"]),
    ("xuchang", facts(kind="hr_agency", kinds_in_window={"license_revoked"}), "D", ["xuchang.D.3"]),
    ("xuchang", facts(kind="hr_agency", latest_public_credit_rating="D"), "D", ["xuchang.D.4"]),
    ("xuchang", facts(kind="hr_agency", latest_public_credit_rating="C"), "A", ["xuchang.A.1"]),
    ("xuchang", facts(kind="hr_agency", listed_in_window={"serious_dishonesty_list"}), "D", ["xuchang.D.5"]),
    (
        "xuchang",
        facts(kind="hr_agency", kinds_in_window={"false_materials", "reporting_failure"}),
        "B", ["xuchang.B.3", "xuchang.B.4"],
    ),
]
# fmt: on


@pytest.mark.parametrize(
    ("code", "given", "grade", "rules"),
    PURE_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(PURE_CASES)],
)
def test_pure_evaluation(code, given, grade, rules):
    result = rulesets.get(code, "1").evaluate(given)
    assert (result.grade, list(result.rules)) == (grade, rules)


def test_every_rule_has_code_grade_article_and_text():
    for ruleset in rulesets.all_rulesets():
        assert ruleset.rules, ruleset.code
        for rule in ruleset.rules:
            assert rule.code.startswith(ruleset.code + ".")
            prefix, grade, item = rule.code.split(".")
            assert grade == (rule.grade or "U")
            assert item.isdigit()
            assert rule.article and rule.text
        for grade in ruleset.grades:
            assert ruleset.measures.get(grade), (ruleset.code, grade)


def test_rules_are_in_the_regulations_order():
    # Scope rules first, then grade by grade as the regulation lists them, items ascending.
    for ruleset in rulesets.all_rulesets():
        keys = []
        for rule in ruleset.rules:
            _code, grade, item = rule.code.split(".")
            keys.append(((["U", *ruleset.grades]).index(grade), int(item)))
        assert keys == sorted(keys), ruleset.code


def test_registry_lookup_by_code_and_version():
    assert rulesets.get("jiaxian", "1").code == "jiaxian"
    assert rulesets.get("xuchang").version == "2"  # the highest version (SPEC §5.5 [r2])
    assert rulesets.get("xuchang", "1").version == "1"
    with pytest.raises(KeyError):
        rulesets.get("jiaxian", "999")
    assert rulesets.rule_by_code("jiaxian.D.2").article == "第十二条第（二）项"


def test_a_rule_set_that_fires_nothing_is_an_error():
    incomplete = rulesets.RuleSet(
        code="demo",
        version="1",
        title="",
        issuer="",
        document="",
        seed="",
        effective_from=dt.date(2020, 1, 1),
        effective_to=None,
        grades=("A",),
        grade_labels={},
        rules=(rulesets.Rule("demo.A.1", "A", "1", "t", lambda f: False),),
    )
    with pytest.raises(IncompleteRuleSet):
        incomplete.evaluate(facts())


def test_measures_follow_the_rule_that_fired():
    jiaxian = rulesets.get("jiaxian", "1")
    penalty = [m.article for m in jiaxian.measures_for("D", ["jiaxian.D.1"])]
    blacklist = [m.article for m in jiaxian.measures_for("D", ["jiaxian.D.2"])]
    assert "第十七条第二款" not in penalty and "第十七条第一款第（三）项" in penalty
    assert blacklist == ["第十七条第二款"]


def test_facts_json_round_trip():
    given = facts(
        kind="hr_agency",
        cases_in_window=2,
        outstanding={"violation:not_rectified"},
        lost_contact_since=dt.date(2023, 5, 1),
        annual_report_missing_years=(2022, 2023),
    )
    data = given.to_json()
    assert data["cases_in_window"] == 2 and "cases_in_l60" not in data
    assert Facts.from_json(data) == given
