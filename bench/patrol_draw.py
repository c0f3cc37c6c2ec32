"""Benchmark: the patrol draw (双随机) and the supervision reads over N employers of one
jurisdiction on PostgreSQL.

Run by hand (not in CI):

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres .venv/bin/python bench/patrol_draw.py
    # options: --employers 200000 --inspectors 40 --keep

It creates a throwaway database ``lc_bench_patrol``, migrates it, generates N employers of 郏县
spread over its five streets (registration dates over two years) and a published 2024 cycle grading
them A 10 % / B 70 % / C 15 % / D 5 % (generate_series, inside PostgreSQL), then times: the draw's
inputs (employers with their latest published grade), the pure draw, storing the plan and its
tasks, the plan's progress figures, registry freshness per street, and the interview list count.
Prints the figures and the process's peak memory, then drops the database unless --keep.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regrade import with_db  # noqa: E402

BENCH_DB = "lc_bench_patrol"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--employers", type=int, default=200_000)
    parser.add_argument("--inspectors", type=int, default=40)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at a PostgreSQL server")
    import psycopg

    with psycopg.connect(with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = with_db(url, BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["DEBUG"] = "False"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(with_db(url, "postgres"), autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def timed(label, fn, figures):
    start = time.perf_counter()
    result = fn()
    figures.append((label, time.perf_counter() - start))
    return result


def run(args):
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from employers.choices import Role
    from employers.models import Jurisdiction, User
    from grading.models import Cycle, GradingRun
    from supervision import sampling, selectors, services

    n = args.employers
    jx = Jurisdiction.objects.get(code="jiaxian")
    streets = list(jx.subtree().filter(level="street").values_list("pk", flat=True))
    figures = []
    start = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO employers_employer
              (uscc, name, kind, jurisdiction_id, street_id, industry, legal_rep, address, phone,
               status, created_at, updated_at)
            SELECT 'B' || lpad(i::text, 17, '0'), '基准单位' || i, 'enterprise', %s,
                   (%s::bigint[])[1 + i %% %s], 'manufacturing', '张三', '', '', 'operating',
                   now() - ((i %% 730) || ' days')::interval,
                   now() - ((i %% 500) || ' days')::interval
            FROM generate_series(1, %s) AS i
            """,
            [jx.pk, streets, len(streets), n],
        )
    run_row = GradingRun.objects.create(
        jurisdiction=jx,
        kind="cycle",
        cycle_year=2024,
        as_of=dt.date(2024, 12, 31),
        window_start=dt.date(2024, 1, 1),
        window_end=dt.date(2024, 12, 31),
        status="complete",
        is_current=True,
    )
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO grading_grade
              (run_id, employer_id, jurisdiction_id, ruleset_code, ruleset_version, as_of,
               cycle_year, grade, rules, facts)
            SELECT %s, id, %s, 'jiaxian', '1', '2024-12-31', 2024,
                   CASE WHEN id %% 20 = 0 THEN 'D' WHEN id %% 20 < 4 THEN 'C'
                        WHEN id %% 20 < 6 THEN 'A' ELSE 'B' END,
                   '[]', '{}'
            FROM employers_employer WHERE jurisdiction_id = %s
            """,
            [run_row.pk, jx.pk, jx.pk],
        )
    Cycle.objects.create(
        jurisdiction=jx, ruleset_code="jiaxian", year=2024, status="published", run=run_row
    )
    for k in range(args.inspectors):
        User.objects.create(username=f"bench_inspector_{k}", role=Role.INSPECTOR, jurisdiction=jx)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    setup = time.perf_counter() - start

    inputs = timed(
        "draw inputs (employers + latest published grade)",
        lambda: selectors.draw_inputs(jx),
        figures,
    )
    ratios = selectors.default_ratios(["jiaxian"])
    draw = timed(
        "pure draw (SHA-256 ranking, inspectors)",
        lambda: sampling.draw_patrol(
            seed=42, ratios=ratios, candidates=inputs.candidates, inspectors=inputs.inspectors
        ),
        figures,
    )
    timed("CSV of the plan", lambda: sampling.csv_bytes(draw.rows), figures)
    outcome = timed(
        "draw_plan end to end (inputs, draw, store plan and tasks)",
        lambda: services.draw_plan(
            actor=None,
            jurisdiction=jx,
            period_from=dt.date(2025, 1, 1),
            period_to=dt.date(2025, 12, 31),
            seed=42,
        ),
        figures,
    )
    today = timezone.localdate()
    timed(
        "plan progress (totals, per grade, per inspector)",
        lambda: selectors.plan_progress(outcome.plan, today),
        figures,
    )
    timed("registry freshness per street", lambda: selectors.registry_freshness(jx, today), figures)
    inspector = User.objects.get(username="bench_inspector_0")
    timed("interview list count", lambda: selectors.interview_list(inspector, jx).count(), figures)
    timed(
        "interview list first page",
        lambda: list(selectors.interview_list(inspector, jx)[:25]),
        figures,
    )
    timed(
        "my open tasks count",
        lambda: selectors.my_tasks(inspector).filter(record__isnull=True).count(),
        figures,
    )

    print(f"employers: {n:,}; inspectors: {args.inspectors}; setup {setup:.1f} s")
    print(
        f"drawn: {len(draw.rows):,} tasks; counts: "
        + ", ".join(f"{c.grade or '未评级'} {c.drawn}/{c.candidates}" for c in draw.counts)
    )
    for label, seconds in figures:
        print(f"  {label:<58} {seconds:8.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
