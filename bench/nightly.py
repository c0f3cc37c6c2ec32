"""Benchmark: the nightly live run — full vs incremental (1 % of the employers changed), the
check that they agree, and the Celery path with one and with two worker processes against the
command line, on the same data.

Run by hand (not in CI), on the database bench/regrade.py made and kept:

    BENCH_DB=lc_bench_regrade DATABASE_URL=postgres://postgres@127.0.0.1/postgres \
        .venv/bin/python bench/regrade.py --employers 200000 --keep
    BENCH_DB=lc_bench_regrade DATABASE_URL=postgres://postgres@127.0.0.1/postgres \
        CELERY_BROKER_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/nightly.py

Every step runs in a fresh child process and reports its own peak memory (max RSS); the Celery
workers' peak memory is their processes' VmHWM. Steps:

1. full live run as of D (``manage.py regrade --as-of D``), twice: the first creates every live
   grade, the second is the steady nightly state (an upsert that changes nothing);
2. 1 % of the employers get a new record; ``regrade --as-of D+1 --incremental``: the candidates
   (the changed employers and those whose records crossed a window edge in one day) and its time;
3. ``check_live_grades`` as of D+1: a full evaluation compared with the stored grades (must
   report no difference), and the full run as of D+1 for the ratio;
4. the Celery path (``grading.tasks.nightly_regrade``, full) with 1 worker process and 1 lane,
   2 worker processes and 2 lanes, and 1 process with one task per chunk (the path before the
   lanes); the run's duration as recorded (start to the finaliser's completion, which looks every
   5 s) and the compute time (start to the last chunk written).
"""

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from regrade import BENCH_DB, server_url, with_db  # noqa: E402

AS_OF = dt.date(2025, 6, 30)
NEXT = AS_OF + dt.timedelta(days=1)


