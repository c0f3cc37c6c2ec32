"""Benchmark: import 100,000 employers from CSV on PostgreSQL (issue 2 target: ≤ 60 s).

Run by hand (not part of the test suite):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lc_bench_employers \
        .venv/bin/python bench/import_employers.py [N]

It creates (or recreates) the database named in DATABASE_URL, migrates it, writes an N-row
CSV (default 100,000), then times: the dry run, the real import, and a re-import of the same
file (which must change nothing). Prints rows per second for each.
"""

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database this benchmark may drop and recreate.")
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from employers.demo_data import demo_uscc
    from employers.models import Employer
    from employers.services import import_employers

    rng = random.Random(7)
    kinds = ["enterprise", "individual_business", "hr_agency", "labor_dispatch"]
    places = [
        ("jiaxian", "龙山街道"),
        ("xiqing", "杨柳青镇"),
        ("jiangjin", "几江街道"),
        ("xuchang", "西大街道"),
    ]
    lines = ["uscc,name,kind,jurisdiction,industry,street,employees,legal_rep,address,phone,status"]
    seen = set()
    while len(seen) < n:
        code = demo_uscc(rng, "91", "410425")
        if code in seen:
            continue
        seen.add(code)
        j, street = places[len(seen) % 4]
        lines.append(
            f"{code},基准测试单位{len(seen):06d}有限公司,{rng.choice(kinds)},{j},manufacturing,"
            f"{street},{rng.randint(1, 900)},王某,人民路{len(seen)}号,13800000000,operating"
        )
    data = ("\n".join(lines) + "\n").encode("utf-8")
    print(f"rows: {n:,}  file: {len(data) / 1e6:.1f} MB  database: {url.rsplit('/', 1)[1]}")

    def timed(label, **kwargs):
        start = time.perf_counter()
        report = import_employers(data=data, filename="bench.csv", **kwargs)
        seconds = time.perf_counter() - start
        assert report.ok, report.problems[:5]
        print(
            f"{label:<22} {seconds:8.1f} s  {n / seconds:10,.0f} rows/s  "
            f"(created {report.created:,}, updated {report.updated:,}, unchanged {report.skipped:,})"
        )
        return seconds

    timed("dry run (validate)", dry_run=True)
    first = timed("import")
    assert Employer.objects.count() == n
    timed("re-import (no change)")
    print(f"target: 100,000 rows in <= 60 s -> {'met' if first * 100_000 / n <= 60 else 'MISSED'}")


if __name__ == "__main__":
    main()
