"""Benchmark: list pages at scale — the staff's employer list (with and without a search and a
grade filter), the published cycle's page and the public searches, p50 / p95 over N requests
each, through the Django test client as a logged-in county inspector (the whole request: the
view, its queries and the template).

Run by hand (not in CI), on the database bench/regrade.py made and bench/search.py prepared
(realistic names and codes, one published cycle of every employer), migrated:

    BENCH_DB=lc_bench_regrade DATABASE_URL=postgres://postgres@127.0.0.1/postgres \
        .venv/bin/python bench/list_pages.py [--repeat 20]

Each page is timed two ways in the same run, alternately (one request each, in turn, so that
the load of the shared machine weighs on both alike):

- **now**: as the pages are (``KeysetPaginator``: the next and previous pages by cursor, a
  count only when small, capped; the character-gram index for searches of one or two
  characters; a search with more than 2,000 matches in registration order);
- **old**: the pages before issue 15's changes: Django's plain ``Paginator`` with numbered
  ``OFFSET`` pages (an exact count of every match on each view; the cycle pages had estimated
  counts already: ``EstimatedPaginator`` with OFFSET pages), searches ordered by the name
  column whatever their size (``BROAD_BY_REGISTRATION = False``, ``SORT_MATCHES_BELOW = 0``),
  the character-gram path off (``GRAM_LENGTH = 0``: every name fragment through the trigram
  index) and the cycle pages' grade counts counted on each view (not cached: the published
  cycle's, and the unpublished cycle's computed ones).

A deep page is asked the way each path reaches it: now by its cursor (the link 下一页 of the page
before carries the sort keys of its last row: ``?after=…``), old by its number (``?page=N``,
an OFFSET of every row before it). The last page: now ``?last=1``, old ``?page=<last>``.

If the live grades (``grading_currentgrade``) are empty, they are filled once from the 2024
cycle's grades (the grade filter of the employer list reads them). The load average is printed
with each row.
"""

import argparse
import copy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from regrade import setup_django_on_bench_db  # noqa: E402
from search import load, percentile  # noqa: E402


def fill_once(cursor, table: str, insert_sql: str, what: str) -> None:
    """Run ``insert_sql`` if ``table`` is empty, say how many ``what`` it made, ANALYZE."""
    cursor.execute(f"SELECT count(*) FROM {table}")
    if cursor.fetchone()[0]:
        return
    started = time.perf_counter()
    cursor.execute(insert_sql)
    print(f"{what}: {cursor.rowcount:,} in {time.perf_counter() - started:.1f} s")
    cursor.execute(f"ANALYZE {table}")


def prepare(cursor) -> None:
    """The live grades the grade filter of the employer list reads: the 2024 cycle's."""
    fill_once(
        cursor,
        "grading_currentgrade",
        "INSERT INTO grading_currentgrade (employer_id, ruleset_code, ruleset_version, as_of, "
        "window_start, grade, rules, facts, computed_at, run_id) "
        "SELECT g.employer_id, g.ruleset_code, g.ruleset_version, g.as_of, r.window_start, "
        "g.grade, '[]', '{}', now(), NULL FROM grading_grade g "
        "JOIN grading_gradingrun r ON r.id = g.run_id WHERE r.is_current AND r.cycle_year = 2024 "
        "ON CONFLICT DO NOTHING",
        "live grades filled",
    )


