"""The documents of a cycle (SPEC §8): the list PDF in official-document style, the full XLSX,
the 附件2 summary table of ``xuchang`` (seed 003 附件2), the report to the higher authority and the
written notices to C employers (书面告知, seed 002 四(二)).

Everything here is a pure function of plain rows → files; ``publication.jobs`` feeds it from the
database. The documents are official Chinese documents, so their wording is Chinese whatever the
interface language is (deliberately not translated).

The report is made with WeasyPrint from the templates in ``templates/publication/pdf/``. The font
is named explicitly — "Noto Sans CJK SC" from Debian's fonts-noto-cjk — so no page ever falls back
to a font without Chinese glyphs; pages are A4, the table header repeats on every page and the
footer reads "第 N 页 共 M 页".

The list and the written notices, made by the million and by the hundred thousand, are drawn with
fpdf2 instead (``publication.list_pdf`` and ``publication.notice_pdf``, issue 15): same fonts and
page, about 0.1 ms a row of the list (WeasyPrint: about 4 ms, ``bench/list_pdf.py``) and a few ms
a notice. A list longer than ``MAX_ROWS_PER_FILE`` rows is split into several files (册) so each
stays quick to open.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from credit_records.periods import cn_date

MAX_ROWS_PER_FILE = 2000
FONT_FAMILY = "Noto Sans CJK SC"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# 附件2 of seed 003, column for column.
ANNEX2_COLUMNS = [
    "机构名称",
    "统一社会信用代码",
    "信用等级",
    "失信情况",
    "查处情况",
    "是否选树为诚信机构典型",
    "选树原因",
    "评价单位",
    "备注",
]

LIST_XLSX_COLUMNS = [
    "序号",
    "单位名称",
    "统一社会信用代码",
    "信用等级",
    "单位类型",
    "行业",
    "乡镇街道",
    "适用规则",
    "评价单位",
]

Progress = Callable[[int, int], None]


def grade_label(grade: str) -> str:
    return f"{grade}级" if grade else "未评级"


def _css() -> str:
    return render_to_string("publication/pdf/_page.css")


def _write_pdf(html: str, path: Path) -> Path:
    from weasyprint import HTML

    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html).write_pdf(path)
    return path


def _write_list_part(rows, path: Path, **kwargs) -> Path:
    """One part of the list, drawn with fpdf2 (``publication.list_pdf``)."""
    from .list_pdf import list_part_pdf

    return list_part_pdf(rows, path, **kwargs)


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    name: str
    uscc: str
    grade: str
    unit: str = ""  # 评价单位, when one list covers several
    kind: str = ""
    industry: str = ""
    street: str = ""
    rules: tuple[str, ...] = ()


def as_list_row(row) -> ListRow:
    """Accept a ListRow, a mapping (name, uscc, grade …) or a result object with ``employer`` and
    ``final_grade``/``grade`` (e.g. a ``grading.selectors.cycle_results`` row)."""
    if isinstance(row, ListRow):
        return row
    if isinstance(row, Mapping):
        get = row.get
    else:

        def get(name, default=None):
            return getattr(row, name, default)

    employer = get("employer")
    name = get("name") or (employer.name if employer is not None else "")
    uscc = get("uscc") or (employer.uscc if employer is not None else "")
    grade = get("final_grade")
    if grade is None:
        grade = get("grade", "")
    rules = get("rules") or get("final_rules") or ()
    if isinstance(rules, str):
        rules = tuple(r for r in rules.split(";") if r)
    return ListRow(
        name=name,
        uscc=uscc,
        grade=grade or "",
        unit=get("unit", "") or "",
        kind=get("kind_label", "") or "",
        industry=get("industry_label", "") or "",
        street=get("street_name", "") or "",
        rules=tuple(rules),
    )


def part_paths(output_path: Path | str, parts: int) -> list[Path]:
    """One part: the path itself. Several: ``name-01.pdf`` … ``name-NN.pdf`` beside it."""
    output_path = Path(output_path)
    if parts <= 1:
        return [output_path]
    width = max(2, len(str(parts)))
    return [
        output_path.with_name(f"{output_path.stem}-{k:0{width}d}{output_path.suffix}")
        for k in range(1, parts + 1)
    ]


def grades_pdf(
    rows: Iterable,
    output_path: Path | str,
    *,
    title: str = "守法诚信等级评价结果名单",
    subtitle: str = "",
    authority: str = "",
    issued_on: dt.date | None = None,
    note: str = "",
    show_unit: bool = False,
    max_rows: int | None = None,
    progress: Progress | None = None,
    total: int | None = None,
    start_part: int = 1,
    on_part: Callable[[int, int, Path], None] | None = None,
) -> list[Path]:
    """Write the list (序号, 单位名称, 统一社会信用代码, 信用等级) as one PDF, or as several files
    of at most ``max_rows`` (default ``MAX_ROWS_PER_FILE``) rows each; returns the files written.

    With ``total`` (the number of rows, counted by the caller) ``rows`` is read as a stream, one
    part at a time, never held whole (issue 15); without it the rows are listed first.

    ``start_part`` k > 1 writes parts k … only (a run taking over from one that stored parts
    1 … k-1): ``rows`` then starts at the first row of part k. ``on_part(k, parts, path)`` is
    called as each part is written (to store it at once; a million rows are 500 parts).

    Used by ``manage.py export_grades --format pdf`` and by publication.
    """
    from itertools import islice

    from .list_pdf import Row as ListPdfRow

    max_rows = max_rows or MAX_ROWS_PER_FILE
    if total is None:
        rows = [as_list_row(r) for r in rows]
        total = len(rows)
    stream = iter(rows)
    parts = max(1, -(-total // max_rows))
    paths = part_paths(output_path, parts)
    issued_on = issued_on or timezone.localdate()
    written = []
    for k, path in enumerate(paths, start=1):
        if k < start_part:
            continue
        chunk = [as_list_row(r) for r in islice(stream, max_rows)]
        first = (k - 1) * max_rows + 1
        span = f"（第 {k} 册 共 {parts} 册，本册第 {first}—{first + len(chunk) - 1} 条）"
        _write_list_part(
            [
                ListPdfRow(first + i, r.name, r.uscc, grade_label(r.grade), r.unit)
                for i, r in enumerate(chunk)
            ],
            path,
            title=title,
            subtitle=(subtitle or f"共 {total} 家") + (span if parts > 1 else ""),
            authority=authority,
            issued_on=issued_on,
            note=note,
            show_unit=show_unit,
            last=k == parts,
        )
        written.append(path)
        if on_part:
            on_part(k, parts, path)
        if progress:
            progress(min(k * max_rows, total), total)
    return written


# --- spreadsheets -----------------------------------------------------------------------------


def _header_font():
    from openpyxl.styles import Font

    return Font(bold=True)


def list_xlsx(rows: Iterable, output_path: Path | str, *, title: str, authority: str = "") -> Path:
    """The full list in one workbook (no row limit), header row first."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="评价结果")
    for letter, width in zip("ABCDEFGHI", (6, 40, 22, 10, 18, 14, 14, 30, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    header = []
    for name in LIST_XLSX_COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = _header_font()
        header.append(cell)
    sheet.append(header)
    for no, row in enumerate((as_list_row(r) for r in rows), start=1):
        values = [
            no,
            row.name,
            row.uscc,
            grade_label(row.grade),
            row.kind,
            row.industry,
            row.street,
            "；".join(row.rules),
            row.unit or authority,
        ]
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text is never a formula
            cells.append(cell)
        sheet.append(cells)
    workbook.properties.title = title
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(output_path)
    return output_path


@dataclass(frozen=True)
class Annex2Row:
    name: str
    uscc: str
    grade: str
    dishonesty: str  # 失信情况
    enforcement: str  # 查处情况
    exemplary: bool  # 是否选树为诚信机构典型
    exemplary_reason: str  # 选树原因
    unit: str  # 评价单位
    remark: str = ""  # 备注


def annex2_xlsx(
    rows: Iterable[Annex2Row],
    output_path: Path | str,
    *,
    filled_by: str,
    filled_on: dt.date | None = None,
) -> Path:
    """附件2 人力资源服务机构信用等级评价汇总表 (seed 003 六(十)): title, 填报单位 and 填报时间, the
    nine columns exactly as the annex has them, then the signature line and the annex's note."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    filled_on = filled_on or timezone.localdate()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "附件2"
    width = len(ANNEX2_COLUMNS)
    sheet.append(["附件2"])
    sheet.append(["人力资源服务机构信用等级评价汇总表"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet["A2"].font = Font(bold=True, size=16)
    sheet["A2"].alignment = Alignment(horizontal="center")
    sheet.append(
        [f"填报单位（盖章）：{filled_by}"] + [""] * 5 + [f"填报时间：{cn_date(filled_on)}"]
    )
    sheet.append(ANNEX2_COLUMNS)
    header_row = sheet.max_row
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for row in rows:
        values = [
            row.name,
            row.uscc,
            f"{row.grade} 级" if row.grade else "未评级",
            row.dishonesty,
            row.enforcement,
            "是" if row.exemplary else "否",
            row.exemplary_reason,
            row.unit,
            row.remark,
        ]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                cell.data_type = "s"
    sheet.append([])
    sheet.append(["单位负责人：", "", "", "填表人：", "", "", "联系电话："])
    sheet.append(
        [
            "注：失信情况包括违反劳动保障法律法规、未遵守人力资源市场管理工作有关规定和要求、"
            "未履行信用承诺等方面的具体失信行为。查处情况包括责令限期整改、实施行政处罚等具体查处措施。"
        ]
    )
    sheet.merge_cells(
        start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width
    )
    for letter, col_width in zip("ABCDEFGHI", (32, 22, 10, 40, 40, 12, 24, 28, 16), strict=True):
        sheet.column_dimensions[letter].width = col_width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(output_path)
    return output_path


# --- report to the higher authority -----------------------------------------------------------


@dataclass
class CountTable:
    """Counts per grade for each value of one dimension (street, kind, industry)."""

    dimension: str
    rows: list[tuple[str, dict[str, int], int]] = field(default_factory=list)


@dataclass
class AuthorityReport:
    title: str
    authority: str
    year: int
    grades: tuple[str, ...]
    totals: dict[str, int]
    ungraded: int
    tables: list[CountTable]
    issued_on: dt.date
    notes: list[str] = field(default_factory=list)

    @property
    def graded(self) -> int:
        return sum(self.totals.values())

    def share(self, grade: str) -> str:
        return f"{100 * self.totals.get(grade, 0) / self.graded:.1f}%" if self.graded else "—"

    @property
    def shares(self) -> dict[str, str]:
        return {g: self.share(g) for g in self.grades}


def build_report(
    rows: Iterable[ListRow],
    *,
    title: str,
    authority: str,
    year: int,
    grades: tuple[str, ...],
    issued_on: dt.date | None = None,
    notes: Iterable[str] = (),
) -> AuthorityReport:
    """Counts by grade, and by grade per street, kind and industry (ungraded rows counted apart)."""
    totals: Counter = Counter()
    per: dict[str, dict[str, Counter]] = {"乡镇街道": {}, "单位类型": {}, "行业": {}}
    ungraded = 0
    for row in rows:
        if not row.grade:
            ungraded += 1
            continue
        totals[row.grade] += 1
        for dimension, value in (
            ("乡镇街道", row.street or "（未填写）"),
            ("单位类型", row.kind or "（未填写）"),
            ("行业", row.industry or "（未填写）"),
        ):
            per[dimension].setdefault(value, Counter())[row.grade] += 1
    tables = []
    for dimension, values in per.items():
        table = CountTable(dimension)
        for value, counts in sorted(values.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
            table.rows.append((value, {g: counts.get(g, 0) for g in grades}, sum(counts.values())))
        tables.append(table)
    return AuthorityReport(
        title=title,
        authority=authority,
        year=year,
        grades=grades,
        totals={g: totals.get(g, 0) for g in grades},
        ungraded=ungraded,
        tables=tables,
        issued_on=issued_on or timezone.localdate(),
        notes=list(notes),
    )


def report_pdf(report: AuthorityReport, output_path: Path | str) -> Path:
    html = render_to_string("publication/pdf/report.html", {"css": _css(), "report": report})
    return _write_pdf(html, Path(output_path))


def report_xlsx(report: AuthorityReport, output_path: Path | str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    summary = workbook.active
    summary.title = "等级分布"
    summary.append([report.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["信用等级", "单位数", "占比"])
    for grade in report.grades:
        summary.append([grade_label(grade), report.totals[grade], report.share(grade)])
    summary.append(["合计（已评级）", report.graded, "100%" if report.graded else "—"])
    summary.append(["未评级", report.ungraded, ""])
    for table in report.tables:
        sheet = workbook.create_sheet(title=f"按{table.dimension}"[:31])
        sheet.append([table.dimension] + [grade_label(g) for g in report.grades] + ["合计"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for value, counts, total in table.rows:
            sheet.append([value] + [counts[g] for g in report.grades] + [total])
        sheet.column_dimensions["A"].width = 24
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(output_path)
    return output_path


# --- written notice to a C employer (书面告知) --------------------------------------------------


@dataclass(frozen=True)
class FiredRule:
    code: str  # internal: never printed (SPEC §8 [r2])
    article: str
    text: str


@dataclass(frozen=True)
class WrittenNotice:
    """What a written notice says (SPEC §8 [r2]). Its basis is the final proposed grade: the
    rules' articles and texts — after an approved override, the override's reason and the
    articles it cites. No internal rule code is printed."""

    employer_name: str
    uscc: str
    year: int
    grade: str
    grade_label: str
    authority: str
    ruleset_title: str
    ruleset_document: str
    rules: tuple[FiredRule, ...]
    measures: tuple[tuple[str, str], ...]  # (text, article)
    issued_on: dt.date
    document_no: str
    objection_url: str = ""
    override_reason: str = ""  # an approved manual review changed the grade: why
    computed_grade_label: str = ""  # the grade before that review
    notice_title: str = ""  # the public notice (公示) it belongs to
    notice_document_no: str = ""
    notice_start: dt.date | None = None
    notice_end: dt.date | None = None
    contact: str = ""


def written_notice_pdf(notice: WrittenNotice, output_path: Path | str) -> Path:
    """The written notice as a PDF, drawn with fpdf2 (``publication.notice_pdf``)."""
    from . import notice_pdf

    return notice_pdf.notice_pdf(notice, Path(output_path))


def written_notice_pdfs(notices: list[WrittenNotice], output_paths: list[Path]) -> list[Path]:
    """Many written notices, one PDF each (issue 15). Each is drawn on its own with fpdf2 —
    the fonts parsed once per process, each file's font subset made by HarfBuzz in a few ms
    (``publication.notice_pdf``) — so a notice in a batch is the very same file as the notice
    made alone, and nothing needs splitting afterwards."""
    from . import notice_pdf

    if len(notices) != len(output_paths):
        raise ValueError("one path per notice")
    return notice_pdf.notice_pdfs(notices, [Path(p) for p in output_paths])
