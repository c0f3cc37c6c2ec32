"""python manage.py check_live_grades [--as-of YYYY-MM-DD] [--show N]

The check that an incremental and a full run agree (grading.incremental.compare_with_full):
every employer is evaluated as a full run would, as of DATE (default: the last live run's day),
and compared with the stored live grades. Writes nothing.

Exit status: 0 they agree, 1 they differ (the first differences on stderr), 2 usage error.
"""

import sys

from django.core.management.base import BaseCommand

from grading.incremental import compare_with_full

from .regrade import iso_date


class Command(BaseCommand):
    help = "核对动态等级：全量重新计算并与已存的动态等级比较（不写入）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="评价基准日（默认为最近一次动态评价）"
        )
        parser.add_argument("--show", type=int, default=20, help="最多列出多少处不一致")

    def handle(self, *args, as_of=None, show=20, **options):
        mismatches = compare_with_full(iso_date(as_of) if as_of else None)
        if not mismatches:
            self.stdout.write("动态等级与全量计算一致")
            return
        self.stderr.write(f"动态等级与全量计算有 {len(mismatches)} 处不一致：")
        for m in mismatches[:show]:
            self.stderr.write(
                f"  用人单位 #{m.employer_id} {m.ruleset_code}：已存 {m.stored}，应为 {m.computed}"
            )
        sys.exit(1)
