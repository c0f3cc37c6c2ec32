"""Benchmark: the written-review draw over a large jurisdiction (SPEC §10.1).

Run by hand (not part of the test suite):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lc_bench_review \
        .venv/bin/python bench/draw_written_review.py [N]

It creates (or recreates) the database named in DATABASE_URL, migrates it, inserts N operating
employers in 郏县 (default 200,000) and a published 2024 cycle grading all of them (A 20 %, B 60 %,
C 15 %, D 5 %), then times: the draw job (candidate list with the latest published grade, stored
in chunks, then the draw and the reviews), a repeat of the draw from the stored inputs, and the
``--dry-run`` of the command; and checks the repeat gives the same bytes.
"""

import io
import os
import resource
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
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database this benchmark may drop and recreate.")
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from employers.models import Jurisdiction
    from grading.models import Cycle, GradingRun
    from written_review import sampling, services

    jx = Jurisdiction.objects.get(code="jiaxian")
    t = time.perf_counter()
    with connection.cursor() as cur:
        # USCC-shaped keys (the check digit is not needed for this benchmark).
        cur.execute(
            """
            INSERT INTO employers_employer (uscc, name, kind, jurisdiction_id, industry, legal_rep,
                address, phone, status, created_at, updated_at)
            SELECT 'B' || lpad(i::text, 17, '0'), '基准单位' || i, 'enterprise', %s,
                   CASE WHEN i %% 25 = 0 THEN 'construction' ELSE 'manufacturing' END,
                   '', '', '', 'operating', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [jx.pk, n],
        )
    run = GradingRun.objects.create(
        jurisdiction=jx, kind="cycle", cycle_year=2024, as_of="2024-12-31",
        window_start="2024-01-01", window_end="2024-12-31", status="complete",
    )  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO grading_grade (run_id, employer_id, jurisdiction_id, ruleset_code,
                ruleset_version, as_of, cycle_year, grade, rules, facts)
            SELECT %s, id, %s, 'jiaxian', '1', '2024-12-31', 2024,
                   CASE WHEN id %% 20 < 4 THEN 'A' WHEN id %% 20 < 16 THEN 'B'
                        WHEN id %% 20 < 19 THEN 'C' ELSE 'D' END, '[]', '{}'
            FROM employers_employer WHERE jurisdiction_id = %s
            """,
            [run.pk, jx.pk, jx.pk],
        )
    Cycle.objects.create(jurisdiction=jx, ruleset_code="jiaxian", year=2024, status="published",
                         run=run)  # fmt: skip
    print(f"data: {n:,} employers and grades in {time.perf_counter() - t:.1f} s")

    plan = services.create_plan(actor=None, jurisdiction=jx, year=2025)
    t = time.perf_counter()
    services.start_draw(actor=None, plan=plan, seed=20250801, run_now=True)
    services.run_draw(plan.pk)
    job = time.perf_counter() - t
    plan.refresh_from_db()
    print(f"draw job: {plan.candidate_count:,} candidates, {plan.sample_count:,} sampled "
          f"in {job:.1f} s ({plan.candidate_count / job:,.0f} candidates/s)")  # fmt: skip
    t = time.perf_counter()
    stored = sampling.sample_csv(services.redraw(plan))
    print(f"repeat from the stored inputs: {time.perf_counter() - t:.1f} s, "
          f"{len(stored) / 1e6:.1f} MB CSV")  # fmt: skip
    t = time.perf_counter()
    out = ROOT / "var" / "bench-draw.csv"
    call_command("draw_sample", "written-review", "--jurisdiction", "jiaxian", "--year", "2025",
                 "--seed", "20250801", "--output", str(out), "--dry-run", stdout=io.StringIO())  # fmt: skip
    print(f"draw_sample --dry-run (stored plan): {time.perf_counter() - t:.1f} s, "
          f"same bytes: {out.read_bytes() == stored}")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
