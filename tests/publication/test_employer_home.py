"""The employer's home (issue 11 item 1): its live grade under each rule set, computed by the
engine from records written through the ledger's services, explained by the rules that fired
(article and Chinese text, never a rule code) and the records they rest on; what would lift the
grade and when; the proposed grade during 公示 with a prefilled objection."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from credit_records.services import add_record
from employers.choices import EmployerKind, Role
from grading import explain, rulesets
from grading.choices import CycleStatus
from grading.selectors import grades_as_of
from publication.employer_home import employer_home_context
from tests.factories import EmployerFactory, UserFactory, jurisdiction

from .conftest import make_cycle

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2024, 6, 1)
RULE_CODE = re.compile(r"\b(jiaxian|xiqing|jiangjin|xuchang)\.[A-Z]\.\d")


def record(employer, kind, date, **fields):
    return add_record(actor=None, employer=employer, kind=kind, date=date, **fields)


def violation(employer, date, case_no="", **fields):
    fields.setdefault("severity", "general")
    fields.setdefault("category", "wages")
    fields.setdefault("rectification", "rectified")
    return record(employer, "violation", date, case_no=case_no, **fields)


def penalty(employer, date, performance="performed", **fields):
    return record(
        employer,
        "administrative_penalty",
        date,
        performance=performance,
        procedure="general",
        document_no=fields.pop("document_no", "郏人社监罚〔2024〕7号"),
        **fields,
    )


# (jurisdiction, records to write, expected grade, fired rule codes, how many records each rests on)
CASES = [
    ("jiaxian", [], "B", ["jiaxian.B.1"], [0]),
    ("jiaxian", [("penalty", D(2024, 3, 5))], "D", ["jiaxian.D.1"], [1]),
    # Two penalties each suffice: both are shown.
    (
        "jiaxian",
        [("penalty", D(2024, 3, 5)), ("penalty", D(2024, 4, 5))],
        "D",
        ["jiaxian.D.1"],
        [2],
    ),
    ("jiaxian", [("blacklist", D(2022, 4, 1))], "D", ["jiaxian.D.2"], [1]),
    ("jiaxian", [("violation", D(2024, 2, 1))], "C", ["jiaxian.C.1"], [1]),
    (
        "xiqing",
        [
            ("violation", D(2024, 1, 10)),
            ("violation", D(2024, 2, 10)),
            ("violation", D(2024, 3, 10)),
        ],
        "C",
        ["xiqing.C.1"],
        [3],
    ),
    # Four cases, three needed: every case counts towards it.
    (
        "xiqing",
        [("violation", D(2024, m, 10)) for m in (1, 2, 3, 4)],
        "C",
        ["xiqing.C.1"],
        [4],
    ),
    # A case outside the window (2023) is not a basis of anything.
    (
        "xiqing",
        [("violation", D(2023, 2, 10)), ("violation", D(2024, 2, 10))],
        "B",
        ["xiqing.B.1"],
        [1],
    ),
    ("xiqing", [("violation", D(2024, 2, 10))], "B", ["xiqing.B.1"], [1]),
    ("xiqing", [("violation", D(2023, 2, 10))], "A", ["xiqing.A.1"], [0]),
    # Not graded: jiangjin grades only enterprises with enforcement in the window (U rules).
    ("jiangjin", [], "", ["jiangjin.U.2"], [0]),
]


def write(employer, items):
    out = []
    for i, (what, day) in enumerate(items):
        if what == "penalty":
            out.append(penalty(employer, day))
        elif what == "blacklist":
            out.append(record(employer, "wage_arrears_blacklist", day))
        else:
            out.append(violation(employer, day, case_no=f"案{i}"))
    return out


@pytest.mark.parametrize("code,items,grade,rules,basis_sizes", CASES)
def test_live_grade_and_reasons_match_the_rule_set(code, items, grade, rules, basis_sizes):
    employer = EmployerFactory(jurisdiction=jurisdiction(code), kind=EmployerKind.ENTERPRISE)
    written = write(employer, items)
    engine = grades_as_of([employer.pk], TODAY)[employer.pk][code]
    assert engine[0] == grade and list(engine[1]) == rules  # the engine agrees with the table

    context = employer_home_context(employer, today=TODAY)
    (section,) = [s for s in context["live"] if s.ruleset_code == code]
    explanation = section.explanation
    assert explanation.grade == grade
    version = engine[2]
    for fired, rule_code, size in zip(explanation.rules, rules, basis_sizes, strict=True):
        rule = rulesets.get(code, version).rule(rule_code)
        assert (fired.rule.article, fired.rule.text) == (rule.article, rule.text)
        assert len(fired.records) == size
        assert {r.pk for r in fired.records} <= {r.pk for r in written}


def test_the_page_shows_articles_and_records_and_never_a_rule_code(client):
    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    user = UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    day = timezone.localdate() - datetime.timedelta(days=20)
    fine = penalty(employer, day, document_no="郏人社监罚〔2026〕9号")
    client.force_login(user)
    response = client.get(reverse("publication:employer_home"))
    assert response.status_code == 200
    html = response.content.decode()
    rule = rulesets.latest("jiaxian").rule("jiaxian.D.1")
    assert rule.text in html and rule.article in html
    assert reverse("credit_records:detail", args=[fine.pk]) in html
    assert f"{reverse('objections:new')}?kind=record&amp;record={fine.pk}" in html
    assert "郏人社监罚〔2026〕9号" in html
    assert not RULE_CODE.search(html)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", re.sub(r"<[^>]+>", " ", html))  # no ISO dates


def test_an_employer_lands_on_its_home(client):
    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    user = UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    client.force_login(user)
    assert client.get("/").url == reverse("publication:employer_home")


def test_only_employers_open_the_home(client, inspector):
    url = reverse("publication:employer_home")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(inspector)
    assert client.get(url).status_code == 403


# --- what would lift the grade, and when ------------------------------------------------------


def _plan(employer, code="jiaxian", today=TODAY):
    context = employer_home_context(employer, today=today)
    (section,) = [s for s in context["live"] if s.ruleset_code == code]
    return section.explanation, section.lift


def test_a_blacklisting_lifts_when_its_expiry_leaves_the_window():
    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    record(employer, "wage_arrears_blacklist", D(2021, 8, 1))
    explanation, lift = _plan(employer)
    assert explanation.grade == "D"
    first = lift.waiting[0]
    # Listed through 2024-08-01 (SPEC §4 [r2]); the live window W of 2025-07-31 still reaches
    # that day, the window of 2025-08-01 no longer does.
    assert (first.day, first.grade, first.better) == (D(2025, 8, 1), "B", True)
    assert "黑名单于2024年8月1日届满" in first.conditions[0]
    engine = grades_as_of([employer.pk], D(2025, 7, 31))[employer.pk]["jiaxian"][0]
    assert engine == "D"
    assert grades_as_of([employer.pk], D(2025, 8, 1))[employer.pk]["jiaxian"][0] == "B"


def test_a_penalty_lifts_on_the_day_it_leaves_the_window():
    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    penalty(employer, D(2024, 5, 10))
    explanation, lift = _plan(employer)
    assert explanation.grade == "D"
    assert explain.leaves_span(D(2024, 5, 10)) == D(2025, 5, 10)
    assert [(s.day, s.grade) for s in lift.waiting] == [(D(2025, 5, 10), "B")]
    assert "2024年5月10日的行政处罚决定" in lift.waiting[0].conditions[0]
    assert grades_as_of([employer.pk], D(2025, 5, 9))[employer.pk]["jiaxian"][0] == "D"
    assert grades_as_of([employer.pk], D(2025, 5, 10))[employer.pk]["jiaxian"][0] == "B"


def test_a_penalty_not_performed_lifts_only_once_performed():
    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    fine = penalty(employer, D(2024, 5, 10), performance="pending")
    _explanation, lift = _plan(employer)
    assert lift.waiting == []  # an outstanding penalty keeps D (SPEC §5.1 D.1)
    assert [r.pk for r, _c in lift.actions] == [fine.pk]
    assert "履行完毕后" in lift.actions[0][1]
    assert [(s.day, s.grade) for s in lift.after_actions] == [(None, "D"), (D(2025, 5, 10), "B")]


def test_leap_day_window_edge():
    # 民法典 第二百零二条: the window of 2025-02-28 starts on 2024-02-29, so a record of that day
    # still counts then and leaves the window on 2025-03-01.
    assert explain.leaves_span(D(2024, 2, 29)) == D(2025, 3, 1)
    assert explain.leaves_span(D(2024, 2, 28)) == D(2025, 2, 28)


# --- the proposed grade during 公示 ------------------------------------------------------------


def test_proposed_grade_with_rules_and_a_prefilled_grade_objection(client):
    cycle = make_cycle(
        grades=[("C", ["jiaxian.C.1"])], status=CycleStatus.PUBLIC_NOTICE, names=["郏县测试公司"]
    )
    (employer,) = cycle.test_employers
    user = UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    client.force_login(user)
    html = client.get(reverse("publication:employer_home")).content.decode()
    grade = cycle.run.grades.get(employer=employer)
    assert "2024年度评价结果公示中" in html
    assert f"{reverse('objections:new')}?kind=grade&amp;grade={grade.pk}" in html
    assert rulesets.get("jiaxian", "1").rule("jiaxian.C.1").text in html
    assert not RULE_CODE.search(html)
    # The objection form opens with that grade chosen.
    form = client.get(reverse("objections:new"), {"kind": "grade", "grade": grade.pk})
    form_html = form.content.decode()
    assert f'<option value="{grade.pk}" selected>' in form_html
    assert "（jiaxian）" not in form_html  # the regulation's title, not its code
    assert "用人单位劳动保障守法信用分级分类监管办法" in form_html


def test_annual_forecast_follows_the_calendar_year_window():
    # A blacklisting of 2021-08-01 is listed through 2024-08-01: the 2024 cycle (W = 2024)
    # still sees it, the 2025 cycle no longer does (SPEC §5.6 [r2]).
    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    record(employer, "wage_arrears_blacklist", D(2021, 8, 1))
    _explanation, lift = _plan(employer)
    assert [(year, grade) for year, grade, _label in lift.annual] == [
        (2024, "D"),
        (2025, "B"),
        (2026, "B"),
    ]


def test_a_lost_contact_reaching_one_year_is_shown_as_a_fall():
    # SPEC §5.4 [r2]: lost since 2024-02-29 → C from 2025-02-28 (民法典 第二百零二条).
    employer = EmployerFactory(jurisdiction=jurisdiction("xuchang"), kind=EmployerKind.HR_AGENCY)
    record(employer, "lost_contact", D(2024, 2, 29))
    explanation, lift = _plan(employer, code="xuchang")
    assert explanation.grade == "A" and lift.best
    first = lift.waiting[0]
    assert (first.day, first.grade, first.worse, first.better) == (D(2025, 2, 28), "C", True, False)
    assert grades_as_of([employer.pk], D(2025, 2, 27))[employer.pk]["xuchang"][0] == "A"
    assert grades_as_of([employer.pk], D(2025, 2, 28))[employer.pk]["xuchang"][0] == "C"


def test_published_grades_with_a_re_evaluation_link_and_the_chart(
    client, publisher, django_capture_on_commit_callbacks, monkeypatch
):
    from publication import documents

    from .test_pages import publish

    monkeypatch.setattr(
        documents,
        "grades_pdf",
        lambda rows, path, **kw: [documents._write_pdf("<p>名单</p>", path)],
    )
    cycle = publish(
        make_cycle(year=2023, grades=[("C", ["jiaxian.C.1"])], names=["郏县复评测试公司"]),
        publisher,
        django_capture_on_commit_callbacks,
    )
    (employer,) = cycle.test_employers
    user = UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    client.force_login(user)
    html = client.get(reverse("publication:employer_home")).content.decode()
    grade = cycle.run.grades.get(employer=employer)
    assert f"{reverse('objections:new')}?kind=re_evaluation&amp;grade={grade.pk}" in html
    assert 'id="grade-chart"' in html and 'class="bar-C"' in html
    assert "2023年度" in html and not RULE_CODE.search(html)


def test_a_voided_record_neither_grades_nor_lifts():
    from credit_records.services import void_record

    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    kept = penalty(employer, D(2024, 5, 10))
    voided = penalty(employer, D(2024, 4, 1), document_no="郏人社监罚〔2024〕3号")
    void_record(actor=None, record=voided, reason="异议成立，撤销")
    explanation, lift = _plan(employer)
    assert [r.pk for r in explanation.rules[0].records] == [kept.pk]
    assert [(s.day, s.grade) for s in lift.waiting] == [(D(2025, 5, 10), "B")]
    assert all("郏人社监罚〔2024〕3号" not in c for s in lift.waiting for c in s.conditions)


def test_a_case_leaving_the_sixty_months_lifts_a_harmonious_employer_to_a():
    # 第九条: A needs no case in the last 60 months (L60) besides the designation in force.
    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    record(employer, "harmonious_enterprise", D(2020, 1, 1), level="county")
    violation(employer, D(2022, 3, 1), case_no="郏人社监〔2022〕5号")
    explanation, lift = _plan(employer)
    assert explanation.grade == "B"
    assert [(s.day, s.grade) for s in lift.waiting] == [(D(2027, 3, 1), "A")]
    assert "移出近60个月后" in lift.waiting[0].conditions[0]
    assert grades_as_of([employer.pk], D(2027, 2, 28))[employer.pk]["jiaxian"][0] == "B"
    assert grades_as_of([employer.pk], D(2027, 3, 1))[employer.pk]["jiaxian"][0] == "A"


def test_the_home_in_english(client, settings):
    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    user = UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    penalty(employer, timezone.localdate() - datetime.timedelta(days=20))
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("publication:employer_home")).content.decode()
    assert "What would lift the grade, and when" in html and "Basis of the grade" in html
    assert "怎样提升等级" not in html
