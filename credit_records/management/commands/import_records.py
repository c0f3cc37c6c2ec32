"""python manage.py import_records FILE [--dry-run]  (SPEC §9)

Columns: uscc,kind,date,end_date,case_no,document_no,severity,category,rectification,
performance,procedure,incident,level,value,result,source,summary (the first three required).
Exit status: 0 success, 1 data error (every problem on stderr as ``row N, column: message``,
nothing written), 2 usage error. Run from the command line the importer is the system.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from credit_records.services import import_records


class Command(BaseCommand):
    help = "导入信用记录（CSV 或 XLSX，全部校验通过才写入；重复导入不会重复写入）"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".csv（UTF-8/BOM/GB18030）或 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}", returncode=2)
        report = import_records(data=path.read_bytes(), filename=path.name, dry_run=dry_run)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            self.stderr.write(f"共 {len(report.problems)} 处错误，未写入任何数据。")
            sys.exit(1)
        self.stdout.write(report.summary())
