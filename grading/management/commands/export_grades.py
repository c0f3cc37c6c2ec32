"""python manage.py export_grades --cycle YEAR [--jurisdiction CODE] --format csv|xlsx|pdf
--output FILE  (SPEC §9)

CSV/XLSX columns ``uscc,name,jurisdiction,ruleset,grade,rules``: grade is the cycle's final
grade (an approved manual review, else the computed one), empty when not graded; rules are the
fired rule codes joined by ``;``. PDF is the publication list (publication.documents).

CSV and XLSX are written as they are read (issue 15: a million rows held 4.9 GiB): the rows come
from ``cycle_results`` (a chunked iterator) and go to the file row by row (``tabular.write_csv``,
openpyxl's write-only workbook), so memory stays flat whatever the number of employers. The PDF
too: the rows are counted first, then streamed into the list's parts of
``publication.documents.MAX_ROWS_PER_FILE`` rows, one part in memory at a time (a list of a
million rows held every employer object at once).

Exit status: 0 success, 1 data error (reason on stderr), 2 usage error.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from employers.models import Jurisdiction
from employers.tabular import write_csv, write_xlsx
from grading.selectors import cycle_grades, cycle_results, cycles_for_year

COLUMNS = ["uscc", "name", "jurisdiction", "ruleset", "grade", "rules"]


class Command(BaseCommand):
    help = "导出年度评价结果（CSV、XLSX 或 PDF）"

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, metavar="YEAR", help="评价年度")
        parser.add_argument("--jurisdiction", metavar="CODE", help="辖区代码")
        parser.add_argument("--format", required=True, choices=["csv", "xlsx", "pdf"])
        parser.add_argument("--output", required=True, metavar="FILE", help="输出文件")

    def fail(self, message: str):
        self.stderr.write(message)
        sys.exit(1)

    def handle(self, *args, cycle, jurisdiction, format, output, **options):
        scope = None
        if jurisdiction:
            scope = Jurisdiction.objects.filter(code=jurisdiction).first()
            if scope is None:
                self.fail(f"辖区代码“{jurisdiction}”不存在")
        cycles = [c for c in cycles_for_year(cycle, scope) if c.run_id]
        if not cycles:
            where = f"“{scope.name}”" if scope else ""
            self.fail(f"{where}没有 {cycle} 年度的评价结果（请先运行 regrade --cycle {cycle}）")
        path = Path(output)
        if not path.parent.exists():
            self.fail(f"输出目录不存在：{path.parent}")
        if format == "pdf":
            total = sum(cycle_grades(c).count() for c in cycles)
            rows = (row for c in cycles for row in cycle_results(c))
            try:
                self.write_pdf(rows, path, cycle, scope, cycles, total=total)
            finally:
                rows.close()  # the parts read ``total`` rows: close the database cursor now
            return
        table = (
            [
                r.employer.uscc,
                r.employer.name,
                r.employer.jurisdiction.code,
                r.grade.ruleset_code,
                r.final_grade,
                ";".join(r.rules),
            ]
            for c in cycles
            for r in cycle_results(c)
        )
        if format == "csv":
            with path.open("wb") as fh:
                count = write_csv(COLUMNS, table, fh)
        else:
            count = write_xlsx(COLUMNS, table, path, title=f"grades-{cycle}")
        self.stdout.write(f"已导出 {count} 条 {cycle} 年度评价结果到 {path}")

    def write_pdf(self, rows, path, year, scope, cycles, *, total: int):
        try:
            from publication.documents import grades_pdf
        except ImportError:
            self.fail(
                "PDF 导出需要 publication 应用（publication.documents.grades_pdf），当前不可用"
            )
        authority = (scope or cycles[0].jurisdiction).authority
        files = grades_pdf(
            rows,
            path,
            title=f"{year}年度劳动保障守法诚信等级评价结果",
            authority=authority,
            total=total,
        )
        self.stdout.write(f"已导出 {total} 条到 {', '.join(str(f) for f in files)}")