def prepare_outbox(cursor) -> None:
    """A publication's outbox: one message per published result (a million), nine in ten
    delivered, the rest pending — what the outbox page lists after a county's publication."""
    fill_once(
        cursor,
        "publication_outboxmessage",
        "INSERT INTO publication_outboxmessage (message_id, topic, key, payload, "
        "jurisdiction_path, status, attempts, next_attempt_at, delivered_at, last_error, "
        "created_at) "
        "SELECT gen_random_uuid(), 'grade.published', r.uscc, '{}'::jsonb, j.path, "
        "CASE WHEN r.id % 10 = 0 THEN 'pending' ELSE 'delivered' END, 1, "
        "now() + (r.id % 3600) * interval '1 second', "
        "CASE WHEN r.id % 10 = 0 THEN NULL ELSE now() END, '', now() "
        "FROM publication_publishedresult r JOIN employers_employer e ON e.id = r.employer_id "
        "JOIN employers_jurisdiction j ON j.id = e.jurisdiction_id",
        "outbox messages queued",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", default="", help="only the pages whose label contains this")
    args = parser.parse_args()
    setup_django_on_bench_db()
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    import employers.paging
    import employers.views
    import grading.selectors
    import publication.home_views
    import publication.selectors
    import publication.views
    from employers import selectors
    from employers.choices import Role
    from employers.models import Employer, Jurisdiction, User
    from employers.paging import EstimatedPaginator
    from grading.choices import CycleStatus
    from grading.models import Cycle

    with connection.cursor() as cursor:
        prepare(cursor)
        prepare_outbox(cursor)
    county = Jurisdiction.objects.get(code="jiaxian")
    user, _ = User.objects.update_or_create(
        username="bench_list_pages",
        defaults={"role": Role.INSPECTOR, "jurisdiction": county, "is_active": True,
                  "must_change_password": False},
    )  # fmt: skip
    client = Client()
    client.force_login(user)
    publisher, _ = User.objects.update_or_create(
        username="bench_list_pages_publisher",
        defaults={"role": Role.PUBLISHER, "jurisdiction": county, "is_active": True,
                  "must_change_password": False},
    )  # fmt: skip
    publisher_client = Client()
    publisher_client.force_login(publisher)
    visible = Employer.objects.filter(jurisdiction__path__startswith=county.path).count()
    published = Cycle.objects.filter(status=CycleStatus.PUBLISHED, jurisdiction=county).first()
    computed = (
        Cycle.objects.filter(jurisdiction=county).exclude(status=CycleStatus.PUBLISHED).first()
    )
    code = Employer.objects.filter(jurisdiction=county).values_list("uscc", flat=True).first()
    employers_url = reverse("employers:list")

    def deep(queryset, row: int, per_page: int) -> tuple[dict, dict]:
        """(now, old) parameters of the page that starts after row ``row`` of ``queryset``."""
        from employers.paging import KeysetPaginator

        after = queryset[row - 1 : row].get()
        cursor = KeysetPaginator(queryset, per_page).cursor(after)
        number = row // per_page + 1
        return {"after": cursor, "page": number}, {"page": number}

    scoped = employers.views.visible_employers(user).order_by("name", "pk")
    pages = [
        ("employer list", employers_url, {}),
        ("employer list, page 400 (row 10,000)", employers_url, deep(scoped, 9_975, 25)),
        ("employer list, row 400,000 (page 16,001)", employers_url, deep(scoped, 400_000, 25)),
        ("employer list, last page", employers_url, ({"last": 1}, {"page": 10**6})),
        ("employer list, search 机械 (2 characters)", employers_url, {"q": "机械"}),
        ("employer list, search 红 (1 character)", employers_url, {"q": "红"}),
        ("employer list, search 泰和 (2, rarer)", employers_url, {"q": "泰和"}),
        ("employer list, search 安泰 (2, none)", employers_url, {"q": "安泰"}),
        ("employer list, search 红星机械 (4)", employers_url, {"q": "红星机械"}),
        ("employer list, search a USCC prefix", employers_url, {"q": code[:10]}),
        ("employer list, search a full USCC", employers_url, {"q": code}),
        ("employer list, grade D", employers_url, {"grade": "D"}),
        ("employer list, grade C + search 机械", employers_url, {"grade": "C", "q": "机械"}),
        ("employer picker (search.json), 机械", reverse("employers:search"), {"q": "机械"}),
        ("employer picker (search.json), 许昌", reverse("employers:search"), {"q": "许昌"}),
    ]
    if published:
        from publication.models import PublishedResult

        results = PublishedResult.objects.filter(cycle=published).order_by("name", "id")
        detail = reverse("publication:cycle_detail", args=[published.pk])
        public = reverse("publication:public_list", args=[county.code, published.year])
        pages += [
            (f"published cycle page ({published.year})", detail, {}),
            (f"published cycle page ({published.year}), page 200", detail,
             deep(results, 199 * 50, 50)),
            (f"published cycle page ({published.year}), row 400,000 (page 8,001)", detail,
             deep(results, 400_000, 50)),
            (f"published cycle page ({published.year}), last page", detail,
             ({"last": 1}, {"page": 10**6})),
            ("public list, search 机械", public, {"q": "机械"}),
            ("public list, search 红", public, {"q": "红"}),
            ("public list, grade B", public, {"grade": "B"}),
            ("public search (all years), 机械", reverse("publication:public_index"),
             {"q": "机械"}),
        ]  # fmt: skip
    from publication.models import OutboxMessage

    outbox_url = reverse("publication:outbox")
    delivered = publication.selectors.visible_outbox(publisher).filter(status="delivered")
    pages += [
        ("outbox, pending (a publication's million messages)", outbox_url, {}),
        ("outbox, delivered tab", outbox_url, {"status": "delivered"}),
        ("outbox, delivered, row 400,000 (page 8,001)", outbox_url,
         tuple({"status": "delivered", **p} for p in
               deep(delivered.order_by("-created_at", "-id"), 400_000, 50))),
    ] if OutboxMessage.objects.exists() else []  # fmt: skip
    if computed:
        detail = reverse("publication:cycle_detail", args=[computed.pk])
        pages.append((f"unpublished cycle page ({computed.year}, {computed.status})", detail, {}))
        from grading.selectors import cycle_grades

        grades_url = reverse("grading:cycle_grades", args=[computed.pk])
        graded = cycle_grades(computed).filter(employer__in=scoped.values("pk"))
        graded = graded.select_related("employer").order_by("employer__name", "pk")
        pages += [
            (f"cycle grades page ({computed.year})", grades_url, {}),
            (f"cycle grades page ({computed.year}), row 200,000 (page 4,001)", grades_url,
             deep(graded, 200_000, 50)),
        ]  # fmt: skip

    # The staff pages page through employers.paging.keyset_page, which looks KeysetPaginator up
    # in its module; the public pages import it.
    patched = [(employers.paging, "KeysetPaginator"), (publication.views, "KeysetPaginator"),
               (publication.home_views, "KeysetPaginator")]  # fmt: skip
    saved = [getattr(module, name) for module, name in patched]

    def offset_pages(paginator_class):
        """The old paging: numbered OFFSET pages, ``paginator_class`` counting."""

        class OffsetPages:
            def __init__(self, queryset, per_page, total=None):
                self.paginator = paginator_class(queryset, per_page)

            def get_page(self, params):
                page = self.paginator.get_page(params.get("page"))
                page.problem = ""
                return page

        return OffsetPages

    sort_below = selectors.SORT_MATCHES_BELOW
    overview = publication.views.published_overview

    computed_counts = grading.selectors.computed_counts

    def recounted(cycle):  # the unpublished cycle's computed grades counted on each view
        return computed_counts(cycle, refresh=True)

    def uncached_overview(cycle):  # the counts as before: no cache key without published_at
        clone = copy.copy(cycle)
        clone.published_at = None
        return overview(clone)

    def old_path(on: bool, paginator: bool):
        old = offset_pages(Paginator if paginator else EstimatedPaginator)
        for (module, name), value in zip(patched, saved, strict=True):
            setattr(module, name, old if on else value)
        selectors.GRAM_LENGTH = 0 if on else 2
        selectors.SORT_MATCHES_BELOW = 0 if on else sort_below  # ordered by the name column
        selectors.BROAD_BY_REGISTRATION = not on
        publication.views.published_overview = uncached_overview if on else overview
        grading.selectors.computed_counts = recounted if on else computed_counts

    def get(url, params):
        if isinstance(params, tuple):  # (now, old): a deep page reached as each path reaches it
            params = params[1] if selectors.GRAM_LENGTH == 0 else params[0]
        who = publisher_client if url == outbox_url else client
        started = time.perf_counter()
        response = who.get(url, params)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"{url} {params}: HTTP {response.status_code}")
        return elapsed

    print(f"{Employer.objects.count():,} employers, {visible:,} in the inspector's county")
    print(f"before: {load()}")
    rows = []
    for label, url, params in pages:
        if args.only not in label:
            continue
        now, old = [], []
        get(url, params)  # warm the caches alike
        for _ in range(args.repeat):
            now.append(get(url, params))
            # The cycle pages and the outbox were paged with estimated counts already.
            old_path(True, paginator=not any(p in label for p in ("cycle page", "outbox")))
            try:
                old.append(get(url, params))
            finally:
                old_path(False, paginator=False)

        def ms(values, p):
            return f"{percentile(values, p) * 1000:.0f}"

        rows.append(
            f"| {label} | {ms(now, 50)} / **{ms(now, 95)}** ms | {ms(old, 50)} / {ms(old, 95)} ms "
            f"| {load()} |"
        )
        print(rows[-1], flush=True)
    print(f"\n| page ({args.repeat} requests each, test client, county inspector) | now: p50 / "
          f"p95 | old: p50 / p95 | load |")  # fmt: skip
    print("|---|---|---|---|")
    print("\n".join(rows))
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
