"""Benchmark: the name / USCC search of the employer list and of the published results, with the
pg_trgm and USCC indexes (employers.selectors.search_employers) against the old substring search
without them, in the same run on the same data.

Run by hand (not in CI), on the database bench/regrade.py made and kept:

    BENCH_DB=lc_bench_regrade DATABASE_URL=postgres://postgres@127.0.0.1/postgres \
        .venv/bin/python bench/search.py [--repeat 5]

The generated employers are called 基准用人单位N; the first run gives them realistic names
(place + brand + trade + form, e.g. 郏县红星机械制造有限公司, from seeded word lists) and
codes shaped like real ones (``91`` + a county's division code + a unique tail: an 8-character
prefix is a county's employers), and publishes one cycle of results for all of them (rows
inserted directly, for the published results' search). Then for each class of query — a name
fragment of three characters or more, of two characters, of one character (pg_trgm finds no
trigram in these: the common Chinese case, 机械, 红), a full USCC, a USCC prefix — it times what a
list page asks, apart: the first page (25 rows, ordered by name), the exact count of the matches
(what a plain paginator asks; a count of many matches costs a scan of them whatever the index)
and the count the pages now ask (``employers.paging.estimated_count``: the planner's estimate,
or an exact count capped at 2,000 rows), in this process through the ORM:

- **indexed**: the selector's paths (character-gram index for 1 and 2 characters, trigram index
  on UPPER(name) for longer fragments, USCC equality and prefix) and the page as the list pages
  ask it (``searched_order``: up to 2,000 matches counted and sorted by name, more listed in
  registration order; the first keyset page, its count the one the ordering found);
- **trigram only** (the short classes): the search before the grams: the character-gram path
  switched off (``GRAM_LENGTH = 0``: every fragment through the trigram index), ordered by the
  name column;
- **old**: ``Q(name__icontains=q) | Q(uscc__icontains=Q)`` with the trigram and gram indexes
  dropped inside a transaction that is rolled back afterwards (the database as it was before them).

It prints p50 and p95 per class and path, and whether the paths found the same rows: the same
count, and the same first page — or, for a broad search (registration order now, name order
before), every row of the indexed page among the other path's matches (they must agree, except
for prefixes and short Latin fragments, where the old search also matches inside codes).
The load average (``uptime``) is printed before and after. ``--prepare-only`` renames and
publishes (the first run's work) and stops: run it before migrating the gram indexes on, so that
they are built once on the final names.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from regrade import setup_django_on_bench_db  # noqa: E402

PLACES = ["郏县", "许昌", "西青", "江津", "平顶山", "龙山", "茨芭", "渣元", "安良", "堂街"]
BRANDS = ["红星", "东方", "华润", "金鼎", "宏达", "富康", "恒信", "永盛", "新时代", "长城", "天元",
          "瑞丰", "鑫源", "中原", "嘉禾", "同心", "泰和", "兴业", "万通", "博雅"]  # fmt: skip
TRADES = ["机械制造", "建筑工程", "劳务派遣", "人力资源服务", "物流", "餐饮管理", "商贸",
          "科技", "食品", "纺织", "电子", "物业管理", "教育咨询", "医疗器械", "农业开发"]  # fmt: skip
COUNTIES = ["410425", "411000", "411002", "120111", "500116", "410400", "410402", "411023",
            "120112", "500101"]  # fmt: skip
FORMS = ["有限公司", "有限责任公司", "股份有限公司", "厂", "合作社", "个体工商户", "分公司"]
NAME_QUERIES = ["红星机械", "机械制造", "郏县宏达", "人力资源", "劳务派遣有限公司", "鑫源物流",
                "不存在的单位", "科技有限", "天元建筑工程", "许昌永盛"]  # fmt: skip
# Two characters: rare to common (有限, 公司: most names), and none at all (安泰).
TWO_CHAR_QUERIES = ["红星", "机械", "许昌", "物流", "科技", "泰和", "安泰", "有限", "公司", "元建"]
# One character: a brand's, a place's, a trade's, the common 公, a digit of the "（id）" suffixes.
ONE_CHAR_QUERIES = ["红", "郏", "械", "鑫", "社", "厂", "公", "龙", "7", "泰"]


def array(words) -> str:
    return "ARRAY[" + ", ".join(f"'{w}'" for w in words) + "]"


def pick(words) -> str:
    a = array(words)
    return f"({a})[1 + floor(random() * cardinality({a}))::int]"


def prepare(cursor) -> None:
    cursor.execute("SELECT count(*) FROM employers_employer WHERE name LIKE '基准用人单位%%'")
    if cursor.fetchone()[0]:
        started = time.perf_counter()
        cursor.execute("SELECT setseed(0.31)")
        cursor.execute(
            f"UPDATE employers_employer SET name = {pick(PLACES)} || {pick(BRANDS)} || "
            f"{pick(TRADES)} || {pick(FORMS)} || CASE WHEN random() < 0.3 THEN '（' || id || '）' "
            f"ELSE '' END"
        )
        print(f"renamed the employers in {time.perf_counter() - started:.1f} s")
    cursor.execute("SELECT count(*) FROM employers_employer WHERE uscc LIKE 'B%%'")
    if cursor.fetchone()[0]:
        # Codes shaped like real ones: registration authority and type, a county's division code
        # (a prefix shared by a county's employers), then a unique tail.
        started = time.perf_counter()
        cursor.execute(
            f"UPDATE employers_employer SET uscc = {pick(['91', '91', '91', '92', '12', '52'])} "
            f"|| {pick(COUNTIES)} || upper(substr(md5(id::text), 1, 10))"
        )
        cursor.execute("SET session_replication_role = replica")  # the append-only trigger
        cursor.execute(
            "UPDATE publication_publishedresult r SET uscc = e.uscc FROM employers_employer e "
            "WHERE e.id = r.employer_id"
        )
        cursor.execute("RESET session_replication_role")
        print(f"gave the employers realistic codes in {time.perf_counter() - started:.1f} s")
    cursor.execute("SELECT count(*) FROM publication_publishedresult")
    if not cursor.fetchone()[0]:
        started = time.perf_counter()
        cursor.execute("SELECT id FROM employers_jurisdiction WHERE code = 'jiaxian'")
        jiaxian = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO grading_cycle (jurisdiction_id, ruleset_code, year, status, published_at, "
            "created_at, updated_at) VALUES (%s, 'jiaxian', 2019, 'published', now(), now(), "
            "now()) RETURNING id",
            [jiaxian],
        )
        cycle = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO publication_publishedresult (cycle_id, employer_id, year, ruleset_code, "
            "ruleset_version, name, uscc, grade, rules, computed_grade, kind, industry, "
            "street_name, published_at) SELECT %s, id, 2019, 'jiaxian', '1', name, uscc, 'B', "
            "'[]', 'B', kind, industry, '', now() FROM employers_employer",
            [cycle],
        )
        print(f"published {cursor.rowcount:,} results in {time.perf_counter() - started:.1f} s")
    # What autovacuum does after the updates above (dead row versions slow every index scan).
    cursor.execute("VACUUM ANALYZE employers_employer")
    cursor.execute("VACUUM ANALYZE publication_publishedresult")


def timed(queryset, estimate=True, new=True) -> tuple[float, float, float, list, int]:
    """The first page (25 rows by name: now ordered as ``searched_order`` says, the planner's
    estimate included in the time; before, by the name column), the exact count of the matches
    and the count the page asks now (estimated_count), timed apart."""
    from django.http import QueryDict

    from employers.paging import KeysetPaginator, estimated_count
    from employers.selectors import searched_order

    started = time.perf_counter()
    paginator = None
    if new:  # as the pages ask: the order decided (the count with it), the first keyset page
        order = searched_order(queryset, "name", "pk")
        paginator = KeysetPaginator(
            queryset.only("pk", "name").order_by(*order), 25, total=getattr(order, "total", None)
        )
        page = [row.pk for row in paginator.get_page(QueryDict())]
    else:
        page = list(queryset.order_by("name", "pk").values_list("pk", flat=True)[:25])
    paged = time.perf_counter()
    count = queryset.count()
    counted = time.perf_counter()
    if estimate:
        paginator.count if paginator else estimated_count(queryset)
    return paged - started, counted - paged, time.perf_counter() - counted, page, count


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def percentile(values, p) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


GRAM_INDEXES = ("employers_employer_name_grams", "publication_result_name_grams")
TRIGRAM_INDEXES = ("employers_employer_name_trgm", "publication_result_name_trgm")


def measure(label, base, search, queries, repeat, old_same) -> list[str]:
    """Rows of the table for one list: each class of query, indexed, trigram only (the short
    classes) and old."""
    from django.db import connection, transaction

    from employers import selectors

    def ms(values, p):
        return f"{percentile(values, p) * 1000:.1f}" if values else "–"

    def run(qs, new=True, reference=None, **kwargs):
        """Times; and per query (page, count), or — given the indexed path's results as
        ``reference`` — whether this path agrees with it: the same count, and the same page, or
        (a broad search, listed in registration order now) every row of the indexed page among
        this path's matches."""
        pages, counts, estimates, found = [], [], [], {}
        for q in qs:
            for _ in range(repeat):
                paged, counted, estimated, page, count = timed(search(base, q, **kwargs), new=new)
                pages.append(paged)
                counts.append(counted)
                estimates.append(estimated)
            found[q] = (page, count)
            if reference is not None:
                ref_page, ref_count = reference[q]
                among = search(base, q, **kwargs).filter(pk__in=ref_page).count()
                found[q] = count == ref_count and (page == ref_page or among == len(ref_page))
        return pages, counts, estimates, found

    out = []
    for klass, qs in queries.items():
        new_page, new_count, new_estimate, results = run(qs)
        matches = [count for _page, count in results.values()]
        trgm_page, trgm_count, trgm_same = [], [], None
        if klass.startswith(("1-", "2-")):
            saved, selectors.GRAM_LENGTH = selectors.GRAM_LENGTH, 0
            try:
                trgm_page, trgm_count, _e, found = run(qs, new=False, reference=results)
            finally:
                selectors.GRAM_LENGTH = saved
            trgm_same = sum(found.values())
        with transaction.atomic():
            with connection.cursor() as cursor:
                for index in (*TRIGRAM_INDEXES, *GRAM_INDEXES):
                    cursor.execute(f"DROP INDEX IF EXISTS {index}")
            old_page, old_count, _e, found = run(qs, new=False, reference=results, indexed=False)
            transaction.set_rollback(True)
        same = sum(found.values())
        agree = f"{same}/{len(qs)}" + ("" if old_same[klass] else " (the old search also "
                                       "matches inside codes)")  # fmt: skip
        if trgm_same is not None:
            agree += f"; trigram only {trgm_same}/{len(qs)}"
        searched = [a + b for a, b in zip(new_page, new_estimate, strict=True)]
        old_total = [a + b for a, b in zip(old_page, old_count, strict=True)]
        out.append(
            f"| {label}: {klass} ({len(qs)} queries × {repeat}; matches "
            f"{min(matches):,}–{max(matches):,}) | {ms(new_page, 50)} / {ms(new_page, 95)} ms | "
            f"{ms(new_estimate, 95)} ms | **{ms(searched, 95)} ms** | {ms(new_count, 95)} ms | "
            f"{ms(trgm_page, 50)} / {ms(trgm_page, 95)} ms | {ms(trgm_count, 95)} ms | "
            f"{ms(old_page, 50)} / {ms(old_page, 95)} ms | {ms(old_count, 95)} ms | "
            f"{statistics.mean(old_total) / statistics.mean(searched):.1f}× | {agree} |"
        )
        print(out[-1], f"({load()})", flush=True)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--classes", default="", help="only the classes containing this text")
    parser.add_argument("--employers-only", action="store_true", help="not the published results")
    args = parser.parse_args()
    setup_django_on_bench_db()
    from django.db import connection

    from employers.models import Employer
    from employers.selectors import search_employers
    from publication.models import PublishedResult
    from publication.selectors import search_published_results

    with connection.cursor() as cursor:
        prepare(cursor)
        if args.prepare_only:
            return
        cursor.execute("SELECT count(*) FROM employers_employer")
        employers = cursor.fetchone()[0]
    print(f"before: {load()}")
    rng = random.Random(3)
    codes = list(Employer.objects.order_by("?").values_list("uscc", flat=True)[:10])
    queries = {
        "name fragment, 3+ characters": NAME_QUERIES,
        "2-character fragment": TWO_CHAR_QUERIES,
        "1-character fragment": ONE_CHAR_QUERIES,
        "full USCC": codes,
        "USCC prefix": [c[: rng.randint(8, 14)] for c in codes],
    }
    queries = {klass: qs for klass, qs in queries.items() if args.classes in klass}
    # The old search also matches inside codes: a prefix, and the digit among the 1 characters.
    old_same = {klass: klass not in ("USCC prefix", "1-character fragment") for klass in queries}
    rows = measure("employer list", Employer.objects.all(), search_employers, queries,
                   args.repeat, old_same)  # fmt: skip
    if not args.employers_only:
        rows += measure("published results", PublishedResult.objects.all(),
                        search_published_results, queries, args.repeat, old_same)  # fmt: skip
    print(f"\n| search, {employers:,} employers | indexed: first page of 25, p50 / p95 | "
          f"indexed: the page's count (estimated_count), p95 | **indexed: page + its count, "
          f"p95** | indexed: exact count, p95 | trigram only: first page, p50 / p95 | trigram "
          f"only: exact count, p95 | old: first page, p50 / p95 | old: exact count, p95 | "
          f"old (page + exact count) / indexed (page + its count), mean | same rows |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
