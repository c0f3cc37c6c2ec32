"""Benchmark: publishing, written notices, exports and the cycle overview at N employers, each
against the old simple way in the same run (issue 15). PostgreSQL.

Run by hand (not in CI):

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres .venv/bin/python bench/publication_scale.py
    # options: --employers 100000 (default; 444588 is the county of issue 15, 1000000 the target)
    #          --notices 2000 (employers told in writing, new way) --old-notices 100 (old way,
    #          sample extrapolated) --steps publish,notices,exports,overview --keep --reuse
    #          (--steps takes groups — also pages, documents, open-data — or single steps such
    #          as publish-new; --pdf-parts 3: the parts of the list PDF made by ``list-pdf``)

It creates a throwaway database ``lc_bench_scalepub`` (or ``$BENCH_DB``), migrates it and writes
N employers, a complete grading run and a final 郏县 2024 cycle (A 40 %, B 35 %, C 20 %, D 5 %, about 1 % of
employers ungraded, a few approved overrides) with bulk inserts, plus a 2023 cycle in public
notice whose first ``--notices`` employers are proposed C. Every measured step runs in a fresh
child process, which reports its wall time and its peak memory (``ru_maxrss``, the whole
process: Django itself takes about 90 MiB), so the figures of one step do not carry the memory
of another. The old ways are the code as it was before issue 15:

- publish (old): every row of ``cycle_results`` in a list, one ``bulk_create``, the outbox in one
  transaction (rolled back afterwards, so the new way publishes the same cycle);
- publish (new): ``services.publish`` queues the job; ``jobs.run`` writes it in chunks of 2,000;
- notices (old): one notice at a time, each stored and issued on its own (a sample,
  extrapolated) — the loop as it was, but its PDFs are now drawn by the same fpdf2 engine
  (``publication.notice_pdf``; the WeasyPrint engine is gone: issue 15 measured it at 208 ms a
  notice this way, and about 40 ms in batches); (new): the job, chunks of 200 notices, one PDF
  each; a second run (nothing changed) shows the content hash at work;
- exports: the employer list as the old view built it (``csv_bytes``/``xlsx_bytes``, the whole
  file in memory) and as the export job writes it (streamed CSV, write-only XLSX to a file);
  ``export_grades`` old (every row in a list, then the whole file) and new (streamed);
- overview: the cycle page's numbers by the old Python walk and by ``cycle_overview`` (SQL),
  and the count of the paged list exact (``COUNT(*)``) and estimated (planner).

Usage at the sizes of issue 15: ``--employers 444588`` (the county) and ``--employers 1000000``;
the notices step scales with ``--notices`` (100,000 for the issue's target).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regrade import recreate, with_db  # noqa: E402

BENCH_DB = os.environ.get("BENCH_DB", "lc_bench_scalepub")  # another name: runs side by side
YEAR = 2024


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the parent: database, children, table --------------------------------------------------------


def child(step: str, args, env) -> dict:
    cmd = [sys.executable, __file__, "--child", step, "--employers", str(args.employers)]
    cmd += ["--notices", str(args.notices), "--old-notices", str(args.old_notices)]
    cmd += ["--pdf-parts", str(args.pdf_parts)]
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"step {step} failed")
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"step {step} printed no result:\n{out.stdout}\n{out.stderr}")


STEPS = {
    "setup": ["setup"],
    "overview": ["overview-old", "overview-new"],
    "publish": ["publish-old", "publish-new"],
    "notices": ["notices-old", "notices-new", "notices-again"],
    "exports": [
        "export-csv-old", "export-csv-new", "export-xlsx-old", "export-xlsx-new",
        "grades-old", "grades-new",
    ],
    "pages": ["pages"],
    "documents": ["list-xlsx", "list-pdf"],
    "open-data": ["open-data-csv", "open-data-json"],
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employers", type=int, default=100_000)
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--old-notices", type=int, default=100)
    parser.add_argument("--steps", default="overview,publish,notices,exports")
    parser.add_argument("--pdf-parts", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        return run_child(args)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at a PostgreSQL server")
    media = tempfile.mkdtemp(prefix="bench-scalepub-media-")
    env = {
        **os.environ,
        "DATABASE_URL": with_db(url, BENCH_DB),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "CELERY_BROKER_URL": "",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": media,
    }
    # A group's name runs its steps; a step's own name (e.g. ``publish-new``) runs that step.
    steps = [s for group in args.steps.split(",") if group for s in STEPS.get(group, [group])]
    if not args.reuse:
        recreate(url, BENCH_DB)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        steps = ["setup", *steps]
    results = []
    try:
        for step in steps:
            result = child(step, args, env)
            results.append(result)
            print(
                f"{result['step']:<16} {result['seconds']:>9.2f} s {result['peak_mib']:>8.0f} MiB"
                f"  {result.get('note', '')}",
                flush=True,
            )
    finally:
        if not args.keep:
            recreate(url, BENCH_DB, drop_only=True)
    print(json.dumps(results, ensure_ascii=False))


# --- the children ---------------------------------------------------------------------------------


def run_child(args) -> None:
    import django

    django.setup()
    # The jobs queued after publishing (documents, exchange's distribution files) are other
    # benchmarks: not run here, in the old way or the new.
    import exchange.services
    import publication.services as services

    services._start_job = lambda job_id: None
    exchange.services._start = lambda job_id: None
    step = args.child
    started = time.perf_counter()
    note = globals()["step_" + step.replace("-", "_")](args)
    seconds = time.perf_counter() - started
    result = {"step": step, "seconds": seconds, "peak_mib": peak_mib(), "note": note or ""}
    print("RESULT " + json.dumps(result, ensure_ascii=False))


def _cycle(year=YEAR):
    from grading.models import Cycle

    return Cycle.objects.select_related("jurisdiction").get(
        jurisdiction__code="jiaxian", year=year, ruleset_code="jiaxian"
    )


def _publisher():
    from employers.models import User

    return User.objects.get(username="bench-publisher")


def step_setup(args) -> str:
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from employers.choices import Role
    from employers.models import Employer, Jurisdiction, User
    from employers.uscc import make_uscc
    from grading.choices import CycleStatus, OverrideStatus, RunKind, RunStatus
    from grading.models import Cycle, Grade, GradeOverride, GradingRun

    n = args.employers
    j = Jurisdiction.objects.get(code="jiaxian")
    User.objects.create_user(
        username="bench-publisher", password="x", role=Role.PUBLISHER, jurisdiction=j
    )
    inspector = User.objects.create_user(
        username="bench-inspector", password="x", role=Role.INSPECTOR, jurisdiction=j
    )
    supervisor = User.objects.create_user(
        username="bench-supervisor", password="x", role=Role.SUPERVISOR, jurisdiction=j
    )
    batch = []
    for i in range(n):
        batch.append(
            Employer(
                uscc=make_uscc(f"91410425MA{i:07d}"),
                name=f"郏县测试单位{i:07d}有限公司",
                kind="enterprise",
                jurisdiction=j,
                legal_rep="张三丰",
                phone="13812345678",
                address=f"郏县龙山街道{i}号",
                employees=10 + i % 500,
            )  # fmt: skip
        )
        if len(batch) == 5000:
            Employer.objects.bulk_create(batch)
            batch = []
    Employer.objects.bulk_create(batch)
    ids = list(Employer.objects.order_by("uscc").values_list("pk", flat=True))
    grades = ["A"] * 40 + ["B"] * 35 + ["C"] * 19 + ["D"] * 5 + [""]
    rules = {"A": ["jiaxian.A.1"], "B": ["jiaxian.B.1"], "C": ["jiaxian.C.1"], "D": ["jiaxian.D.1"]}
    for year, status in ((YEAR, CycleStatus.FINAL), (YEAR - 1, CycleStatus.PUBLIC_NOTICE)):
        run = GradingRun.objects.create(
            jurisdiction=j, kind=RunKind.CYCLE, cycle_year=year, as_of=dt.date(year, 12, 31),
            window_start=dt.date(year, 1, 1), window_end=dt.date(year, 12, 31),
            ruleset_versions={"jiaxian": "1"}, status=RunStatus.COMPLETE, is_current=True,
        )  # fmt: skip
        members = ids if year == YEAR else ids[: args.notices]
        rows = []
        for k, pk in enumerate(members):
            g = grades[k % len(grades)] if year == YEAR else "C"
            rows.append(
                Grade(
                    run=run,
                    employer_id=pk,
                    ruleset_code="jiaxian",
                    ruleset_version="1",
                    as_of=dt.date(year, 12, 31),
                    cycle_year=year,
                    grade=g,
                    rules=rules.get(g, []),
                    jurisdiction=j,
                )  # fmt: skip
            )
            if len(rows) == 5000:
                Grade.objects.bulk_create(rows)
                rows = []
        Grade.objects.bulk_create(rows)
        Cycle.objects.create(
            jurisdiction=j, ruleset_code="jiaxian", year=year, status=status, run=run,
            notice_start=dt.date(year + 1, 9, 29) if year != YEAR else None,
            notice_end=dt.date(year + 1, 10, 11) if year != YEAR else None,
        )  # fmt: skip
    # A few approved overrides (B → C) in the 2024 cycle.
    with transaction.atomic():
        for grade in Grade.objects.filter(cycle_year=YEAR, grade="B").order_by("pk")[:50]:
            GradeOverride.objects.create(
                grade=grade, proposed_grade="C", reason="bench", cited_rules=["jiaxian.C.1"],
                proposed_by=inspector, decided_by=supervisor, status=OverrideStatus.APPROVED,
                decided_at=timezone.now(),
            )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return f"{n:,} employers, cycle {YEAR} final, {args.notices:,} to be told in writing"


# --- overview ---


def step_overview_old(args) -> str:
    from collections import Counter

    from publication.results import cycle_rows

    rows = cycle_rows(_cycle())
    counts = Counter(r.final_grade for r in rows)
    overridden = sum(1 for r in rows if r.overridden)
    return f"old Python walk: {dict(counts)} overridden {overridden}"


def step_overview_new(args) -> str:
    from employers.paging import estimated_count
    from publication.selectors import cycle_overview, final_grades

    cycle = _cycle()
    t = time.perf_counter()
    overview = cycle_overview(cycle)
    sql = time.perf_counter() - t
    listed = final_grades(cycle)
    t = time.perf_counter()
    exact = listed.count()
    exact_s = time.perf_counter() - t
    t = time.perf_counter()
    estimate, is_exact = estimated_count(listed)
    estimate_s = time.perf_counter() - t
    return (
        f"SQL overview {sql * 1000:.0f} ms {dict(overview['grade_counts'])}; "
        f"page count exact {exact:,} in {exact_s * 1000:.0f} ms, "
        f"{'exact' if is_exact else 'estimate'} {estimate:,} in {estimate_s * 1000:.0f} ms"
    )


# --- publish ---


def step_publish_old(args) -> str:
    """The publish of before issue 15, in one transaction, rolled back at the end."""
    from django.db import transaction
    from django.utils import timezone

    from publication import hooks, outbox
    from publication.models import PublishedResult
    from publication.results import cycle_rows
    from publication.services import TOPIC_PUBLISHED, result_payload

    cycle = _cycle()
    with transaction.atomic():
        now = timezone.now()
        results = [
            PublishedResult(
                cycle=cycle,
                employer=row.employer,
                year=cycle.year,
                ruleset_code=cycle.ruleset_code,
                ruleset_version=row.grade.ruleset_version,
                name=row.employer.name,
                uscc=row.employer.uscc,
                grade=row.final_grade,
                rules=list(row.rules),
                computed_grade=row.computed_grade,
                grade_ref=row.grade.pk,
                kind=row.employer.kind,
                industry=row.employer.industry,
                street_name=row.employer.street.name if row.employer.street_id else "",
                published_at=now,
            )  # fmt: skip
            for row in cycle_rows(cycle)
            if row.final_grade
        ]
        PublishedResult.objects.bulk_create(results, batch_size=1000)
        outbox.enqueue_many(
            {
                "topic": TOPIC_PUBLISHED,
                "key": f"{r.uscc}:{r.ruleset_code}:{r.year}",
                "payload": result_payload(r, cycle),
                "jurisdiction_path": cycle.jurisdiction.path,
            }
            for r in results
        )
        hooks.results_published.send(sender=PublishedResult, cycle=cycle, results=results)
        written = len(results)
        transaction.set_rollback(True)
    return f"{written:,} results in one transaction (rolled back)"


def step_publish_new(args, cycle=None) -> str:
    from django.db import transaction

    from publication import jobs, services
    from publication.models import DocumentJob

    cycle = cycle or _cycle()
    t = time.perf_counter()
    with transaction.atomic():
        services.publish(cycle=cycle, actor=_publisher(), inline=False)
    request = time.perf_counter() - t
    job = DocumentJob.objects.filter(cycle=cycle, kind="publish").latest("id")
    jobs.run(job.pk)
    job.refresh_from_db()
    cycle.refresh_from_db()
    assert cycle.status == "published", cycle.status
    job.refresh_from_db()
    chunks = (job.heartbeat_at - job.started_at).total_seconds()
    last = (job.finished_at - job.heartbeat_at).total_seconds()
    return (
        f"request {request * 1000:.0f} ms; job {job.status}, {job.done:,} employers: "
        f"chunks {chunks:.0f} s, last step {last:.0f} s"
    )


def step_publish_copy(args) -> str:
    """The new way again, on the final copy of the pages step (the year after): a second
    publication of every employer, e.g. to measure a change to the job on the same data."""
    from grading.choices import CycleStatus

    if _cycle().status != CycleStatus.PUBLISHED:
        raise SystemExit("publish-copy needs the published 2024 cycle: run --steps publish first")
    return f"{YEAR + 1}: " + step_publish_new(args, _final_copy())


# --- notices ---


def step_notices_old(args) -> str:
    """One notice at a time, as before (a sample, in a rolled-back transaction); the PDF is
    drawn by today's engine (fpdf2), the WeasyPrint one being gone."""
    from django.db import transaction
    from django.utils import timezone

    from publication import documents
    from publication.jobs import _store, written_notice_for
    from publication.models import DocumentJob
    from publication.notices import issue_notice, notice_rows_between

    cycle = _cycle(YEAR - 1)
    rows = notice_rows_between(cycle, 0, None)[: args.old_notices]
    with transaction.atomic():
        job = DocumentJob.objects.create(cycle=cycle, kind="written_notices")
        issued_on = timezone.localdate()
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            for i, row in enumerate(rows):
                notice = written_notice_for(cycle, row, number=i + 1, issued_on=issued_on)
                path = documents.written_notice_pdf(notice, Path(tmp) / f"{i}.pdf")
                document = _store(
                    job, kind="written_notice", path=path, name=f"n-{i}.pdf",
                    employer=row.employer, rows=1,
                    meta={"grade": notice.grade, "grade_label": notice.grade_label,
                          "document_no": notice.document_no},
                )  # fmt: skip
                issue_notice(cycle=cycle, row=row, number=i + 1, document=document,
                             issued_on=issued_on)  # fmt: skip
            took = time.perf_counter() - t
        transaction.set_rollback(True)
    per = took / max(len(rows), 1)
    return (
        f"{len(rows)} notices, {per * 1000:.0f} ms each → {args.notices:,} would take "
        f"{per * args.notices:.0f} s"
    )


