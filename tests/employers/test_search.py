"""The name / USCC search (issue 15 item 4): the indexed paths (pg_trgm on UPPER(name), the
USCC's equality and prefix indexes) return the same rows as the old substring search, and on
PostgreSQL the same rows with the indexes as without them — and the indexes are really used."""

import pytest
from django.db import connection, transaction

from employers.models import Employer
from employers.selectors import search_by_name_or_uscc, search_employers
from employers.uscc import make_uscc
from publication.models import PublishedResult
from publication.selectors import search_published_results
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "嘉县科技有限公司",
    "嘉县红星机械厂",
    "ABC科技（嘉县）有限公司",
    "abc Trading 有限公司",
    "星光超市",
    "红星美凯龙家居嘉县店",
    "嘉县第一建筑工程有限公司",
    "Xyz物流",
    "嘉县9141食品厂",  # a digit run that is also a USCC prefix
    "有限公司",
]


@pytest.fixture
def registry():
    employers = []
    for i, name in enumerate(NAMES * 3):
        serial = f"{i:07d}"
        body = (f"91410425MA{serial}" if i % 3 else f"12410425{i:09d}")[:17]
        employers.append(
            EmployerFactory(name=f"{name}{i // len(NAMES) or ''}", uscc=make_uscc(body))
        )
    return employers


def name_queries():
    return ["科技", "有限公司", "abc", "ABC", "嘉县", "红星", "xyz", "超市 ", "不存在的单位", "公司",
            "（嘉县）", "9141", "嘉县9141", "Trading 有"]  # fmt: skip


def ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


def reference(employers, q):
    """The indexed search's meaning, in Python: name contains q (any case), or the USCC equals a
    full code, or starts with a shorter code."""
    q = q.strip()
    code = q.upper()
    is_code = code.isascii() and code.isalnum()
    return sorted(
        e.pk
        for e in employers
        if q.upper() in e.name.upper() or (is_code and e.uscc.startswith(code))
    )


def test_name_and_full_code_queries_equal_the_old_substring_search(registry):
    queries = [*name_queries(), registry[4].uscc, registry[4].uscc.lower(), f" {registry[7].uscc} "]
    for q in queries:
        new = ids(search_employers(Employer.objects.all(), q))
        old = ids(search_employers(Employer.objects.all(), q, indexed=False))
        assert new == old, q
        assert new == reference(registry, q), q
    assert ids(search_employers(Employer.objects.all(), registry[4].uscc)) == [registry[4].pk]


def test_code_prefixes_match_from_the_start(registry):
    middle = registry[5].uscc[6:14]  # a fragment from the middle: only the old search finds it
    for q in [
        "9",
        "91410425",
        "1241",
        registry[5].uscc[:12],
        registry[5].uscc[:17].lower(),
        middle,
    ]:
        assert ids(search_employers(Employer.objects.all(), q)) == reference(registry, q), q
    assert registry[5].pk in ids(search_employers(Employer.objects.all(), middle, indexed=False))
    assert registry[5].pk not in ids(search_employers(Employer.objects.all(), middle))
    assert ids(search_employers(Employer.objects.all(), "  ")) == ids(Employer.objects.all())


def test_search_through_a_relation(registry):
    from employers.models import Jurisdiction

    jurisdictions = Jurisdiction.objects.filter(employers__in=registry).distinct()
    got = ids(search_employers(jurisdictions, "红星", employer_field="employers"))
    assert got == sorted({e.jurisdiction_id for e in registry if "红星" in e.name})


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _ids_with(settings_sql: str, queryset):
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in settings_sql.split(";"):
            if statement.strip():
                cursor.execute(statement)
        found = ids(queryset)
        plan = _plan(queryset)
        cursor.execute("RESET ALL")
    return found, plan


NO_INDEXES = "SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off"
INDEXES_ONLY = "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"


