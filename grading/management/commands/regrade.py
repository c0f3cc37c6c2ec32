"""python manage.py regrade (--cycle YEAR | --as-of YYYY-MM-DD) [--jurisdiction CODE]  (SPEC §9)

--cycle YEAR      the annual cycle: as_of = YEAR-12-31, window = the calendar year; the results
                  are stored as the cycle's computed grades (open → computed).
--as-of DATE      the live grades as of DATE (window = the year ending on DATE); the nightly job
                  is ``--as-of`` today.
--jurisdiction    only employers of that jurisdiction and below (for --cycle: a jurisdiction
                  that grades, e.g. jiaxian or xuchang).
--incremental     (with --as-of, every employer) only the employers whose grade may have
                  changed since the last live run (grading.incremental); full when it cannot be
                  incremental (no earlier run, rule sets changed, a new year…). Not weekly.

Exit status: 0 success, 1 data error (reason on stderr), 2 usage error.
"""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from employers.models import Jurisdiction
from grading.choices import RunStatus
from grading.incremental import start_nightly_run
from grading.services import GradingError, drive_run, regrade


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”格式不正确，应为 YYYY-MM-DD", returncode=2) from None


class Command(BaseCommand):
    help = "计算年度评价等级（--cycle）或某日的动态等级（--as-of）"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--cycle", type=int, metavar="YEAR", help="评价年度，如 2024")
        group.add_argument("--as-of", metavar="YYYY-MM-DD", help="评价基准日（动态评价）")
        parser.add_argument("--jurisdiction", metavar="CODE", help="辖区代码，如 jiaxian")
        parser.add_argument("--chunk-size", type=int, default=None, help="每批单位数")
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="增量动态评价：只重新评价上次运行以来可能变化的单位（需 --as-of，不能与 --jurisdiction 同用）",
        )

    def fail(self, message: str):
        self.stderr.write(message)
        sys.exit(1)

    def handle(self, *args, cycle, as_of, jurisdiction, chunk_size, incremental=False, **options):
        today = timezone.localdate()
        as_of_date = iso_date(as_of) if as_of else None
        if chunk_size is not None and chunk_size < 1:
            raise CommandError("--chunk-size 必须为正整数", returncode=2)
        if cycle is not None and not (1994 <= cycle <= today.year):
            self.fail(f"评价年度“{cycle}”无效：应在 1994 至 {today.year} 之间")
        if as_of_date is not None and as_of_date > today:
            self.fail(f"评价基准日“{as_of_date}”晚于今天")
        scope = None
        if jurisdiction:
            scope = Jurisdiction.objects.filter(code=jurisdiction).first()
            if scope is None:
                self.fail(f"辖区代码“{jurisdiction}”不存在")
        if incremental and (as_of_date is None or scope is not None):
            raise CommandError("--incremental 只能与 --as-of 同用，且不能指定辖区", returncode=2)
        # Overlap database and Python work over extra connections (PostgreSQL only, and not
        # inside a caller's transaction, which other connections cannot see).
        pipelined = connection.vendor == "postgresql" and not connection.in_atomic_block
        try:
            if incremental:
                planned = start_nightly_run(as_of_date, weekly=False)
                run = drive_run(planned, pipelined=pipelined)
            else:
                run = regrade(
                    cycle=cycle,
                    as_of=as_of_date,
                    jurisdiction=scope,
                    chunk_size=chunk_size,
                    pipelined=pipelined,
                )
        except GradingError as exc:
            self.fail(str(exc))
        if run.status != RunStatus.COMPLETE:
            self.fail(f"评价运行 #{run.pk} 未完成：{run.error}")
        self.report(run)

    def report(self, run):
        counts = run.counts
        self.stdout.write(f"评价运行 #{run.pk} 完成：{run}（{run.get_mode_display()}）")
        if "full_reason" in counts or "candidates" in counts:
            self.stdout.write(
                f"增量评价候选单位 {counts['candidates']} 家"
                if "candidates" in counts
                else f"全量评价原因：{counts['full_reason']}"
            )
        self.stdout.write(
            f"基准日 {run.as_of}，评价期间 {run.window_start} 至 {run.window_end}，"
            f"评价办法版本 {run.ruleset_versions}"
        )
        self.stdout.write(
            f"用人单位 {counts.get('employers', 0)} 家，批次 {run.chunks_total}，"
            f"耗时 {run.duration.total_seconds():.2f} 秒"
        )
        for code, grades in counts.get("grades", {}).items():
            parts = "，".join(f"{g or '未评级'} {n}" for g, n in sorted(grades.items()))
            self.stdout.write(f"  {code}: {parts}")
        for skipped in counts.get("skipped_cycles", []):
            self.stdout.write(f"  已跳过（已进入复核或公示等阶段）：{skipped}")
