"""Rule sets, version 2 (SPEC §5 [r2]): table-driven, one row per changed clause and its
boundaries, each change firing alone and together; the choice of version (SPEC §5.5 [r2]); stored
version-1 grades still explained by version 1; ties of xuchang D.4; regrade and export_grades
giving version-2 grades and codes. Expected values are read off SPEC §5 [r2] and the seeds."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from grading import rulesets
from grading.assignments import Assignments
from grading.facts import Facts
from grading.models import Grade
from grading.selectors import rule_explanations
from grading.windows import Span
from tests.factories import EmployerFactory, jurisdiction
from tests.grading.records import add, correct

SPAN = Span.for_cycle(2024)


def facts(kind="enterprise", as_of=None, **values):
    span = SPAN if as_of is None else Span.for_as_of(as_of)
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
        as_of=span.as_of,
        window_start=span.window_start,
        l60_start=span.l60_start,
        employer_kind=kind,
        **values,
    )


HR = "hr_agency"
CASE1 = {"cases_in_window": 1, "cases_in_l60": 1, "kinds_in_window": {"violation"}}
HARMONIOUS = {"harmonious_in_force": True}
NOT_RECTIFIED = {"outstanding": {"violation:not_rectified"}}
BLACKLISTED = {"listed_in_window": {"wage_arrears_blacklist"}}

# fmt: off
V2_CASES = [
    # (ruleset, facts, v2 grade, v2 rules, v1 grade) — v1 grade shows what the revision changed.
    # jiaxian 第九条 A.1: also barred by obstruction / criminal liability in L60.
    ("jiaxian", facts(**HARMONIOUS), "A", ["jiaxian.A.1"], "A"),
    ("jiaxian", facts(kinds_in_l60={"obstruction"}, **HARMONIOUS), "B", ["jiaxian.B.1"], "A"),
    ("jiaxian", facts(kinds_in_l60={"criminal_liability"}, **HARMONIOUS), "B", ["jiaxian.B.1"], "A"),
    ("jiaxian", facts(kinds_in_l60={"arbitration_loss"}, **HARMONIOUS), "B", ["jiaxian.B.1"], "B"),
    ("jiaxian", facts(listed_in_l60={"wage_arrears_blacklist"}, **HARMONIOUS), "B", ["jiaxian.B.1"], "B"),
    # A.1 needs none of C.1, C.2, D.1, D.2 (version 1 only asked for no case in W).
    ("jiaxian", facts(**NOT_RECTIFIED, **HARMONIOUS), "C", ["jiaxian.C.2"], "A"),
    # 第十条 B.1 redefined: B only when no C or D situation holds.
    ("jiaxian", facts(), "B", ["jiaxian.B.1"], "B"),
    ("jiaxian", facts(kinds_in_window={"obstruction"}, kinds_in_l60={"obstruction"}), "C", ["jiaxian.C.1"], "B"),
    # 第十一条 C.1 widened.
    ("jiaxian", facts(**CASE1), "C", ["jiaxian.C.1"], "C"),
    ("jiaxian", facts(kinds_in_window={"criminal_liability"}), "C", ["jiaxian.C.1"], "B"),
    ("jiaxian", facts(kinds_in_window={"obstruction", "criminal_liability"}), "C", ["jiaxian.C.1"], "B"),
    ("jiaxian", facts(kinds_in_l60={"obstruction"}), "B", ["jiaxian.B.1"], "B"),  # L60 only: not C
    # C.2 new, alone and with C.1.
    ("jiaxian", facts(**NOT_RECTIFIED), "C", ["jiaxian.C.2"], "B"),
    ("jiaxian", facts(outstanding={"violation:not_rectified"}, **CASE1), "C", ["jiaxian.C.1", "jiaxian.C.2"], "C"),
    ("jiaxian", facts(outstanding={"administrative_decision:refused"}), "B", ["jiaxian.B.1"], "B"),
    # D.2 (its facts carry the expiry: the ledger-level table has the dates); D outranks C.
    ("jiaxian", facts(**BLACKLISTED), "D", ["jiaxian.D.2"], "D"),
    ("jiaxian", facts(kinds_in_window={"administrative_penalty", "obstruction"}, cases_in_window=1,
                      **NOT_RECTIFIED), "D", ["jiaxian.D.1"], "D"),
    ("jiaxian", facts(outstanding={"violation:not_rectified", "administrative_penalty:pending"}, **BLACKLISTED),
     "D", ["jiaxian.D.1", "jiaxian.D.2"], "D"),
    # xiqing C.3 with penalties.
    ("xiqing", facts(outstanding={"administrative_penalty:pending"}), "C", ["xiqing.C.3"], "A"),
    ("xiqing", facts(outstanding={"administrative_penalty:refused"}), "C", ["xiqing.C.3"], "A"),
    ("xiqing", facts(outstanding={"administrative_decision:pending"}), "C", ["xiqing.C.3"], "C"),
    ("xiqing", facts(outstanding={"administrative_penalty:pending"}, cases_in_window=1,
                     kinds_in_window={"administrative_penalty"}), "C", ["xiqing.C.3", "xiqing.C.4"], "C"),
    ("xiqing", facts(**CASE1), "B", ["xiqing.B.1"], "B"),
    # jiangjin U.2 widened (fewer ungraded), C.7 new.
    ("jiangjin", facts(), "", ["jiangjin.U.2"], ""),
    ("jiangjin", facts(kinds_in_window={"obstruction"}), "C", ["jiangjin.C.5"], ""),
    ("jiangjin", facts(kinds_in_window={"criminal_liability"}), "C", ["jiangjin.C.6"], ""),
    ("jiangjin", facts(**BLACKLISTED), "C", ["jiangjin.C.7"], ""),
    ("jiangjin", facts(kinds_in_window={"patrol_inspection"}, **BLACKLISTED), "C", ["jiangjin.C.7"], "A"),
    ("jiangjin", facts(cases_in_window=3, kinds_in_window={"violation", "obstruction"}, **BLACKLISTED),
     "C", ["jiangjin.C.1", "jiangjin.C.5", "jiangjin.C.7"], "C"),
    ("jiangjin", facts(kind="individual_business", **BLACKLISTED), "", ["jiangjin.U.1"], ""),
    ("jiangjin", facts(kind="other"), "", ["jiangjin.U.1", "jiangjin.U.2"], ""),
    # xuchang U.1 with job agencies.
    ("xuchang", facts(kind="job_agency"), "A", ["xuchang.A.1"], ""),
    ("xuchang", facts(kind="job_agency", **CASE1), "B", ["xuchang.B.2"], ""),
    ("xuchang", facts(kind="labor_dispatch"), "", ["xuchang.U.1"], ""),
    ("xuchang", facts(kind="enterprise"), "", ["xuchang.U.1"], ""),
    # B.3 with annual_report_missing.
    ("xuchang", facts(kind=HR, kinds_in_window={"annual_report_missing"}), "B", ["xuchang.B.3"], "A"),
    ("xuchang", facts(kind=HR, kinds_in_window={"annual_report_missing", "reporting_failure"}),
     "B", ["xuchang.B.3"], "B"),
    ("xuchang", facts(kind=HR, kinds_in_window={"annual_report_missing", "false_materials"}),
     "B", ["xuchang.B.3", "xuchang.B.4"], "B"),
    # C.4 by the date helper: 29 February.
    ("xuchang", facts(kind=HR, as_of=dt.date(2025, 2, 28), lost_contact_since=dt.date(2024, 2, 29)),
     "C", ["xuchang.C.4"], "A"),
    ("xuchang", facts(kind=HR, as_of=dt.date(2025, 2, 27), lost_contact_since=dt.date(2024, 2, 29)),
     "A", ["xuchang.A.1"], "A"),
    ("xuchang", facts(kind=HR, as_of=dt.date(2025, 3, 1), lost_contact_since=dt.date(2024, 2, 29)),
     "C", ["xuchang.C.4"], "C"),
    ("xuchang", facts(kind=HR, lost_contact_since=dt.date(2023, 12, 31)), "C", ["xuchang.C.4"], "C"),
    ("xuchang", facts(kind=HR, lost_contact_since=dt.date(2024, 1, 1)), "A", ["xuchang.A.1"], "A"),
    ("xuchang", facts(kind=HR, lost_contact_since=dt.date(2023, 1, 1), annual_report_missing_years=(2021, 2022, 2023),
                      kinds_in_window={"annual_report_missing"}),
     "C", ["xuchang.C.4", "xuchang.C.5"], "C"),
    ("xuchang", facts(kind=HR, latest_public_credit_rating="D", lost_contact_since=dt.date(2022, 1, 1)),
     "D", ["xuchang.D.4"], "D"),
]
# fmt: on


@pytest.mark.parametrize(
    ("code", "given", "grade", "rules", "v1_grade"),
    V2_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(V2_CASES)],
)
def test_version_2(code, given, grade, rules, v1_grade):
    result = rulesets.get(code, "2").evaluate(given)
    assert (result.grade, list(result.rules)) == (grade, rules)
    if code != "xuchang" or given.employer_kind == HR:  # v1 has no opinion on job agencies
        assert rulesets.get(code, "1").evaluate(given).grade == v1_grade


def test_every_new_or_changed_rule_fires_alone_in_the_table():
    changed = {
        "jiaxian.A.1", "jiaxian.B.1", "jiaxian.C.1", "jiaxian.C.2", "jiaxian.D.2",
        "xiqing.C.3", "jiangjin.U.2", "jiangjin.C.7",
        "xuchang.U.1", "xuchang.A.1", "xuchang.B.3", "xuchang.C.4", "xuchang.D.4",
    }  # fmt: skip
    alone = {rules[0] for _c, _f, _g, rules, _v in V2_CASES if len(rules) == 1}
    assert changed - alone == set()
    for code in changed:
        ruleset, _grade, _item = code.split(".")
        new = rulesets.get(ruleset, "2").rule(code)
        try:
            old = rulesets.get(ruleset, "1").rule(code)
        except KeyError:
            continue  # new in version 2
        assert new is not old and new.interpretation, code


def test_version_2_keeps_version_1s_dates_and_order():
    for code in ("jiaxian", "xiqing", "jiangjin", "xuchang"):
        v1, v2 = rulesets.get(code, "1"), rulesets.get(code, "2")
        assert (v1.effective_from, v1.effective_to) == (v2.effective_from, v2.effective_to)
        assert (v1.title, v1.document, v1.grades) == (v2.title, v2.document, v2.grades)
        # every clause of version 1 is still there (a version lists every clause)
        assert {r.code for r in v1.rules} <= {r.code for r in v2.rules}


def test_the_highest_version_in_force_grades():
    assert rulesets.in_force("jiaxian", dt.date(2024, 12, 31)).version == "2"
    assert rulesets.in_force("jiaxian", dt.date(2021, 1, 1)).version == "2"  # whatever the year
    with pytest.raises(KeyError):
        rulesets.in_force("jiaxian", dt.date(2020, 12, 31))  # before the regulation
    assert rulesets.latest("xuchang").version == "2"


@pytest.mark.django_db
def test_assignments_grade_with_version_2_and_record_it():
    assignments = Assignments(dt.date(2024, 12, 31))
    assert assignments.versions() == {
        "jiangjin": "2",
        "jiaxian": "2",
        "xiqing": "2",
        "xuchang": "2",
    }
    applicable = assignments.applicable(jurisdiction("xuchang").pk, "job_agency")
    assert [(rs.code, rs.version) for rs in applicable.rulesets] == [("xuchang", "2")]


@pytest.mark.django_db
def test_a_stored_version_1_grade_is_explained_by_version_1():
    employer = EmployerFactory(jurisdiction=jurisdiction("xiqing"))
    call_command("regrade", "--cycle", "2024", stdout=io.StringIO())
    grade = Grade.objects.get(employer=employer)
    assert grade.ruleset_version == "2"
    # A grade stored before revision 2 (version 1, C.3 for a decision only).
    old = Grade.objects.create(
        run=grade.run,
        employer=EmployerFactory(jurisdiction=jurisdiction("xiqing")),
        jurisdiction=grade.jurisdiction,
        ruleset_code="xiqing",
        ruleset_version="1",
        as_of=grade.as_of,
        cycle_year=2024,
        grade="C",
        rules=["xiqing.C.3"],
    )
    v1 = rule_explanations(old.rules, old.ruleset_version)[0]
    v2 = rule_explanations(old.rules, "2")[0]
    assert v1.interpretation == "" and "penalty" in v2.interpretation
    assert v1.article == v2.article == "三（一）"
    # A rule that exists only in version 2 is not explained by version 1.
    assert rule_explanations(["jiaxian.C.2"], "1")[0].text == ""
    assert "逾期未整改" in rule_explanations(["jiaxian.C.2"], "2")[0].text


# --- xuchang D.4: two ratings on the same date ---------------------------------------------------


def _rating_grade(employer):
    span = Span.for_cycle(2024)
    from grading.engine import evaluate
    from grading.facts import EmployerSelection

    rows = evaluate(span, EmployerSelection(employer_ids=(employer.pk,)), Assignments(span.as_of))
    return rows[0].result.grade, list(rows[0].result.rules)


def _import(tmp_path, employer, values):
    path = tmp_path / "ratings.csv"
    lines = ["uscc,kind,date,document_no,value"]
    lines += [
        f"{employer.uscc},public_credit_rating,2024-03-01,文{i},{v}" for i, v in enumerate(values)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("import_records", str(path), stdout=io.StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file_order", "grade", "rules"),
    [
        (["A", "D"], "D", ["xuchang.D.4"]),  # the row written last is D
        (["D", "A"], "A", ["xuchang.A.1"]),  # the row written last is A
        (["D", "D", "C"], "A", ["xuchang.A.1"]),
    ],
)
def test_d4_ties_go_to_the_row_written_last(tmp_path, file_order, grade, rules):
    employer = EmployerFactory(jurisdiction=jurisdiction("xuchang"), kind=HR)
    _import(tmp_path, employer, file_order)
    assert _rating_grade(employer) == (grade, rules)


@pytest.mark.django_db
def test_d4_a_correction_is_written_last():
    employer = EmployerFactory(jurisdiction=jurisdiction("xuchang"), kind=HR)
    first = add(employer, "public_credit_rating", "2024-03-01", value="C", document_no="甲")
    add(employer, "public_credit_rating", "2024-03-01", value="A", document_no="乙")
    assert _rating_grade(employer)[0] == "A"
    correct(first, value="D")  # the corrected entry is now the last written of that date
    assert _rating_grade(employer) == ("D", ["xuchang.D.4"])


# --- the commands give version-2 grades and codes -----------------------------------------------


@pytest.mark.django_db
def test_regrade_and_export_give_version_2_codes(tmp_path):
    jiaxian = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    add(jiaxian, "violation", "2023-05-01", rectification="not_rectified")  # C.2 (v1: B)
    jiangjin = EmployerFactory(jurisdiction=jurisdiction("jiangjin"))
    add(jiangjin, "wage_arrears_blacklist", "2023-05-01")  # C.7 (v1: not graded, U.2)
    expired = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    add(expired, "wage_arrears_blacklist", "2021-08-01")  # expired 2024-08-01 (v1: D for ever)
    call_command("regrade", "--cycle", "2025", stdout=io.StringIO())
    out = tmp_path / "grades.csv"
    call_command(
        "export_grades", "--cycle", "2025", "--format", "csv", "--output", str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    rows = {
        line.split(",")[0]: line.split(",")[3:]
        for line in out.read_text(encoding="utf-8-sig").splitlines()[1:]
    }
    assert rows[jiaxian.uscc] == ["jiaxian", "C", "jiaxian.C.2"]
    assert rows[jiangjin.uscc] == ["jiangjin", "C", "jiangjin.C.7"]
    assert rows[expired.uscc] == ["jiaxian", "B", "jiaxian.B.1"]
    assert set(Grade.objects.values_list("ruleset_version", flat=True)) == {"2"}


@pytest.mark.django_db
def test_screening_counts_a_blacklisting_as_enforcement_in_jiangjin():
    """SPEC §5.3 [r2]: a blacklisting in force during the window is enforcement (U.2), so the
    screening does not report a C.7 enterprise as graded without inspection; an expired one
    leaves the enterprise ungraded."""
    from employers.models import Employer
    from grading.models import Cycle
    from grading.reports import screening

    listed = EmployerFactory(jurisdiction=jurisdiction("jiangjin"))
    add(listed, "wage_arrears_blacklist", "2023-05-01")
    expired = EmployerFactory(jurisdiction=jurisdiction("jiangjin"))
    add(expired, "wage_arrears_blacklist", "2020-12-31")
    call_command("regrade", "--cycle", "2024", "--jurisdiction", "jiangjin", stdout=io.StringIO())
    grades = dict(Grade.objects.values_list("employer_id", "grade"))
    assert (grades[listed.pk], grades[expired.pk]) == ("C", "")
    findings = screening(list(Cycle.objects.all()), employers=Employer.objects.all())
    assert not findings["no_inspection"]