def _notices_job(args) -> str:
    from publication import jobs
    from publication.models import DocumentJob, WrittenNotice

    cycle = _cycle(YEAR - 1)
    before = WrittenNotice.objects.filter(cycle=cycle).count()
    job = DocumentJob.objects.create(cycle=cycle, kind="written_notices")
    t = time.perf_counter()
    jobs.run(job.pk)
    took = time.perf_counter() - t
    made = WrittenNotice.objects.filter(cycle=cycle).count() - before
    job.refresh_from_db()
    rate = f", {took / made * 1000:.0f} ms each" if made else ""
    return f"job {job.status}: {made:,} notices made, {job.done:,} employers checked{rate}"


def step_notices_new(args) -> str:
    return _notices_job(args)


def step_notices_again(args) -> str:
    return "nothing changed → " + _notices_job(args)


# --- exports ---


def _employers():
    from employers.models import Employer

    return Employer.objects.select_related("jurisdiction", "street").order_by("name", "pk")


def _export_old(fmt) -> str:
    from employers.export_jobs import employer_rows
    from employers.resources import EMPLOYER_COLUMNS
    from employers.tabular import csv_bytes, xlsx_bytes

    rows = employer_rows(_employers())
    body = (
        csv_bytes(EMPLOYER_COLUMNS, rows)
        if fmt == "csv"
        else xlsx_bytes(EMPLOYER_COLUMNS, rows, title="employers")
    )
    return f"whole file in memory, {len(body) / 2**20:.1f} MiB"