def django_env(bench_url: str, **extra) -> dict:
    return {**os.environ, "DATABASE_URL": bench_url, "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "false", **extra}  # fmt: skip


def step(bench_url: str, *command: str) -> dict:
    """A management command in a fresh child process: wall time, output, peak memory."""
    code = (
        "import django, io, json, resource, sys, time\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "out, err = io.StringIO(), io.StringIO()\n"
        "t = time.perf_counter()\n"
        "status = 0\n"
        "try:\n"
        f"    call_command(*{list(command)!r}, stdout=out, stderr=err)\n"
        "except SystemExit as e:\n"
        "    status = e.code\n"
        "wall = time.perf_counter() - t\n"
        "print('BENCH_RESULT ' + json.dumps({'wall': wall, 'status': status, 'out': out.getvalue(),"
        " 'err': err.getvalue()[:2000],"
        " 'maxrss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=django_env(bench_url), capture_output=True,
        text=True,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"{command} failed:\n{result.stderr}")
    line = [x for x in result.stdout.splitlines() if x.startswith("BENCH_RESULT ")][-1]
    return json.loads(line[len("BENCH_RESULT ") :])


def latest_run():
    from grading.models import GradingRun

    return GradingRun.objects.filter(kind="live").latest("id")


def change_one_percent(cursor, seed: float = 0.17) -> int:
    cursor.execute("SELECT setseed(%s)", [seed])
    cursor.execute(
        """
        INSERT INTO credit_records_creditrecord (employer_id, kind, entry_type, reason, date,
            case_no, document_no, source, summary, department, severity, category, rectification,
            performance, procedure, level, value, result, created_at, prev_hash, entry_hash,
            mitigation, chain_version)
        SELECT id, 'violation', 'original', '', DATE '2025-06-20', '', '', '', '', '', 'general',
               'wages', 'not_rectified', '', '', '', '', '', now(), '', '', '', 1
        FROM employers_employer WHERE random() < 0.01
        """
    )
    return cursor.rowcount


def age_the_data(cursor) -> None:
    """A registry and a ledger are not created minutes before the nightly run, but generated
    data is: its entries would all count as new (``CREATED_MARGIN``). Data younger than a day
    is dated two days back (bench/regrade.py now generates it so; the ledger's append-only
    trigger is bypassed for this session only, as a superuser)."""
    cursor.execute("SELECT max(created_at) > now() - interval '1 day' FROM employers_employer")
    if not cursor.fetchone()[0]:
        return
    cursor.execute("SET session_replication_role = replica")
    cursor.execute(
        "UPDATE credit_records_creditrecord SET created_at = created_at - interval '2 days'"
    )
    cursor.execute(
        "UPDATE employers_employer SET created_at = created_at - interval '2 days', "
        "updated_at = updated_at - interval '2 days'"
    )
    cursor.execute("RESET session_replication_role")
    cursor.execute("VACUUM ANALYZE credit_records_creditrecord")
    cursor.execute("VACUUM ANALYZE employers_employer")
    print("dated the generated data two days back")


def children_hwm_mib(pid: int) -> float:
    """Peak memory (VmHWM) of a process and its children, the largest one."""
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    peak = 0.0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
    return peak


def celery_run(bench_url: str, broker: str, processes: int, lanes: int) -> dict:
    """Start a worker (``processes`` prefork processes), send the nightly task, wait."""
    from django.db import connection

    from grading.models import GradingRun

    env = django_env(bench_url, CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker,
                     GRADING_CELERY_LANES=str(lanes))  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", str(processes),
         "-P", "prefork", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"bench{processes}x{lanes}@%h", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(6)  # the worker boots
        before = GradingRun.objects.order_by("-id").values_list("id", flat=True).first() or 0
        code = (
            "import django; django.setup()\n"
            "from grading import tasks\n"
            f"tasks.nightly_regrade.delay(as_of={NEXT.isoformat()!r}, incremental=False)\n"
        )
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
        deadline = time.time() + 1800
        while time.time() < deadline:
            connection.close()
            run = GradingRun.objects.filter(id__gt=before).order_by("id").first()
            if run is not None and run.status != "running":
                break
            time.sleep(1)
        else:
            sys.exit("the Celery run did not finish")
        last = run.chunks.order_by("-finished_at").values_list("finished_at", flat=True).first()
        peak = children_hwm_mib(worker.pid)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
    return {
        "status": run.status,
        "duration": run.duration.total_seconds(),
        "compute": (last - run.started_at).total_seconds() if last else None,
        "chunks": run.chunks_total,
        "employers": run.counts.get("employers"),
        "peak_mib": peak,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-celery", action="store_true")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=25_000)
    args = parser.parse_args()
    bench_url = with_db(server_url(), BENCH_DB)
    os.environ["GRADING_CHUNK_SIZE"] = str(args.chunk_size)  # the command and the workers
    broker = os.environ.get("CELERY_BROKER_URL", "")
    os.environ.update(django_env(bench_url))
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM employers_employer")
        employers = cursor.fetchone()[0]
        age_the_data(cursor)
    rows = []

    def row(label, seconds, memory="", note=""):
        rows.append(f"| {label} | {seconds} | {memory} | {note} |")

    first = step(bench_url, "regrade", "--as-of", AS_OF.isoformat())
    row("full live run as of D, first (creates every live grade)",
        f"{latest_run().duration.total_seconds():.2f} s", f"{first['maxrss_mib']:,.0f} MiB")  # fmt: skip
    again = step(bench_url, "regrade", "--as-of", AS_OF.isoformat())
    full_d = latest_run().duration.total_seconds()
    row("full live run as of D, again (the steady nightly state)", f"{full_d:.2f} s",
        f"{again['maxrss_mib']:,.0f} MiB")  # fmt: skip
    with connection.cursor() as cursor:
        changed = change_one_percent(cursor)
    connection.close()
    inc = step(bench_url, "regrade", "--as-of", NEXT.isoformat(), "--incremental")
    run = latest_run()
    assert run.mode == "incremental", run.counts
    inc_s = run.duration.total_seconds()
    row(f"incremental run as of D+1, {changed:,} employers ({changed / employers:.1%}) with a "
        f"new record", f"{inc_s:.2f} s", f"{inc['maxrss_mib']:,.0f} MiB",
        f"{run.counts['candidates']:,} candidates (changed, or a record crossing an edge)")  # fmt: skip
    check = step(bench_url, "check_live_grades", "--as-of", NEXT.isoformat())
    row("check_live_grades as of D+1 (full evaluation compared, nothing written)",
        f"{check['wall']:.2f} s", f"{check['maxrss_mib']:,.0f} MiB",
        "agree" if check["status"] == 0 else f"DIFFER: {check['err'][:200]}")  # fmt: skip
    full_next = step(bench_url, "regrade", "--as-of", NEXT.isoformat())
    full_s = latest_run().duration.total_seconds()
    row("full live run as of D+1 (command line, pipelined)", f"{full_s:.2f} s",
        f"{full_next['maxrss_mib']:,.0f} MiB")  # fmt: skip
    row("**incremental / full**", f"{inc_s / full_s:.1%}", "", "target ≤ 10 %")

    if broker and not args.skip_celery:
        # Interleaved rounds (the machine is shared: its load changes from minute to minute).
        variants = (
            (1, 1, "Celery, 1 worker process, 1 lane"),
            (2, 2, "Celery, 2 worker processes, 2 lanes"),
            (1, 0, "Celery, 1 worker process, one task per chunk (no lanes)"),
        )
        results: dict = {"command": []}
        for _round in range(args.rounds):
            step(bench_url, "regrade", "--as-of", NEXT.isoformat())
            results["command"].append(latest_run().duration.total_seconds())
            for processes, lanes, _label in variants:
                results.setdefault((processes, lanes), []).append(
                    celery_run(bench_url, broker, processes, lanes)
                )
        command = min(results["command"])
        row(f"command line, full live run as of D+1 ({args.rounds} rounds, best)",
            f"{command:.2f} s", "", "rounds: " + ", ".join(f"{x:.2f}" for x in results["command"]))  # fmt: skip
        for processes, lanes, label in variants:
            runs = results[(processes, lanes)]
            best = min(runs, key=lambda r: r["compute"])
            row(f"{label}: full live run as of D+1 ({args.rounds} rounds, best)",
                f"{best['compute']:.2f} s", f"{max(r['peak_mib'] for r in runs):,.0f} MiB "
                "(largest process)",
                f"{best['compute'] / command:.2f}× the command; rounds (compute): "
                + ", ".join(f"{r['compute']:.2f}" for r in runs)
                + f"; recorded duration incl. the finaliser's 5 s looks {best['duration']:.2f} s; "
                f"{best['chunks']} chunks")  # fmt: skip

    print(f"\n| step ({employers:,} employers, D = {AS_OF}, chunks of {args.chunk_size:,}) | time "
          f"| peak memory | note |")  # fmt: skip
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
