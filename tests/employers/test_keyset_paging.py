"""Keyset pages (issue 15: a deep OFFSET page read every row before it): walking a list by its
cursors, forwards and backwards, gives every row once and in order, whatever the sort keys (ties
in the name, descending keys, a sort expression), and the pages behave as a user expects —
numbers along the links, the last page, a broken or too deep link explained, not a server error."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import F
from django.http import QueryDict
from django.urls import reverse

from employers import paging
from employers.models import Employer
from employers.paging import KeysetPaginator, decode_cursor, encode_cursor
from employers.selectors import SortKey
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    # Ties on purpose: three employers share each name, so the primary key decides among them.
    return [EmployerFactory(name=f"翻页单位{i % 9:02d}") for i in range(27)]


def params_of(url: str) -> QueryDict:
    return QueryDict(urlsplit(url).query, mutable=True)


def walk(queryset, per_page, start=None, *, direction="next"):
    """Every page from ``start`` (the first page, or a QueryDict) along the next / previous
    links: the rows in the order shown and the page numbers."""
    params = start if start is not None else QueryDict(mutable=True)
    pages = []
    while True:
        page = KeysetPaginator(queryset, per_page).get_page(params)
        pages.append(page)
        more = page.has_next() if direction == "next" else page.has_previous()
        if not more:
            return pages
        params = params_of(page.next_url if direction == "next" else page.previous_url)
        assert len(pages) < 100, "the walk does not end"


@pytest.mark.parametrize(
    "order",
    [("name", "pk"), ("-name", "pk"), ("name", "-pk"), ("-name", "-pk")],
    ids=["asc", "name desc", "pk desc", "both desc"],
)
def test_walking_forward_and_back_gives_every_row_once_in_order(registry, order):
    queryset = Employer.objects.order_by(*order)
    expected = list(queryset.values_list("pk", flat=True))
    forward = walk(queryset, 4)
    shown = [e.pk for page in forward for e in page]
    assert shown == expected
    assert [page.number for page in forward] == list(range(1, len(forward) + 1))
    assert all(len(page) == 4 for page in forward[:-1]) and len(forward[-1]) == 27 % 4
    # From the last page back to the first along "previous": the same pages, reversed.
    last = KeysetPaginator(queryset, 4).get_page(QueryDict("last=1"))
    assert last.number == len(forward) and not last.has_next()
    backward = walk(queryset, 4, params_of(last.last_url), direction="previous")
    assert [[e.pk for e in p] for p in backward] == [[e.pk for e in p] for p in forward[::-1]]
    assert [p.number for p in backward] == list(range(len(forward), 0, -1))


def test_a_sort_expression_pages_like_its_field(registry):
    plain = Employer.objects.order_by("name", "pk")
    expression = Employer.objects.order_by(SortKey(F("name")), "pk")
    assert [e.pk for p in walk(expression, 5) for e in p] == list(
        plain.values_list("pk", flat=True)
    )
    descending = Employer.objects.order_by(SortKey(F("name")).desc(), "pk")
    assert [e.pk for p in walk(descending, 5) for e in p] == list(
        Employer.objects.order_by("-name", "pk").values_list("pk", flat=True)
    )


def test_a_row_added_before_the_cursor_does_not_shift_the_next_page(registry):
    queryset = Employer.objects.order_by("name", "pk")
    first = KeysetPaginator(queryset, 5).get_page(QueryDict())
    following = [e.pk for e in KeysetPaginator(queryset, 5).get_page(params_of(first.next_url))]
    EmployerFactory(name="翻页单位00")  # sorts into the first page (an OFFSET would shift by one)
    again = [e.pk for e in KeysetPaginator(queryset, 5).get_page(params_of(first.next_url))]
    assert again == following


@pytest.mark.parametrize("cursor", ["not-base64!", encode_cursor(["only one"]), encode_cursor([None, 1]),
                                    encode_cursor(["名称", "abc"]), "%00"])  # fmt: skip
def test_a_broken_cursor_shows_the_first_page_and_says_why(registry, cursor):
    queryset = Employer.objects.order_by("name", "pk")
    page = KeysetPaginator(queryset, 5).get_page(QueryDict(mutable=True) | {"after": cursor})
    assert page.problem and "第一页" in page.problem
    assert [e.pk for e in page] == list(queryset.values_list("pk", flat=True)[:5])


def test_cursor_round_trip_keeps_the_field_types():
    fields = [Employer._meta.get_field("name"), Employer._meta.pk]
    assert decode_cursor(encode_cursor(["郏县（一）", 42]), fields) == ["郏县（一）", 42]
    assert decode_cursor(encode_cursor(["郏县", "42"]), fields) == ["郏县", 42]


def test_numbered_pages_are_served_up_to_the_limit_and_deeper_ones_explained(registry, monkeypatch):
    monkeypatch.setattr(paging, "OFFSET_PAGES", 3)
    queryset = Employer.objects.order_by("name", "pk")
    pks = list(queryset.values_list("pk", flat=True))
    third = KeysetPaginator(queryset, 4).get_page(QueryDict("page=3"))
    assert [e.pk for e in third] == pks[8:12] and third.number == 3 and not third.problem
    deep = KeysetPaginator(queryset, 4).get_page(QueryDict("page=5"))
    assert "第 5 页太靠后" in deep.problem and [e.pk for e in deep] == pks[:4]
    past_the_end = KeysetPaginator(queryset, 20).get_page(QueryDict("page=3"))
    assert past_the_end.number == 1 and [e.pk for e in past_the_end] == pks[:20]


def test_the_last_page_of_an_estimated_list_has_no_number(registry, monkeypatch):
    monkeypatch.setattr(paging, "estimated_count", lambda queryset: (123_456, False))
    queryset = Employer.objects.order_by("name", "pk")
    last = KeysetPaginator(queryset, 5).get_page(QueryDict("last=1"))
    assert last.number is None and len(last) == 5 and last.has_previous()
    assert [e.pk for e in last] == list(queryset.values_list("pk", flat=True))[-5:]
    previous = KeysetPaginator(queryset, 5).get_page(params_of(last.previous_url))
    assert previous.number is None
    assert [e.pk for e in previous] == list(queryset.values_list("pk", flat=True))[-10:-5]


def test_the_employer_list_links_walk_the_whole_list(client, inspector, jiaxian):
    for i in range(60):
        EmployerFactory(name=f"链接单位{i:02d}", jurisdiction=jiaxian)
    client.force_login(inspector)
    url = reverse("employers:list")
    seen, params, numbers = [], {"q": "链接单位"}, []
    for _ in range(10):
        response = client.get(url, params)
        assert response.status_code == 200
        page = response.context["page"]
        seen += [e.name for e in page]
        numbers.append(page.number)
        html = response.content.decode()
        if not page.has_next():
            assert "下一页" not in html
            break
        assert 'rel="next"' in html
        next_url = page.next_url
        assert "q=" in next_url  # the search is kept along the links
        params = {k: v[0] for k, v in parse_qs(urlsplit(next_url).query).items()}
    assert seen == [f"链接单位{i:02d}" for i in range(60)]
    assert numbers == [1, 2, 3]
    # A forged cursor is explained on the page, not a server error.
    response = client.get(url, {"after": "garbage"})
    assert response.status_code == 200 and "翻页链接无效" in response.content.decode()


def test_a_time_key_keeps_its_microseconds():
    import datetime

    from audit.models import AuditEntry

    at = datetime.datetime(2026, 11, 30, 8, 1, 2, 345678, tzinfo=datetime.UTC)
    fields = [AuditEntry._meta.get_field("at"), AuditEntry._meta.pk]
    assert decode_cursor(encode_cursor([at, 7]), fields) == [at, 7]


def test_a_page_number_past_the_end_shows_the_last_page(registry, monkeypatch):
    monkeypatch.setattr(paging, "OFFSET_PAGES", 2)
    queryset = Employer.objects.order_by("name", "pk")
    page = KeysetPaginator(queryset, 4).get_page(QueryDict("page=99"))
    assert not page.problem and page.number == 7 and not page.has_next()
    assert [e.pk for e in page] == list(queryset.values_list("pk", flat=True))[24:]


def test_a_staff_page_says_a_broken_link_at_the_top(client, inspector, registry):
    client.force_login(inspector)
    response = client.get(reverse("employers:list"), {"after": "garbage"})
    html = response.content.decode()
    assert html.count("翻页链接无效") == 1  # in the messages at the top, not twice
    assert html.index("翻页链接无效") < html.index('id="employer-list"')


def test_a_page_in_primary_key_order_walks_that_index(registry):
    """Only a broad search is listed by primary key alone: its page is read without bitmap
    scans (the walk), and without parallel workers like every page; a page by name is not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings")
    for order, walks in ((("pk",), True), (("-id",), True), (("name", "pk"), False)):
        with CaptureQueriesContext(connection) as queries:
            list(KeysetPaginator(Employer.objects.order_by(*order), 5).get_page(QueryDict()))
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert "max_parallel_workers_per_gather = 0" in sql
        assert ("enable_bitmapscan = off" in sql) == walks, order
