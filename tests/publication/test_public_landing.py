"""The public landing page (issue 11 item 7): linked from the login page, a search across
jurisdictions and years of the published results with a grade filter, and the grade legend of
each regulation with its articles — no login, nothing personal, no rule codes."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from grading import rulesets
from publication import services

from .conftest import make_cycle
from .test_pages import fast_pdfs, publish  # noqa: F401  (fast_pdfs is a fixture)

pytestmark = pytest.mark.django_db
RULE_CODE = re.compile(r"\b(jiaxian|xiqing|jiangjin|xuchang)\.[A-Z]\.\d")


@pytest.fixture
def lists(publisher, django_capture_on_commit_callbacks, fast_pdfs):  # noqa: F811
    from employers.choices import Role
    from tests.factories import UserFactory, jurisdiction

    jiaxian_2023 = publish(
        make_cycle(
            year=2023,
            grades=[("A", ["jiaxian.A.1"]), ("C", ["jiaxian.C.1"])],
            names=["郏县甲公司", "郏县乙公司"],
        ),
        publisher,
        django_capture_on_commit_callbacks,
    )
    jiaxian_2024 = publish(
        make_cycle(
            year=2024,
            grades=[("C", ["jiaxian.C.1"]), ("D", ["jiaxian.D.1"])],
            names=["郏县丙公司", "郏县丁公司"],
        ),
        publisher,
        django_capture_on_commit_callbacks,
    )
    xiqing_publisher = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("xiqing"))
    xiqing_2024 = publish(
        make_cycle(
            "xiqing",
            year=2024,
            grades=[("C", ["xiqing.C.4"]), ("B", ["xiqing.B.1"])],
            names=["西青戊公司", "西青己公司"],
        ),
        xiqing_publisher,
        django_capture_on_commit_callbacks,
    )
    return jiaxian_2023, jiaxian_2024, xiqing_2024


def names_in(html):
    return sorted(set(re.findall(r"(?:郏县|西青)[甲乙丙丁戊己]公司", html)))


def search(client, **params):
    response = client.get(reverse("publication:public_index"), params)
    assert response.status_code == 200
    html = response.content.decode()
    table = html.split('id="search-results"', 1)[1].split("</table>", 1)[0]
    return names_in(table)


def test_search_across_jurisdictions_and_years_with_a_grade_filter(client, lists):
    j2023, j2024, x2024 = lists
    assert search(client, grade="C") == ["西青戊公司", "郏县丙公司", "郏县乙公司"]
    assert search(client, grade="C", year=2024) == ["西青戊公司", "郏县丙公司"]
    jiaxian = j2024.jurisdiction
    assert search(client, jurisdiction=jiaxian.pk, year=2024) == ["郏县丁公司", "郏县丙公司"]
    assert search(client, q="公司", jurisdiction=x2024.jurisdiction.pk) == [
        "西青己公司",
        "西青戊公司",
    ]
    uscc = j2023.test_employers[0].uscc
    assert search(client, q=uscc.lower()) == ["郏县甲公司"]
    assert search(client, grade="A", year=2024) == []


def test_the_grade_filter_reads_the_grade_now_in_force(client, lists, publisher):
    j2023, _j2024, _x = lists
    from publication.models import PublishedResult

    result = PublishedResult.objects.get(cycle=j2023, grade="C")
    services.adjust_published_result(
        result=result,
        new_grade="B",
        effective_date=timezone.localdate(),
        public_note="异议成立，等级更正",
        reason="复评",
        actor=publisher,
    )
    assert "郏县乙公司" not in search(client, grade="C")
    assert "郏县乙公司" in search(client, grade="B")


def test_landing_without_search_lists_the_published_lists_and_the_legend(client, lists):
    html = client.get(reverse("publication:public_index")).content.decode()
    assert 'id="search-results"' not in html
    assert reverse("publication:public_list", args=["jiaxian", 2024]) in html
    assert reverse("publication:public_list", args=["xiqing", 2024]) in html
    # The legend: every grade of every regulation with its article and words, no codes.
    for code in ("jiaxian", "xiqing", "jiangjin", "xuchang"):
        ruleset = rulesets.latest(code)
        for rule in ruleset.rules:
            if rule.grade:
                assert rule.text in html, rule.code
    assert "第十二条第（二）项" in html
    assert not RULE_CODE.search(html)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", re.sub(r"<[^>]+>", " ", html))  # no ISO dates
    legend = client.get(reverse("publication:public_legend")).content.decode()
    assert rulesets.latest("xuchang").rule("xuchang.D.2").text in legend
    assert not RULE_CODE.search(legend)


def test_login_page_links_to_the_landing_page(client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("publication:public_index")}"' in html


def test_nothing_personal_in_search_results(client, lists):
    j2023, _j2024, _x = lists
    html = client.get(reverse("publication:public_index"), {"q": "公司"}).content.decode()
    for employer in j2023.test_employers:
        assert employer.name in html
        assert employer.legal_rep not in html and employer.phone not in html


def test_a_published_list_filters_by_grade(client, lists):
    _j2023, j2024, _x = lists
    url = reverse("publication:public_list", args=["jiaxian", 2024])
    assert names_in(client.get(url, {"grade": "D"}).content.decode()) == ["郏县丁公司"]
    assert names_in(client.get(url, {"grade": "C"}).content.decode()) == ["郏县丙公司"]
    assert names_in(client.get(url, {"grade": "Z"}).content.decode()) == [
        "郏县丁公司",
        "郏县丙公司",
    ]


def test_the_public_notice_filters_by_grade_and_says_how_to_object_online(
    client, publisher, django_capture_on_commit_callbacks
):
    from .test_workflow import to_notice

    cycle = make_cycle(
        year=2025,
        grades=[("B", ["jiaxian.B.1"]), ("C", ["jiaxian.C.1"])],
        names=["郏县甲公司", "郏县乙公司"],
    )
    to_notice(cycle, publisher, django_capture_on_commit_callbacks)
    from publication.models import PublicNotice

    url = reverse("publication:public_notice", args=[PublicNotice.objects.get(cycle=cycle).pk])
    html = client.get(url, {"grade": "C"}).content.decode()
    assert names_in(html) == ["郏县乙公司"]
    assert "尚未最终确定" in html and 'id="notice-login"' in html
    distribution = html.split('id="notice-distribution">', 1)[1].split("</dd>", 1)[0]
    assert re.sub(r"<[^>]+>|\s", "", distribution) == "B1家C1家"
    assert names_in(client.get(url).content.decode()) == ["郏县乙公司", "郏县甲公司"]


def test_the_grade_in_force_condition_equals_the_latest_adjustment(lists, publisher):
    """``grade_in_force`` (no per-row subquery) finds the rows the ``in_force`` annotation (the
    latest adjustment's grade, else the published one) does — with several adjustments of one
    result, and two on one day (the later id wins)."""
    import datetime

    from publication.models import PublishedAdjustment, PublishedResult
    from publication.selectors import grade_in_force, public_search

    results = list(PublishedResult.objects.order_by("id"))
    day = datetime.date(2025, 3, 1)

    def adjust(result, old, new, effective):
        PublishedAdjustment.objects.create(
            result=result, effective_date=effective, old_grade=old, new_grade=new,
            public_note="更正", reason="复评", decided_by=publisher,
        )  # fmt: skip

    adjust(results[0], results[0].grade, "B", day)
    adjust(results[0], "B", "D", day + datetime.timedelta(days=30))  # the latest: D
    adjust(results[1], results[1].grade, "A", day)
    adjust(results[1], "A", "C", day)  # the same day, a later id: C
    adjust(results[2], results[2].grade, "B", day + datetime.timedelta(days=60))
    adjust(results[2], "B", "A", day)  # an earlier date entered later: B stays
    seen = set()
    for grade in ("A", "B", "C", "D"):
        annotated = public_search(grade=grade).values_list("pk", flat=True)
        expected = {r.pk for r in public_search() if r.in_force == grade}
        got = set(
            PublishedResult.objects.filter(grade_in_force(grade)).values_list("pk", flat=True)
        )
        assert set(annotated) == got == expected, grade
        seen |= got
    assert {results[0].pk, results[1].pk, results[2].pk} <= seen
    assert results[0].pk in PublishedResult.objects.filter(grade_in_force("D")).values_list(
        "pk", flat=True
    )
    assert results[2].pk in PublishedResult.objects.filter(grade_in_force("B")).values_list(
        "pk", flat=True
    )


def test_a_published_cycle_counts_its_grades_once(lists, django_assert_num_queries):
    """The counts of a published cycle (a million rows: a scan per view) are kept in the cache;
    an unpublished cycle's are counted each time."""
    from django.core.cache import cache

    from publication.selectors import published_overview

    j2023, _j2024, _x = lists
    cache.clear()
    with django_assert_num_queries(1):
        first = published_overview(j2023)
    assert first == {"grade_counts": [("A", 1), ("C", 1)], "result_count": 2}
    with django_assert_num_queries(0):
        assert published_overview(j2023) == first
    unpublished = make_cycle(year=2022, grades=[("B", ["jiaxian.B.1"])], names=["郏县戊公司"])
    with django_assert_num_queries(1):
        published_overview(unpublished)
    with django_assert_num_queries(1):
        published_overview(unpublished)
