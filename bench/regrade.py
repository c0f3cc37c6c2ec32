"""Benchmark: the full regrade of N employers with about 5N credit records on PostgreSQL.

Run by hand (not in CI):

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres .venv/bin/python bench/regrade.py
    # options: --employers 1000000 --records-per-employer 5 --sample 2000 --keep --reuse
    # BENCH_DB=name: the throwaway database's name (default lc_bench_regrade)

It creates a throwaway database on the server of DATABASE_URL, migrates it and generates the
employers and records inside PostgreSQL (generate_series; ~1 % voided and ~0.5 % corrected
entries, dates 2020–2025 so the 2024 cycle has records before, inside and after its window).
Then it measures, on the 2024 annual cycle, every step in a fresh child process whose own peak
memory (max RSS) is reported with it:

1. the floor — the aggregate fact queries alone (every chunk, rows fetched, nothing evaluated)
   and the bulk write alone (the very rows of the full run, COPYed again into grading_grade),
   each serially, and **overlapped as the run overlaps them** (a reader connection fetches the
   facts of chunk i + 1 while the writer COPYs chunk i, and a chunk is written only after its
   facts were read): the overlapped floor is the one the run is compared with;
2. the full regrade — ``manage.py regrade --cycle 2024`` (facts, rules, results, run
   bookkeeping), its duration as recorded by the run, employers per second;
3. a naive per-employer ORM implementation (load the employer and its records, compute the facts
   in Python, evaluate, ``Grade.objects.create``) on a random sample, extrapolated to N, **in one
   transaction** (the fair baseline: no commit per employer), and for reference the same loop
   committing each employer — and checks that it gives exactly the grades of the full run.

It prints the table of figures and the two ratios (full / overlapped floor, naive / full), then
drops the database unless --keep. With --reuse an existing benchmark database is used as it is.
"""

import argparse
import json
import os
import queue
import random
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("BENCH_DB", "lc_bench_regrade")
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