def _export_new(fmt) -> str:
    from employers import export_jobs
    from employers.models import ExportJob, User

    user = User.objects.get(username="bench-inspector")
    job = ExportJob.objects.create(format=fmt, params={"query": ""}, requested_by=user)
    export_jobs.run(job.pk)
    job.refresh_from_db()
    return f"job {job.status}, {job.done:,} rows, {job.file.size / 2**20:.1f} MiB"


def step_export_csv_old(args):
    return _export_old("csv")


def step_export_csv_new(args):
    return _export_new("csv")


def step_export_xlsx_old(args):
    return _export_old("xlsx")


def step_export_xlsx_new(args):
    return _export_new("xlsx")


def step_grades_old(args) -> str:
    from employers.tabular import csv_bytes
    from grading.management.commands.export_grades import COLUMNS
    from grading.selectors import cycle_results, cycles_for_year

    rows = [row for c in cycles_for_year(YEAR) if c.run_id for row in cycle_results(c)]
    body = csv_bytes(
        COLUMNS,
        (
            [r.employer.uscc, r.employer.name, r.employer.jurisdiction.code,
             r.grade.ruleset_code, r.final_grade, ";".join(r.rules)]
            for r in rows
        ),
    )  # fmt: skip
    return f"{len(rows):,} rows in a list, {len(body) / 2**20:.1f} MiB in memory"