@pytest.mark.postgres
def test_trigram_path_equals_the_scan_on_postgresql(registry):
    queries = [*name_queries(), registry[4].uscc, "91410425", "1241"]
    for q in queries:
        queryset = search_employers(Employer.objects.all(), q)
        scanned, scan_plan = _ids_with(NO_INDEXES, queryset)
        indexed, index_plan = _ids_with(INDEXES_ONLY, queryset)
        assert scanned == indexed == reference(registry, q), q
        assert "Seq Scan" in scan_plan
        if q == registry[4].uscc:  # a whole code: the code's index alone
            assert "employers_employer_uscc" in index_plan and "trgm" not in index_plan
        elif len(q.strip()) >= 3:  # pg_trgm needs a trigram; shorter names scan
            assert "employers_employer_name_trgm" in index_plan, (q, index_plan)


@pytest.mark.postgres
def test_indexes_serve_every_path_on_postgresql():
    employers = Employer.objects.all()
    code = make_uscc("91410425MA0000001")
    plan = _ids_with(INDEXES_ONLY, search_employers(employers, code))[1]
    # A whole code is looked up as a code only (no name holds 18 letters and digits).
    assert "employers_employer_uscc" in plan and "employers_employer_name_trgm" not in plan
    plan = _ids_with(INDEXES_ONLY, search_employers(employers, "914104"))[1]
    assert "employers_employer_uscc_28e08c80_like" in plan
    assert "~>=~" in plan  # the prefix LIKE became a pattern_ops range
    plan = _ids_with(
        INDEXES_ONLY, search_published_results(PublishedResult.objects.all(), "科技有限")
    )[1]
    assert "publication_result_name_trgm" in plan


def test_published_results_search_builds_the_same_condition():
    queryset = search_published_results(PublishedResult.objects.all(), "9141")
    expected = search_by_name_or_uscc(PublishedResult.objects.all(), "9141")
    assert str(queryset.query) == str(expected.query)
    assert "LIKE" in str(queryset.query)


# --- one- and two-character queries: the character-gram path (employers migration 0011) ---------

SHORT_NAME_QUERIES = ["科技", "红星", "嘉县", "公司", "星", "科", "厂", "（嘉", "）有", "流", "超市",
                      "不在", "店", "龙家", "食品", "（", "物流"]  # fmt: skip
# Latin letters, digits and mixes: they may also be the start of a USCC.
SHORT_CODE_QUERIES = ["a", "A", "ab", "aB", "xy", "XYZ"[:2], "t", "9", "91", "41", "c科", "z物",
                      "1食", "g ", " 有"]  # fmt: skip


def test_short_name_queries_equal_the_old_substring_search(registry):
    for q in SHORT_NAME_QUERIES:
        new = ids(search_employers(Employer.objects.all(), q))
        old = ids(search_employers(Employer.objects.all(), q, indexed=False))
        assert new == old == reference(registry, q), q
    assert ids(search_employers(Employer.objects.all(), "科技")) != []
    assert ids(search_employers(Employer.objects.all(), "星")) != []


def test_short_latin_and_digit_queries_match_names_and_code_prefixes(registry):
    for q in SHORT_CODE_QUERIES:
        assert ids(search_employers(Employer.objects.all(), q)) == reference(registry, q), q
    trading = [e.pk for e in registry if "abc Trading" in e.name]
    assert set(trading) <= set(ids(search_employers(Employer.objects.all(), "g")))
    assert set(trading) <= set(ids(search_employers(Employer.objects.all(), "C ")))


def test_the_gram_path_is_taken_for_short_queries_on_postgresql_only(registry):
    for q, short in [("科技", True), ("科", True), ("ab", True), ("科技有", False), ("abc", False)]:
        sql = str(search_employers(Employer.objects.all(), q).query)
        assert ("lc_name_grams" in sql) == (short and connection.vendor == "postgresql"), q
    # Through a relation (the public notice searches its employers) the same.
    from grading.models import Grade

    sql = str(search_employers(Grade.objects.all(), "机械", employer_field="employer").query)
    assert ("lc_name_grams" in sql) == (connection.vendor == "postgresql")


GRAM_NAMES = ["ABC科技（嘉县）有限公司", "abc Trading 有限公司", "嘉县9141食品厂", "厂", "Xyz物流",
              "红星红星", "a  b"]  # fmt: skip