def setup_django_on_bench_db() -> None:
    """Django set up in this process on the benchmark database (``BENCH_DB``), DEBUG off."""
    os.environ.update({"DATABASE_URL": with_db(server_url(), BENCH_DB),
                       "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "false"})  # fmt: skip
    import django

    django.setup()


def database_exists(url: str) -> bool:
    import psycopg

    with psycopg.connect(with_db(url, "postgres"), autocommit=True) as conn:
        return bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        )


def recreate(url: str, name: str, *, drop_only=False) -> None:
    """Drop the benchmark database ``name`` on the server of ``url`` and, unless ``drop_only``,
    create it empty (the other benchmarks import this and ``with_db`` from here)."""
    import psycopg

    with psycopg.connect(with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {name}")


def recreate_database(url: str, *, drop_only=False):
    recreate(url, BENCH_DB, drop_only=drop_only)


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
               '', '', '', 'operating', now() - interval '2 days', now() - interval '2 days', ({place_j})[k], NULLIF(({place_s})[k], 0)
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
            prev_hash, entry_hash, mitigation, chain_version)
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
            now() - interval '2 days', '', '', '', 1
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
        "result, created_at, prev_hash, entry_hash, mitigation, chain_version"
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


def _scratch_run(source, year: int, error: str):
    from grading.models import GradingRun

    return GradingRun.objects.create(
        kind="cycle", cycle_year=year, as_of=source.as_of, window_start=source.window_start,
        window_end=source.window_end, status="failed", error=error,
    )  # fmt: skip


def _run_lines(run_id: int, scratch_id: int, bounds) -> list[list[str]]:
    """The COPY lines of the run's Grade rows, under the scratch run, grouped by chunk."""
    import bisect

    from django.db import connection

    from grading import engine

    columns = engine.GRADE_COLUMNS[1:]
    buffer = bytearray()
    with connection.cursor() as cursor:
        query = (
            f"COPY (SELECT {', '.join(columns)} FROM grading_grade WHERE run_id = {run_id} "
            f"ORDER BY employer_id) TO STDOUT"
        )
        with cursor.cursor.copy(query) as copy:
            for data in copy:
                buffer += data
    starts = [first for first, _last in bounds]
    grouped: list[list[str]] = [[] for _ in bounds]
    prefix = f"{scratch_id}\t"
    for line in buffer.decode().splitlines():
        employer_id = int(line.split("\t", 1)[0])
        grouped[bisect.bisect_right(starts, employer_id) - 1].append(prefix + line + "\n")
    return grouped


def _drop_scratch(scratch_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM grading_grade WHERE run_id = %s", [scratch_id])
        cursor.execute("DELETE FROM grading_gradingrun WHERE id = %s", [scratch_id])


def _read_chunk(span, first: int, last: int) -> int:
    from django.db import connection, transaction

    from grading.facts import EmployerSelection, facts_sql, query_params, value_records_sql

    selection = EmployerSelection(first_id=first, last_id=last)
    params = query_params(span)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as grading.facts does
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(value_records_sql(selection), params)
        cursor.fetchall()
        cursor.execute(facts_sql(selection), params)
        return len(cursor.fetchall())


def step_aggregate(args) -> dict:
    """Floor, reads: the aggregate fact queries alone, every chunk, serially."""
    from grading import services
    from grading.windows import Span

    span = Span.for_cycle(YEAR)
    bounds = services._chunk_bounds(None, args.chunk_size)
    started = time.perf_counter()
    rows = sum(_read_chunk(span, first, last) for first, last in bounds)
    return {"seconds": time.perf_counter() - started, "rows": rows, "chunks": len(bounds)}


def step_write(args) -> dict:
    """Floor, writes: the very rows the full run wrote, COPYed again chunk by chunk, serially."""
    from django.db import transaction

    from grading import engine, services
    from grading.models import GradingRun

    source = GradingRun.objects.get(pk=args.run_id)
    scratch = _scratch_run(source, 1900, "benchmark floor (write)")
    grouped = _run_lines(source.pk, scratch.pk, services._chunk_bounds(None, args.chunk_size))
    started = time.perf_counter()
    for lines in grouped:
        with transaction.atomic():
            engine._copy_lines("grading_grade", engine.GRADE_COLUMNS, lines)
    elapsed = time.perf_counter() - started
    _drop_scratch(scratch.pk)
    return {"seconds": elapsed, "rows": sum(len(g) for g in grouped)}


def step_floor(args) -> dict:
    """The overlapped floor: a reader thread (its own connection) runs the fact queries of
    chunk i + 1 while this thread COPYs chunk i; chunk i is written once its facts are read —
    what the run's pipeline does, without evaluating anything."""
    from django.db import connections, transaction

    from grading import engine, services
    from grading.models import GradingRun
    from grading.windows import Span

    span = Span.for_cycle(YEAR)
    source = GradingRun.objects.get(pk=args.run_id)
    scratch = _scratch_run(source, 1902, "benchmark floor (overlapped)")
    bounds = services._chunk_bounds(None, args.chunk_size)
    grouped = _run_lines(source.pk, scratch.pk, bounds)
    ready: queue.Queue = queue.Queue(maxsize=2)

    def reader():
        try:
            for index, (first, last) in enumerate(bounds):
                _read_chunk(span, first, last)
                ready.put(index)
        finally:
            ready.put(None)
            connections.close_all()

    started = time.perf_counter()
    thread = threading.Thread(target=reader)
    thread.start()
    while (index := ready.get()) is not None:
        with transaction.atomic():
            engine._copy_lines("grading_grade", engine.GRADE_COLUMNS, grouped[index])
    thread.join()
    elapsed = time.perf_counter() - started
    _drop_scratch(scratch.pk)
    return {"seconds": elapsed}


def step_command(args) -> dict:
    """``manage.py regrade --cycle YEAR`` in this (child) process."""
    import io

    from django.core.management import call_command

    from grading.models import GradingRun

    out = io.StringIO()
    started = time.perf_counter()
    call_command("regrade", "--cycle", str(YEAR), "--chunk-size", str(args.chunk_size), stdout=out)
    wall = time.perf_counter() - started
    run = GradingRun.objects.filter(kind="cycle", cycle_year=YEAR, status="complete").latest("id")
    return {
        "seconds": run.duration.total_seconds(),
        "wall": wall,
        "run_id": run.pk,
        "output": out.getvalue(),
    }


def step_naive(args) -> dict:
    """Per employer: the ORM, facts in Python, evaluation, one INSERT — in one transaction
    (``--commit-each``: committing each employer, the old baseline)."""
    from django.db import transaction

    from credit_records.models import CreditRecord
    from employers.models import Employer
    from grading.assignments import Assignments
    from grading.facts import reference_facts
    from grading.models import Grade, GradingRun
    from grading.windows import Span

    span = Span.for_cycle(YEAR)
    sample_ids = json.loads(args.sample_ids)
    assignments = Assignments(span.as_of)
    source = GradingRun.objects.get(pk=args.run_id)
    run = _scratch_run(source, 1901, "benchmark naive")
    results = {}

    def loop():
        for employer_id in sample_ids:
            employer = Employer.objects.get(pk=employer_id)
            records = list(CreditRecord.objects.filter(employer=employer))
            facts = reference_facts(records, employer_kind=employer.kind, span=span)
            applicable = assignments.applicable(employer.jurisdiction_id, employer.kind)
            for ruleset in applicable.rulesets:
                evaluation = ruleset.evaluate(facts)
                Grade.objects.create(
                    run=run, employer=employer,
                    jurisdiction_id=applicable.grading_jurisdiction_id,
                    ruleset_code=ruleset.code, ruleset_version=ruleset.version, as_of=span.as_of,
                    cycle_year=1901, grade=evaluation.grade, rules=list(evaluation.rules),
                    facts=facts.to_json(include_span=False),
                )  # fmt: skip
                results[f"{employer_id}:{ruleset.code}"] = [
                    evaluation.grade,
                    list(evaluation.rules),
                ]

    started = time.perf_counter()
    if args.commit_each:
        loop()
    else:
        with transaction.atomic():
            loop()
    elapsed = time.perf_counter() - started
    engine_results = {
        f"{g.employer_id}:{g.ruleset_code}": [g.grade, g.rules]
        for g in Grade.objects.filter(run=source, employer_id__in=sample_ids)
    }
    agree = sum(1 for k, v in results.items() if engine_results.get(k) == v)
    _drop_scratch(run.pk)
    return {"seconds": elapsed, "employers": len(sample_ids), "agree": agree,
            "results": len(results)}  # fmt: skip


STEPS = {
    "aggregate": step_aggregate,
    "write": step_write,
    "floor": step_floor,
    "command": step_command,
    "naive": step_naive,
}


def run_step(bench_url: str, name: str, args, **extra) -> dict:
    """Run one step in a fresh child process; its result and its own peak memory."""
    env = {**os.environ, "DATABASE_URL": bench_url, "DJANGO_SETTINGS_MODULE": "config.settings.base",
           "DEBUG": "false"}  # fmt: skip
    command = [sys.executable, str(Path(__file__).resolve()), "--step", name,
               "--chunk-size", str(args.chunk_size)]  # fmt: skip
    for key, value in extra.items():
        if value is True:
            command.append(f"--{key.replace('_', '-')}")
        elif value is not None and value is not False:
            command += [f"--{key.replace('_', '-')}", str(value)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"step {name} failed:\n{result.stderr}")
    line = [x for x in result.stdout.splitlines() if x.startswith("BENCH_RESULT ")][-1]
    return json.loads(line[len("BENCH_RESULT ") :])


def child(args) -> None:
    import django

    django.setup()
    out = STEPS[args.step](args)
    out["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("BENCH_RESULT " + json.dumps(out, ensure_ascii=False))


def mib(step: dict) -> str:
    return f"{step['maxrss_mib']:,.0f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employers", type=int, default=1_000_000)
    parser.add_argument("--records-per-employer", type=int, default=5)
    parser.add_argument("--sample", type=int, default=2000, help="employers for the naive loop")
    parser.add_argument("--chunk-size", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use an existing benchmark database")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--run-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sample-ids", help=argparse.SUPPRESS)
    parser.add_argument("--commit-each", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        child(args)
        return

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
        cursor.execute("SELECT min(id), max(id) FROM employers_employer")
        low, high = cursor.fetchone()
    connection.close()
    print(f"{employers:,} employers, {records:,} records ({fixes:,} corrections and voids)")

    aggregate = run_step(bench_url, "aggregate", args)
    full = run_step(bench_url, "command", args)
    write = run_step(bench_url, "write", args, run_id=full["run_id"])
    floor = run_step(bench_url, "floor", args, run_id=full["run_id"])
    rng = random.Random(7)
    sample = sorted(rng.sample(range(low, high + 1), min(args.sample, employers)))
    naive = run_step(bench_url, "naive", args, run_id=full["run_id"], sample_ids=json.dumps(sample))
    few = sample[: max(1, len(sample) // 4)]
    naive_each = run_step(bench_url, "naive", args, run_id=full["run_id"],
                          sample_ids=json.dumps(few), commit_each=True)  # fmt: skip

    seconds = full["seconds"]
    per_naive = naive["seconds"] / naive["employers"]
    per_each = naive_each["seconds"] / naive_each["employers"]
    serial = aggregate["seconds"] + write["seconds"]
    print()
    print(f"| step (cycle {YEAR}, {employers:,} employers, {records:,} records, chunks of "
          f"{args.chunk_size:,}) | time | peak memory (max RSS) |")  # fmt: skip
    print("|---|---|---|")
    print(f"| floor: aggregate fact queries alone ({aggregate['rows']:,} rows, "
          f"{aggregate['chunks']} chunks) | {aggregate['seconds']:.2f} s | {mib(aggregate)} |")  # fmt: skip
    print(f"| floor: bulk write alone (COPY of the run's {write['rows']:,} rows) | "
          f"{write['seconds']:.2f} s | {mib(write)} |")  # fmt: skip
    print(f"| floor, serial (the two above added) | {serial:.2f} s | |")
    print(f"| **floor, overlapped as the run does** (reads of chunk i+1 during the write of "
          f"chunk i) | {floor['seconds']:.2f} s | {mib(floor)} |")  # fmt: skip
    print(f"| full regrade (the run's recorded duration) | {seconds:.2f} s | {mib(full)} |")
    print(f"| `manage.py regrade --cycle {YEAR}` in-process wall time | {full['wall']:.2f} s | |")
    print(f"| employers per second | {employers / seconds:,.0f} | |")
    print(f"| naive per-employer ORM loop in one transaction: {naive['employers']:,} employers | "
          f"{naive['seconds']:.2f} s ({per_naive * 1000:.2f} ms each; {per_naive * employers:,.0f} s "
          f"for {employers:,}) | {mib(naive)} |")  # fmt: skip
    print(f"| the same loop committing each employer: {naive_each['employers']:,} employers | "
          f"{naive_each['seconds']:.2f} s ({per_each * 1000:.2f} ms each) | {mib(naive_each)} |")  # fmt: skip
    print(f"| ratio full / overlapped floor (target ≤ 1.5) | {seconds / floor['seconds']:.2f} | |")
    print(f"| ratio full / serial floor | {seconds / serial:.2f} | |")
    print(f"| ratio naive (one transaction) / full (target ≥ 100) | "
          f"{per_naive * employers / seconds:,.0f} | |")  # fmt: skip
    print(f"| naive and full agree on the sample | {naive['agree']}/{naive['results']} | |")
    print()
    print(full["output"].strip())

    if not args.keep:
        recreate_database(url, drop_only=True)


if __name__ == "__main__":
    main()