def step_grades_new(args) -> str:
    import io

    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "grades.csv"
        call_command(
            "export_grades", "--cycle", str(YEAR), "--format", "csv", "--output", str(out),
            stdout=io.StringIO(),
        )  # fmt: skip
        return f"streamed to a file, {out.stat().st_size / 2**20:.1f} MiB"


# --- pages (the requests that start the jobs and show their progress) ---


def _final_copy():
    """A final cycle of every employer for the pages of an unpublished cycle once the 2024 cycle
    is published: the year after, its grade rows copied from 2024 by one INSERT … SELECT."""
    import datetime as dt

    from django.db import connection, transaction

    from grading.choices import CycleStatus, RunKind, RunStatus
    from grading.models import Cycle, Grade, GradingRun

    source = _cycle()
    year = YEAR + 1
    existing = Cycle.objects.filter(jurisdiction=source.jurisdiction, year=year).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        run = GradingRun.objects.create(
            jurisdiction=source.jurisdiction, kind=RunKind.CYCLE, cycle_year=year,
            as_of=dt.date(year, 12, 31), window_start=dt.date(year, 1, 1),
            window_end=dt.date(year, 12, 31), ruleset_versions={"jiaxian": "1"},
            status=RunStatus.COMPLETE, is_current=True,
        )  # fmt: skip
        columns = [
            f.column for f in Grade._meta.concrete_fields
            if f.name not in ("id", "run", "cycle_year", "as_of")
        ]  # fmt: skip
        listed = ", ".join(columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Grade._meta.db_table} (run_id, cycle_year, as_of, {listed}) "
                f"SELECT %s, %s, %s, {listed} FROM {Grade._meta.db_table} WHERE run_id = %s",
                [run.pk, year, dt.date(year, 12, 31), source.run_id],
            )
        cycle = Cycle.objects.create(
            jurisdiction=source.jurisdiction, ruleset_code="jiaxian", year=year,
            status=CycleStatus.FINAL, run=run,
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Grade._meta.db_table}")
    return cycle