@pytest.mark.postgres
def test_name_grams_are_the_upper_cased_characters_and_pairs():
    with connection.cursor() as cursor:
        for name in GRAM_NAMES:
            cursor.execute("SELECT lc_name_grams(%s)", [name])
            got = cursor.fetchone()[0]
            upper = name.upper()
            expected = {*upper, *(upper[i : i + 2] for i in range(len(upper) - 1))}
            assert set(got) == expected, name
        cursor.execute("SELECT lc_name_grams('')")
        assert cursor.fetchone()[0] == []


@pytest.mark.postgres
def test_gram_path_equals_the_scan_on_postgresql(registry):
    for q in [*SHORT_NAME_QUERIES, *SHORT_CODE_QUERIES]:
        queryset = search_employers(Employer.objects.all(), q)
        scanned, scan_plan = _ids_with(NO_INDEXES, queryset)
        indexed, index_plan = _ids_with(INDEXES_ONLY, queryset)
        assert scanned == indexed == reference(registry, q), q
        assert "Seq Scan" in scan_plan
        if q.strip().isalnum():  # no trigram at all: only the grams' index serves it
            assert "employers_employer_name_grams" in index_plan, (q, index_plan)
        else:  # a word beside punctuation or a space: pg_trgm pads it, either index may serve
            assert "employers_employer_name_" in index_plan, (q, index_plan)


@pytest.mark.postgres
def test_published_results_short_search_uses_the_gram_index():
    plan = _ids_with(INDEXES_ONLY, search_published_results(PublishedResult.objects.all(), "科技"))[
        1
    ]
    assert "publication_result_name_grams" in plan
    plan = _ids_with(INDEXES_ONLY, search_published_results(PublishedResult.objects.all(), "A"))[1]
    assert "publication_result_name_grams" in plan


# --- counting: never an exact count over many matches ------------------------------------------


def test_a_small_count_is_capped_when_the_planner_underestimates(registry, monkeypatch):
    from employers import paging

    everyone = Employer.objects.all()
    total = everyone.count()
    monkeypatch.setattr(paging, "planner_estimate", lambda queryset: 5)
    # The planner says 5: counted, but at most exact_below + 1 rows.
    assert paging.estimated_count(everyone, exact_below=total + 1) == (total, True)
    assert paging.estimated_count(everyone, exact_below=total) == (total, True)
    assert paging.estimated_count(everyone, exact_below=10) == (11, False)
    monkeypatch.setattr(paging, "planner_estimate", lambda queryset: 9)
    assert paging.estimated_count(everyone, exact_below=8) == (9, False)  # not counted at all


def test_the_employer_list_shows_an_estimated_count(registry, client, monkeypatch):
    from django.urls import reverse

    from employers import paging
    from employers.choices import Role
    from tests.factories import UserFactory

    user = UserFactory(role=Role.INSPECTOR, jurisdiction=registry[0].jurisdiction)
    client.force_login(user)
    url = reverse("employers:list")
    html = client.get(url, {"q": "科技"}).content.decode()
    expected = len(reference(registry, "科技"))
    assert f"共 {expected} 家" in html and "约" not in html.split('id="employer-count"')[1][:80]
    monkeypatch.setattr(paging, "planner_estimate", lambda queryset: 123_456)
    html = client.get(url, {"q": "科"}).content.decode()
    assert "约 123456 家" in html
    assert "约 123456 条，第 1 / 4939 页" in html  # _pagination.html: 123456 / 25 pages


# --- the order of a searched page ---------------------------------------------------------------


