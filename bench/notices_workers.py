"""Benchmark: the written-notices job on real Celery workers (issue 15: 100,000 notices on two
workers within 10 minutes), on the database ``bench/publication_scale.py`` made and kept.

    BENCH_DB=lc_notices_bench DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/publication_scale.py --employers 100000 --notices 10000 \
        --steps notices --keep
    BENCH_DB=lc_notices_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \
        .venv/bin/python bench/notices_workers.py [--concurrency 2]

It deletes the notices of the bench's 2023 cycle, starts one Celery worker with ``--concurrency``
prefork processes on the bench database, queues the job (the chunks go out as a chord, the last
one closes the job), waits for it, stops the worker and prints the time per notice, the projection
to 100,000 notices and the workers' CPU time and peak memory.
"""

import argparse
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    db = os.environ.get("BENCH_DB", "lc_notices_bench")
    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "PUBLICATION_PARALLEL_NOTICES": "true",
    }
    os.environ.update(env)
    import django

    django.setup()
    from grading.models import Cycle
    from publication import jobs
    from publication.models import CycleDocument, DocumentJob, WrittenNotice

    cycle = Cycle.objects.get(jurisdiction__code="jiaxian", year=2023, ruleset_code="jiaxian")
    WrittenNotice.objects.filter(cycle=cycle).delete()
    CycleDocument.objects.filter(cycle=cycle, kind="written_notice").delete()
    DocumentJob.objects.filter(cycle=cycle, kind="written_notices").delete()
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "-c", str(args.concurrency),
         "-P", "prefork", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(5)  # the worker's processes start (and load the fonts with the first chunk)
        job = DocumentJob.objects.create(cycle=cycle, kind="written_notices")
        load = os.getloadavg()[0]
        start = time.perf_counter()
        jobs.run(job.pk)  # sends the chord
        while True:
            job.refresh_from_db()
            if job.status in ("done", "failed"):
                break
            time.sleep(0.5)
        took = time.perf_counter() - start
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    made = WrittenNotice.objects.filter(cycle=cycle).count()
    print(
        f"job {job.status}: {made:,} notices in {took:.1f} s on {args.concurrency} worker "
        f"processes = {took / made * 1000:.1f} ms a notice → 100,000 in "
        f"{took / made * 100_000 / 60:.1f} min; workers' CPU {usage.ru_utime + usage.ru_stime:.1f} s"
        f" ({(usage.ru_utime + usage.ru_stime) / made * 1000:.1f} ms a notice), peak "
        f"{usage.ru_maxrss / 1024:.0f} MiB a process; load {load:.2f} → {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
