"""Benchmark: the full regrade of N employers with about 5N credit records on PostgreSQL.

Run by hand (not in CI):

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres .venv/bin/python bench/regrade.py
    # options: --employers 1000000 --records-per-employer 5 --sample 2000 --keep --reuse

It creates a throwaway database ``lc_bench_regrade`` on the server of DATABASE_URL, migrates it
and generates the employers and records inside PostgreSQL (generate_series; ~1 % voided and
~0.5 % corrected entries, dates 2020–2025 so the 2024 cycle has records before, inside and after
its window). Then it measures, on the 2024 annual cycle:

1. the floor — the aggregate fact queries alone (every chunk, rows fetched, nothing evaluated)
   plus the bulk write alone (the very rows of the full run, COPYed again into grading_grade);
2. the full regrade — ``manage.py regrade --cycle 2024`` in a child process (facts, rules,
   results, run bookkeeping), its duration as recorded by the run, employers per second and the
   child's peak memory (max RSS);
3. a naive per-employer ORM implementation (load the employer and its records, compute the facts
   in Python, evaluate, ``Grade.objects.create``) on a random sample, extrapolated to N — and
   checks that it gives exactly the grades of the full run for the sample.

It prints the table of figures and the two ratios (full / floor, naive / full), then drops the
database unless --keep. With --reuse an existing benchmark database is used as it is.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "lc_bench_regrade"
YEAR = 2024


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must point at a PostgreSQL server (the benchmark makes its own database)"
        )
    return url


def with_db(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/" + name))


def database_exists(url: str) -> bool:
    import psycopg

    with psycopg.connect(with_db(url, "postgres"), autocommit=True) as conn:
        return bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        )


def recreate_database(url: str, *, drop_only=False):
    import psycopg

    with psycopg.connect(with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")


# (weight, kind) of generated records: mostly inspections, some violations and their decisions.
RECORD_KINDS = [
    (28, "patrol_inspection"), (14, "written_review"), (16, "violation"),
    (6, "administrative_decision"), (4, "administrative_penalty"), (8, "complaint"),
    (3, "interview"), (3, "harmonious_enterprise"), (1, "wage_arrears_blacklist"),
    (2, "arbitration_loss"), (3, "commendation"), (3, "credit_commitment"),
    (1, "business_abnormal_list"), (1, "lost_contact"), (2, "annual_report_missing"),
    (2, "public_credit_rating"), (1, "reporting_failure"), (1, "false_materials"),
    (1, "commitment_breach"),
]  # fmt: skip
EMPLOYER_KINDS = [
    (70, "enterprise"), (12, "individual_business"), (8, "hr_agency"), (3, "labor_dispatch"),
    (2, "training_institution"), (2, "job_agency"), (2, "public_institution"), (1, "other"),
]  # fmt: skip
INDUSTRIES = ["hr_services", "construction", "transport", "internet_platform", "manufacturing",
              "catering", "retail", "other"]  # fmt: skip


def weighted_array(pairs) -> str:
    values = [v for weight, v in pairs for _ in range(weight)]
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def pick(array_sql: str) -> str:
    return f"({array_sql})[1 + floor(random() * cardinality({array_sql}))::int]"


def generate(cursor, employers: int, per_employer: int):
    from employers.models import Jurisdiction

    places = []  # (weight, jurisdiction id, street id or NULL)
    by_code = {j.code: j for j in Jurisdiction.objects.all()}
    for root, weight in (("jiaxian", 40), ("xiqing", 25), ("jiangjin", 25), ("xuchang", 10)):
        node = by_code[root]
        streets = [j for j in node.subtree() if j.level == "street"]
        districts = [j for j in node.subtree() if j.level == "district" and j != node]
        for street in streets:
            parent = street.parent if street.parent in districts else node
            places.append((weight, parent.pk, street.pk))
        places.append((weight, node.pk, "NULL"))
    slots = [(j, s) for w, j, s in places for _ in range(w)]
    place_j = "ARRAY[" + ", ".join(str(j) for j, _s in slots) + "]::bigint[]"
    place_s = (
        "ARRAY[" + ", ".join("0" if s == "NULL" else str(s) for _j, s in slots) + "]::bigint[]"
    )
    cursor.execute("SELECT setseed(0.42)")
    cursor.execute(
        f"""
        INSERT INTO employers_employer (uscc, name, kind, industry, employees, legal_rep, address,
            phone, status, created_at, updated_at, jurisdiction_id, street_id)
        SELECT 'B' || lpad(i::text, 17, '0'), '基准用人单位' || i,
               {pick(weighted_array(EMPLOYER_KINDS))},
               {pick(weighted_array([(1, v) for v in INDUSTRIES]))}, (random() * 500)::int,
               '', '', '', 'operating', now(), now(), ({place_j})[k], NULLIF(({place_s})[k], 0)
        FROM (SELECT i, 1 + floor(random() * {len(slots)})::int AS k
              FROM generate_series(1, %s) i) g
        """,
        [employers],
    )
    cursor.execute("SELECT min(id), max(id) FROM employers_employer")
    first_id, last_id = cursor.fetchone()
    n_records = employers * per_employer
    kind = "x.kind"
    cursor.execute(
        f"""
        INSERT INTO credit_records_creditrecord (employer_id, kind, entry_type, reason, date,
            end_date, case_no, document_no, source, summary, department, severity, category,
            rectification, performance, procedure, incident, level, value, result, created_at,
            prev_hash, entry_hash)
        SELECT x.employer_id, {kind}, 'original', '', x.date,
            CASE WHEN {kind} IN ('wage_arrears_blacklist', 'business_abnormal_list',
                                 'harmonious_enterprise', 'lost_contact')
                      AND random() < 0.5
                 THEN LEAST(x.date + (random() * 1000)::int, DATE '2025-12-31') END,
            CASE WHEN {kind} IN ('violation', 'administrative_decision', 'administrative_penalty')
                      AND random() < 0.6
                 THEN 'K' || x.employer_id || '-' || floor(random() * 3)::int ELSE '' END,
            '', '', '', '',
            CASE WHEN {kind} = 'violation'
                 THEN {pick("ARRAY['minor','general','general','general','general','serious','major']")}
                 ELSE '' END,
            CASE WHEN {kind} = 'violation'
                 THEN {pick("ARRAY['wages','wages','labor_contract','working_hours','social_insurance','child_labor','forced_labor','other']")}
                 ELSE '' END,
            CASE WHEN {kind} = 'violation'
                 THEN {pick(weighted_array([(85, "rectified"), (8, "in_progress"), (7, "not_rectified")]))}
                 ELSE '' END,
            CASE WHEN {kind} IN ('administrative_decision', 'administrative_penalty')
                 THEN {pick(weighted_array([(85, "performed"), (10, "pending"), (5, "refused")]))}
                 ELSE '' END,
            CASE WHEN {kind} = 'administrative_penalty'
                 THEN {pick("ARRAY['general','simplified']")} ELSE '' END,
            CASE WHEN {kind} = 'violation' THEN random() < 0.03 END,
            CASE WHEN {kind} = 'harmonious_enterprise'
                 THEN {pick("ARRAY['county','county','city','province','national']")} ELSE '' END,
            CASE WHEN {kind} = 'annual_report_missing' THEN (extract(year FROM x.date)::int - 1)::text
                 WHEN {kind} = 'public_credit_rating' THEN {pick("ARRAY['A','A','B','B','C','D']")}
                 ELSE '' END,
            CASE WHEN {kind} = 'patrol_inspection' THEN {pick("ARRAY['no_issue','no_issue','issue_found']")}
                 WHEN {kind} = 'written_review' THEN {pick("ARRAY['qualified','basically_qualified','unqualified']")}
                 WHEN {kind} = 'complaint' THEN {pick("ARRAY['verified','unfounded']")}
                 WHEN {kind} = 'interview' THEN {pick("ARRAY['reminder','warning']")}
                 ELSE '' END,
            now(), '', ''
        FROM (
            SELECT %s + floor(random() * %s)::bigint AS employer_id,
                   {pick(weighted_array(RECORD_KINDS))} AS kind,
                   DATE '2020-01-01' + floor(random() * 2190)::int AS date
            FROM generate_series(1, %s)
        ) x
        """,
        [first_id, last_id - first_id + 1, n_records],
    )
    # ~1 % voided and ~0.5 % corrected (dated a month earlier) entries, as the ledger makes them.
    common = (
        "employer_id, kind, reason, end_date, case_no, document_no, source, summary, department, "
        "severity, category, rectification, performance, procedure, incident, level, value, "
        "result, created_at, prev_hash, entry_hash"
    )
    cursor.execute(
        f"""
        INSERT INTO credit_records_creditrecord (entry_type, supersedes_id, date, {common})
        SELECT 'void', id, date, {common} FROM credit_records_creditrecord
        WHERE entry_type = 'original' AND id % 100 = 7
        """
    )
    cursor.execute(
        f"""
        INSERT INTO credit_records_creditrecord (entry_type, supersedes_id, date, {common})
        SELECT 'correction', id, date - 30, {common} FROM credit_records_creditrecord
        WHERE entry_type = 'original' AND id % 200 = 3
        """
    )
    # What autovacuum does to an append-only table after a load: statistics and the visibility
    # map (which index-only scans need).
    cursor.execute("VACUUM ANALYZE")


def human(seconds: float) -> str:
    return f"{seconds:8.2f} s"


def measure_aggregate(span, chunk_size: int):
    """Floor, part 1: the aggregate fact queries alone, every chunk, rows fetched."""
    from django.db import connection, transaction

    from grading import services
    from grading.facts import EmployerSelection, facts_sql, query_params, value_records_sql

    bounds = services._chunk_bounds(None, chunk_size)
    params = query_params(span)
    started = time.perf_counter()
    rows = 0
    for first, last in bounds:
        selection = EmployerSelection(first_id=first, last_id=last)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")  # as grading.facts does
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute(value_records_sql(selection), params)
            cursor.fetchall()
            cursor.execute(facts_sql(selection), params)
            rows += len(cursor.fetchall())
    return time.perf_counter() - started, rows


def measure_write(run_id: int):
    """Floor, part 2: the bulk write alone — the very rows the full run wrote, COPYed again into
    grading_grade under a scratch run (then removed)."""
    from django.db import connection, transaction

    from grading import engine
    from grading.models import GradingRun

    source = GradingRun.objects.get(pk=run_id)
    scratch = GradingRun.objects.create(
        kind="cycle", cycle_year=1900, as_of=source.as_of, window_start=source.window_start,
        window_end=source.window_end, status="failed", error="benchmark floor",
    )  # fmt: skip
    columns = engine.GRADE_COLUMNS[1:]
    buffer = bytearray()
    with connection.cursor() as cursor:
        query = f"COPY (SELECT {', '.join(columns)} FROM grading_grade WHERE run_id = {run_id}) TO STDOUT"
        with cursor.cursor.copy(query) as copy:
            for data in copy:
                buffer += data
    prefix = f"{scratch.pk}\t"
    lines = [prefix + line + "\n" for line in buffer.decode().splitlines()]
    del buffer
    started = time.perf_counter()
    with transaction.atomic():
        engine._copy_lines("grading_grade", engine.GRADE_COLUMNS, lines)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM grading_grade WHERE run_id = %s", [scratch.pk])
        cursor.execute("DELETE FROM grading_gradingrun WHERE id = %s", [scratch.pk])
    return elapsed, len(lines)


def run_full(bench_url: str, chunk_size: int):
    """``manage.py regrade --cycle YEAR`` in a child process: wall time and peak RSS."""
    env = {**os.environ, "DATABASE_URL": bench_url, "GRADING_CHUNK_SIZE": str(chunk_size),
           "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "false"}  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "regrade", "--cycle", str(YEAR)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"regrade failed:\n{result.stderr}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kb * 1024, result.stdout


def run_naive(span, sample_ids):
    """Per employer: the ORM, facts in Python, evaluation, one INSERT."""
    from credit_records.models import CreditRecord
    from employers.models import Employer
    from grading.assignments import Assignments
    from grading.facts import reference_facts
    from grading.models import Grade, GradingRun

    assignments = Assignments(span.as_of)
    run = GradingRun.objects.create(
        kind="cycle", cycle_year=1901, as_of=span.as_of, window_start=span.window_start,
        window_end=span.as_of, status="failed", error="benchmark naive",
    )  # fmt: skip
    results = {}
    started = time.perf_counter()
    for employer_id in sample_ids:
        employer = Employer.objects.get(pk=employer_id)
        records = list(CreditRecord.objects.filter(employer=employer))
        facts = reference_facts(records, employer_kind=employer.kind, span=span)
        applicable = assignments.applicable(employer.jurisdiction_id, employer.kind)
        for ruleset in applicable.rulesets:
            evaluation = ruleset.evaluate(facts)
            Grade.objects.create(
                run=run, employer=employer, jurisdiction_id=applicable.grading_jurisdiction_id,
                ruleset_code=ruleset.code, ruleset_version=ruleset.version, as_of=span.as_of,
                cycle_year=1901, grade=evaluation.grade, rules=list(evaluation.rules),
                facts=facts.to_json(include_span=False),
            )  # fmt: skip
            results[(employer_id, ruleset.code)] = (evaluation.grade, list(evaluation.rules))
    elapsed = time.perf_counter() - started
    Grade.objects.filter(run=run).delete()
    run.delete()
    return elapsed, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employers", type=int, default=1_000_000)
    parser.add_argument("--records-per-employer", type=int, default=5)
    parser.add_argument("--sample", type=int, default=2000, help="employers for the naive loop")
    parser.add_argument("--chunk-size", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use an existing benchmark database")
    args = parser.parse_args()

    url = server_url()
    bench_url = with_db(url, BENCH_DB)
    reuse = args.reuse and database_exists(url)
    if not reuse:
        recreate_database(url)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from grading.models import Grade, GradingRun
    from grading.windows import Span

    if not reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            generate(cursor, args.employers, args.records_per_employer)
        print(f"generated data in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM employers_employer")
        employers = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM credit_records_creditrecord")
        records = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM credit_records_creditrecord WHERE entry_type <> 'original'"
        )
        fixes = cursor.fetchone()[0]
    print(f"{employers:,} employers, {records:,} records ({fixes:,} corrections and voids)")

    span = Span.for_cycle(YEAR)
    aggregate, fact_rows = measure_aggregate(span, args.chunk_size)
    wall, peak, output = run_full(bench_url, args.chunk_size)
    run = GradingRun.objects.filter(kind="cycle", cycle_year=YEAR, status="complete").latest("id")
    full = run.duration.total_seconds()
    write, written = measure_write(run.pk)
    floor = aggregate + write

    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM employers_employer")
        low, high = cursor.fetchone()
    sample = sorted(rng.sample(range(low, high + 1), min(args.sample, employers)))
    naive, naive_results = run_naive(span, sample)
    naive_total = naive / len(sample) * employers
    engine_results = {
        (g.employer_id, g.ruleset_code): (g.grade, g.rules)
        for g in Grade.objects.filter(run=run, employer_id__in=sample)
    }
    agree = sum(1 for k, v in naive_results.items() if engine_results.get(k) == v)

    rate = employers / full
    print()
    print(f"| measure (cycle {YEAR}, {employers:,} employers, {records:,} records) | value |")
    print("|---|---|")
    print(f"| floor: aggregate fact queries alone ({fact_rows:,} rows) | {aggregate:.2f} s |")
    print(
        f"| floor: bulk write alone (COPY of the run's {written:,} rows into grading_grade) | {write:.2f} s |"
    )
    print(f"| floor total | {floor:.2f} s |")
    print(f"| full regrade (run duration: facts, rules, results, bookkeeping) | {full:.2f} s |")
    print(f"| `manage.py regrade --cycle {YEAR}` wall time (incl. start-up) | {wall:.2f} s |")
    print(f"| employers per second | {rate:,.0f} |")
    print(f"| peak memory of the regrade process (max RSS) | {peak / 2**20:,.0f} MiB |")
    print(f"| naive per-employer ORM loop: {len(sample):,} employers | {naive:.2f} s "
          f"({naive / len(sample) * 1000:.2f} ms each) |")  # fmt: skip
    print(f"| naive loop extrapolated to {employers:,} | {naive_total:,.0f} s |")
    print(f"| ratio full / floor (target ≤ 2) | {full / floor:.2f} |")
    print(f"| ratio naive / full (target ≥ 100) | {naive_total / full:,.0f} |")
    print(f"| naive and full agree on the sample | {agree}/{len(naive_results)} |")
    print()
    print(output.strip())

    if not args.keep:
        connection.close()
        recreate_database(url, drop_only=True)


if __name__ == "__main__":
    main()