def test_a_searched_page_is_in_name_order_whichever_way_it_is_sorted(registry, monkeypatch):
    from employers import selectors

    for q in ["嘉县", "有限公司", "星", "a", "9141"]:
        queryset = search_employers(Employer.objects.all(), q)
        by_column = list(queryset.order_by("name", "pk").values_list("pk", flat=True))
        monkeypatch.setattr(selectors, "SORT_MATCHES_BELOW", 10**9)  # sort the matches
        order = selectors.searched_order(queryset, "name", "pk")
        assert isinstance(order[0], selectors.SortKey) == (connection.vendor == "postgresql")
        assert list(queryset.order_by(*order).values_list("pk", flat=True)) == by_column, q
        assert "|| ''" in str(queryset.order_by(*order).query) or connection.vendor != "postgresql"
        monkeypatch.setattr(selectors, "SORT_MATCHES_BELOW", 0)  # too many to sort
        broad = selectors.searched_order(queryset, "name", "pk")
        if connection.vendor == "postgresql":  # registration order, the page says so
            assert broad == ["pk"] and broad.broad
        else:
            assert broad == ["name", "pk"]
        monkeypatch.setattr(selectors, "BROAD_BY_REGISTRATION", False)  # the old path
        assert selectors.searched_order(queryset, "name", "pk") == ["name", "pk"]
        monkeypatch.setattr(selectors, "BROAD_BY_REGISTRATION", True)
        monkeypatch.setattr(selectors, "SORT_MATCHES_BELOW", 10**9)
        descending = selectors.searched_order(queryset, "-name", "pk")
        assert list(queryset.order_by(*descending).values_list("pk", flat=True)) == list(
            queryset.order_by("-name", "pk").values_list("pk", flat=True)
        ), q
    assert selectors.searched_order(Employer.objects.all(), "name", "pk", searched=False) == [
        "name",
        "pk",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite sorts every search by name")
def test_a_broad_search_pages_in_registration_order_and_says_so(client, inspector, monkeypatch):
    """More matches than can be sorted quickly: the list walks the primary key instead (issue 15),
    says so, and its links still give every match once."""
    from urllib.parse import parse_qs, urlsplit

    from django.urls import reverse

    from employers import selectors

    made = [EmployerFactory(name=f"{'乙甲'[i % 2]}广泛单位{i:02d}") for i in range(40)]
    EmployerFactory(name="无关单位")
    client.force_login(inspector)
    url = reverse("employers:list")
    response = client.get(url, {"q": "广泛"})
    assert "按登记先后列出" not in response.content.decode()  # few: sorted by name
    assert [e.name for e in response.context["page"]] == sorted(e.name for e in made)[:25]
    monkeypatch.setattr(selectors, "SORT_MATCHES_BELOW", 10)
    seen, params = [], {"q": "广泛"}
    for _ in range(5):
        response = client.get(url, params)
        html = response.content.decode()
        assert "按登记先后列出" in html
        page = response.context["page"]
        seen += [e.pk for e in page]
        if not page.has_next():
            break
        params = {k: v[0] for k, v in parse_qs(urlsplit(page.next_url).query).items()}
    assert seen == [e.pk for e in made]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL block sample")
def test_a_sample_corrects_the_planner_when_it_thinks_a_search_small(registry, monkeypatch):
    """The planner guesses a long LIKE at 99 rows; a block sample of the table (here the whole
    table, so the figure is exact) finds the search broad without counting its matches."""
    from employers import paging

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE employers_employer")
    queryset = search_employers(Employer.objects.all(), "有限")
    real = queryset.count()
    monkeypatch.setattr(paging, "SAMPLE_FROM_ROWS", 0)
    monkeypatch.setattr(paging, "SAMPLE_ROWS", 10**9)  # 100 %: every page
    assert paging.sampled_estimate(queryset) == real
    monkeypatch.setattr(paging, "planner_estimate", lambda queryset: 1)
    counted = []
    original = paging.serial
    monkeypatch.setattr(
        paging, "serial", lambda read, *a, **k: counted.append(1) or original(read, *a, **k)
    )
    assert paging.estimated_count(queryset, exact_below=real - 1) == (real, False)
    assert len(counted) == 1  # the sample only: the matches were not counted
    # Small by the sample too: counted exactly.
    assert paging.estimated_count(queryset, exact_below=real + 1) == (real, True)
    # Too small a table: no sample.
    monkeypatch.setattr(paging, "SAMPLE_FROM_ROWS", 10**9)
    assert paging.sampled_estimate(queryset) is None
