"""Benchmark: peak memory and time of the import jobs' check and write (issue 14, item 7).

Run by hand (not in CI):

    DATABASE_URL=postgres://postgres@127.0.0.1/postgres .venv/bin/python bench/import_memory.py
    # options: --rows 350000 --employers 50000 --keep

Creates a throwaway database ``lc_bench_memory``, its employers, a records CSV of ROWS rows and an
employers CSV of ROWS rows; then, each in a fresh process (so the peak is that step's alone),
runs the same code as the import job's tasks: the records check (dry run), the records write,
the employers check and the employers write. Prints the wall time and the peak resident memory
(max RSS) of each. The database is dropped unless --keep.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BENCH_DB = "lc_bench_memory"
OUT = ROOT / "bench" / "out"


def child(step: str, path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from credit_records.signals import records_imported

    records_imported.receivers = []  # grading's regrade is a task of its own, measured elsewhere
    from credit_records.services import import_records
    from employers.services import import_employers

    service = import_records if step.startswith("records") else import_employers
    started = time.perf_counter()
    report = service(path=Path(path), filename=Path(path).name, dry_run=step.endswith("check"))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    status = "ok" if report.ok else f"{report.problem_count} problems: {report.problems[:3]}"
    print(
        f"{step:<16} {report.total:>9,} rows  created {report.created:>9,}  "
        f"updated {report.updated:>9,}  {elapsed:7.1f} s  peak {peak:6.0f} MiB  {status}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=350_000)
    parser.add_argument("--employers", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--only", choices=["records", "employers"], help="run one import only")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "PATH"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    import import_records as bench_records  # bench/import_records.py: CSV generator

    url = bench_records.server_url()
    bench_records.BENCH_DB = BENCH_DB
    bench_records.recreate_database(url)
    env = {**os.environ, "DATABASE_URL": bench_records.with_db(url, BENCH_DB)}
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command

    from employers.models import Employer, Jurisdiction
    from employers.uscc import make_uscc

    try:
        call_command("migrate", verbosity=0)
        jiaxian = Jurisdiction.objects.get(code="jiaxian")
        usccs = [make_uscc(f"91410425MA{n:07d}") for n in range(1, args.employers + 1)]
        Employer.objects.bulk_create(
            [
                Employer(uscc=u, name=f"基准测试单位{n}", kind="enterprise", jurisdiction=jiaxian)
                for n, u in enumerate(usccs, 1)
            ],
            batch_size=5000,
        )
        OUT.mkdir(parents=True, exist_ok=True)
        records = OUT / "memory-records.csv"
        bench_records.write_csv(records, usccs, args.rows)
        employers = OUT / "memory-employers.csv"
        with employers.open("w", encoding="utf-8") as fh:
            fh.write("uscc,name,kind,jurisdiction,industry,employees\n")
            for n in range(1, args.rows + 1):
                uscc = make_uscc(f"91410425MB{n:07d}")
                fh.write(f"{uscc},基准导入单位{n}有限公司,企业,jiaxian,制造业,{n % 500}\n")
        print(
            f"records file {records.stat().st_size / 1e6:.0f} MB, "
            f"employers file {employers.stat().st_size / 1e6:.0f} MB, {args.rows:,} rows each"
        )
        for step, path in [
            ("records-check", records),
            ("records-write", records),
            ("employers-check", employers),
            ("employers-write", employers),
        ]:
            if args.only and not step.startswith(args.only):
                continue
            subprocess.run(
                [sys.executable, __file__, "--child", step, str(path)], env=env, check=True
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            bench_records.recreate_database(url, drop_only=True)


if __name__ == "__main__":
    main()
