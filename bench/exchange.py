"""Benchmark: the exchange app on one published cycle of N employers (PostgreSQL).

Run by hand (not in CI):

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres .venv/bin/python bench/exchange.py
    # options: --employers 200000 --keep

It creates a throwaway database ``lc_bench_exchange``, migrates it, writes N employers and a
published 郏县 cycle of N results (bulk inserts), then measures:

1. numbering the N results in the published sequence (``exchange.sequence.record_results``, what
   the publishing transaction does);
2. the distribution job (5 departments × CSV + JSON + manifest);
3. the open-data CSV, streamed through the view, and the peak memory of the process;
4. a partner's full sync through ``/api/v1/published`` with ``limit=1000``, and 200 lookups of
   ``/api/v1/grades/{uscc}``.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regrade import recreate, with_db  # noqa: E402

BENCH_DB = "lc_bench_exchange"


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employers", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at a PostgreSQL server")
    recreate(url, BENCH_DB)
    bench_url = with_db(url, BENCH_DB)
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(env)
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ["DEBUG"] = "False"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    try:
        run(args.employers)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate(url, BENCH_DB, drop_only=True)


def run(n: int) -> None:
    from django.core.cache import cache
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from employers.models import Employer, Jurisdiction
    from employers.uscc import make_uscc
    from exchange import distribution, sequence, tokens
    from exchange.models import DistributionJob
    from grading.models import Cycle
    from publication.models import PublishedResult

    jiaxian = Jurisdiction.objects.get(code="jiaxian")
    started = time.perf_counter()
    usccs = [make_uscc(f"91410425MA{i:07d}") for i in range(n)]
    Employer.objects.bulk_create(
        [
            Employer(
                uscc=u,
                name=f"郏县测试单位{i:07d}有限公司",
                kind="enterprise",
                jurisdiction=jiaxian,
                legal_rep="张三丰",
                phone="13812345678",
            )  # fmt: skip
            for i, u in enumerate(usccs)
        ],
        batch_size=5000,
    )
    ids = dict(Employer.objects.values_list("uscc", "pk"))
    now = timezone.now()
    cycle = Cycle.objects.create(
        jurisdiction=jiaxian, ruleset_code="jiaxian", year=2024, status="published",
        published_at=now,
    )  # fmt: skip
    grades = ["A", "B", "B", "B", "C", "D"]
    rules = {"A": ["jiaxian.A.1"], "B": ["jiaxian.B.1"], "C": ["jiaxian.C.1"], "D": ["jiaxian.D.1"]}
    results = []
    for i, u in enumerate(usccs):
        g = grades[i % len(grades)]
        results.append(
            PublishedResult(
                cycle=cycle,
                employer_id=ids[u],
                year=2024,
                ruleset_code="jiaxian",
                ruleset_version="1",
                name=f"郏县测试单位{i:07d}有限公司",
                uscc=u,
                grade=g,
                rules=rules[g],
                computed_grade=g,
                published_at=now,
            )  # fmt: skip
        )
    PublishedResult.objects.bulk_create(results, batch_size=5000)
    print(f"setup: {n:,} employers and published results in {time.perf_counter() - started:.1f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum does after a bulk load

    started = time.perf_counter()
    with transaction.atomic():
        sequence.record_results(cycle=cycle)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE exchange_publisheditem")
    took = time.perf_counter() - started
    print(f"1. numbering {n:,} results in the sequence: {took:.1f} s")
    del results

    job = DistributionJob.objects.create(cycle=cycle)
    started = time.perf_counter()
    distribution.run(job.pk)
    took = time.perf_counter() - started
    job.refresh_from_db()
    size = sum(f.size for f in job.files.all())
    print(
        f"2. distribution job ({job.files.count()} files, {size / 2**20:.0f} MiB): {took:.1f} s, "
        f"{5 * n / took:,.0f} rows/s"
    )

    client = Client()
    before = rss_mib()
    started = time.perf_counter()
    response = client.get("/open-data/jiaxian/2024.csv")
    streamed = sum(len(chunk) for chunk in response.streaming_content)
    took = time.perf_counter() - started
    print(
        f"3. open-data CSV streamed ({streamed / 2**20:.0f} MiB): {took:.1f} s; "
        f"peak RSS {before:.0f} → {rss_mib():.0f} MiB"
    )

    cache.clear()
    _row, raw = tokens.create_token(name="bench", jurisdiction=jiaxian)
    os.environ.setdefault("EXCHANGE_API_RATE_PER_MINUTE", "1000000")
    from django.conf import settings

    settings.EXCHANGE_API_RATE_PER_MINUTE = 10**9
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    started = time.perf_counter()
    after, pages, items = 0, 0, 0
    while True:
        page = client.get(f"/api/v1/published?after={after}&limit=1000", **auth).json()
        pages += 1
        items += len(page["items"])
        after = page["next_after"]
        if not page["has_more"]:
            break
    took = time.perf_counter() - started
    assert items == n, items
    print(
        f"4a. full sync: {items:,} items in {pages} pages, {took:.1f} s ({took / pages * 1000:.0f} ms/page)"
    )
    sample = random.Random(1).sample(usccs, 200)
    started = time.perf_counter()
    for u in sample:
        assert client.get(f"/api/v1/grades/{u}", **auth).status_code == 200
    took = time.perf_counter() - started
    print(f"4b. grades lookups: {took / len(sample) * 1000:.1f} ms each (200 random USCCs)")


if __name__ == "__main__":
    main()