def _rss_mib() -> float:
    """The current resident memory of this process (not the peak)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def step_pages(args) -> str:
    """Each page once (after one warm-up request), as the publisher (the employer pages as the
    inspector); the slowest is the figure for "no request over 2 s". The POST that starts an
    export is measured with the job's start stubbed (the job is the export step)."""
    from django.test import Client
    from django.urls import reverse

    import employers.export_jobs
    from grading.choices import CycleStatus
    from publication.models import DocumentJob

    employers.export_jobs._start = lambda job_id: None
    from employers.models import User

    # A new account is sent to change its password first (a redirect, not the page).
    User.objects.filter(username__startswith="bench-").update(must_change_password=False)
    cycle = _cycle()
    notice_cycle = _cycle(YEAR - 1)
    final = _final_copy() if cycle.status == CycleStatus.PUBLISHED else None
    publisher = Client()
    publisher.force_login(_publisher())
    inspector = Client()
    inspector.force_login(User.objects.get(username="bench-inspector"))
    publisher.get(reverse("publication:cycles"))  # warm-up: templates, translations
    detail = reverse("publication:cycle_detail", args=[cycle.pk])
    pages = [
        ("cycle list", publisher, "get", reverse("publication:cycles")),
        (f"cycle {cycle.status}", publisher, "get", detail),
        (f"cycle {cycle.status} p.2", publisher, "get", detail + "?page=2"),
        (f"cycle {cycle.status} p.10000", publisher, "get", detail + "?page=10000"),
        ("cycle public notice", publisher, "get",
         reverse("publication:cycle_detail", args=[notice_cycle.pk])),
        ("employer list", inspector, "get", reverse("employers:list")),
        ("employer export.csv", inspector, "get", reverse("employers:export", args=["csv"])),
        ("export start (POST)", inspector, "post",
         reverse("employers:export_start", args=["csv"])),
    ]  # fmt: skip
    if final is not None:
        copy = reverse("publication:cycle_detail", args=[final.pk])
        pages += [
            (f"cycle {final.status} (copy)", publisher, "get", copy),
            (f"cycle {final.status} (copy) p.10000", publisher, "get", copy + "?page=10000"),
        ]
    job = DocumentJob.objects.filter(cycle=cycle, kind="publish").order_by("-id").first()
    if job is not None:
        pages.append(
            ("job progress", publisher, "get", reverse("publication:job_progress", args=[job.pk]))
        )
    if cycle.status == CycleStatus.PUBLISHED:
        pages.append(("outbox", publisher, "get", reverse("publication:outbox")))
        for listed in (cycle, final):
            if listed is None or listed.status != CycleStatus.PUBLISHED:
                continue
            code, year = listed.jurisdiction.code, listed.year
            public = reverse("publication:public_list", args=[code, year])
            pages += [
                (f"public list {year}", Client(), "get", public),
                (f"public list {year} p.10000", Client(), "get", public + "?page=10000"),
            ]
    timings = []
    for label, client, method, url in pages:
        data = {"query": ""} if method == "post" else None
        t = time.perf_counter()
        response = getattr(client, method)(url, data)
        took = time.perf_counter() - t
        expected = 302 if method == "post" else 200  # the POST redirects to the job's page
        assert response.status_code == expected, (label, response.status_code)
        if label == "export start (POST)":
            job_url = response.url
            t = time.perf_counter()
            assert client.get(job_url).status_code == 200
            timings.append(("export job page", time.perf_counter() - t))
        timings.append((label, took))
    slowest = max(timings, key=lambda x: x[1])
    listed = "; ".join(f"{label} {s * 1000:.0f} ms" for label, s in timings)
    return f"slowest {slowest[0]} {slowest[1] * 1000:.0f} ms — {listed}"


