"""The shape shared by the import commands of SPEC §9: FILE [--dry-run]; exit 0 on success,
1 on a data error (every problem on stderr as ``row N, column: message``, nothing written),
2 on a usage error."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class SpreadsheetImportCommand(BaseCommand):
    #: the service: (*, path, filename: str, dry_run: bool) -> ImportReport (streams the file)
    import_service = None

    def add_arguments(self, parser):
        parser.add_argument("file", help=".csv（UTF-8/BOM/GB18030）或 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}", returncode=2)
        report = type(self).import_service(path=path, filename=path.name, dry_run=dry_run)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            if report.unlisted_problems:
                self.stderr.write(f"……另有 {report.unlisted_problems} 处错误未列出。")
            self.stderr.write(f"共 {report.problem_count} 处错误，未写入任何数据。")
            sys.exit(1)
        self.stdout.write(report.summary())