# --- the published list's documents (the publication job's list PDF and XLSX) ---


def _published_cycle():
    from grading.choices import CycleStatus

    cycle = _cycle()
    if cycle.status != CycleStatus.PUBLISHED:
        raise SystemExit("the documents step needs the published cycle: run --steps publish first")
    return cycle


def step_list_xlsx(args) -> str:
    """The full list XLSX as the publication job writes it (write-only, streamed rows)."""
    from publication import documents
    from publication.jobs import iter_published_list_rows, list_title

    cycle = _published_cycle()
    with tempfile.TemporaryDirectory() as tmp:
        path = documents.list_xlsx(
            iter_published_list_rows(cycle), Path(tmp) / "list.xlsx", title=list_title(cycle)
        )
        size = path.stat().st_size
    return f"whole list, one write-only workbook, {size / 2**20:.1f} MiB"


def step_list_pdf(args) -> str:
    """The list PDF as the publication job writes it (parts of MAX_ROWS_PER_FILE rows, the rows
    streamed), for the first ``--pdf-parts`` parts only; the whole list is extrapolated."""
    from publication import documents
    from publication.jobs import iter_published_list_rows, list_title
    from publication.models import PublishedResult

    cycle = _published_cycle()
    count = PublishedResult.objects.filter(cycle=cycle).count()
    per = documents.MAX_ROWS_PER_FILE
    parts = min(args.pdf_parts, -(-count // per))
    marks = []
    t0 = time.perf_counter()

    def progress(done, total):
        marks.append((time.perf_counter() - t0, _rss_mib()))

    with tempfile.TemporaryDirectory() as tmp:
        paths = documents.grades_pdf(
            iter_published_list_rows(cycle), Path(tmp) / "list.pdf", title=list_title(cycle),
            subtitle=f"共 {count} 家", progress=progress, total=min(count, parts * per),
        )  # fmt: skip
        size = sum(p.stat().st_size for p in paths) / len(paths)
    first = marks[0][0]
    later = (marks[-1][0] - first) / max(len(marks) - 1, 1)
    whole = -(-count // per)
    rss = ", ".join(f"{m[1]:.0f}" for m in marks)
    return (
        f"{parts} parts of {per:,} rows: first {first:.1f} s (with the sorted read), then "
        f"{later:.1f} s each, {size / 2**20:.1f} MiB each; RSS after each part {rss} MiB; "
        f"the whole list = {whole} parts ≈ {(first + later * (whole - 1)) / 60:.0f} min"
    )


# --- the open data of the published list (exchange: a streamed response, no job) ---


def _open_data(fmt) -> str:
    from django.test import Client
    from django.urls import reverse

    cycle = _published_cycle()
    url = reverse(f"exchange:open_data_{fmt}", args=[cycle.jurisdiction.code, cycle.year])
    t = time.perf_counter()
    response = Client().get(url)
    first = None
    size = 0
    for chunk in response.streaming_content:
        if first is None:
            first = time.perf_counter() - t
        size += len(chunk)
    return (
        f"streamed response: first bytes after {first:.2f} s, "
        f"{size / 2**20:.1f} MiB in {time.perf_counter() - t:.1f} s"
    )


def step_open_data_csv(args) -> str:
    return _open_data("csv")


def step_open_data_json(args) -> str:
    return _open_data("json")


if __name__ == "__main__":
    main()
