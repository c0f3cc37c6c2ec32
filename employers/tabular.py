"""Reading and writing the spreadsheets staff exchange with the system (SPEC §9).

Shared by every import (employers, credit records): CSV in UTF-8 with or without BOM or in
GB18030 (as saved by Chinese Excel), or XLSX, header row first; problems are reported as
``row N, column: message`` where N is the row number the user sees in the spreadsheet (the
header is row 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, encoding, missing columns)."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # spreadsheet row number: header = 1, first data row = 2
    column: str
    message: str

    def __str__(self):
        return f"row {self.row}, {self.column}: {self.message}"


def spreadsheet_row(dataset: tablib.Dataset, index: int) -> int:
    """The spreadsheet row number of the 1-based data row ``index``."""
    rows = getattr(dataset, "source_rows", None)
    return rows[index - 1] if rows and 0 < index <= len(rows) else index + 1


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self):
        return not self.problems

    def summary(self) -> str:
        verb = _("校验通过（未写入）") if self.dry_run else _("导入完成")
        return _(
            "%(verb)s：共 %(total)d 行，新增 %(created)d，更新 %(updated)d，未变化 %(skipped)d"
        ) % {
            "verb": verb,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
        }


SPREADSHEET_SUFFIXES = {".csv", ".xlsx"}


def decode_csv_bytes(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("无法识别文件编码：CSV 文件应为 UTF-8（可带 BOM）或 GB18030/GBK 编码")
        ) from None


def _clean_cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def read_dataset(
    data: bytes, filename: str, *, required: list[str], known: list[str]
) -> tablib.Dataset:
    """Parse an uploaded file into a Dataset with normalised headers and no blank rows."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        raise ImportFileError(
            _("不支持的文件类型“%(suffix)s”：请上传 .csv 或 .xlsx 文件")
            % {"suffix": suffix or filename}
        )
    rows: list[list]
    if suffix == ".csv":
        text = decode_csv_bytes(data)
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise ImportFileError(_("CSV 文件格式错误：%(error)s") % {"error": exc}) from None
    else:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise ImportFileError(_("无法读取 XLSX 文件：文件已损坏或不是 Excel 工作簿")) from None
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        workbook.close()
    if not rows:
        raise ImportFileError(_("文件为空：第 1 行应为表头"))
    headers = [str(h or "").strip().lstrip("\ufeff").lower() for h in rows[0]]
    # Trailing empty header cells (Excel leaves them) are dropped with their column.
    while headers and not headers[-1]:
        headers.pop()
    missing = [c for c in required if c not in headers]
    if missing:
        raise ImportFileError(
            _("缺少必需的列：%(cols)s（表头应为：%(known)s）")
            % {"cols": ", ".join(missing), "known": ",".join(known)}
        )
    unknown = [h for h in headers if h not in known]
    if unknown:
        raise ImportFileError(
            _("无法识别的列：%(cols)s（允许的列：%(known)s）")
            % {"cols": ", ".join(unknown), "known": ",".join(known)}
        )
    duplicates = sorted({h for h in headers if headers.count(h) > 1})
    if duplicates:
        raise ImportFileError(_("表头中有重复的列：%(cols)s") % {"cols": ", ".join(duplicates)})
    dataset = tablib.Dataset(headers=headers)
    # Blank lines are skipped; ``source_rows`` keeps each data row's spreadsheet row number so
    # problems are reported at the row the user sees.
    dataset.source_rows = []
    width = len(headers)
    for number, raw in enumerate(rows[1:], start=2):
        cells = [_clean_cell(v) for v in list(raw)[:width]]
        cells += [""] * (width - len(cells))
        if all(c == "" for c in cells):
            continue
        dataset.append(cells)
        dataset.source_rows.append(number)
    return dataset


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe (OWASP
    CSV injection): the text is kept, nothing is executed."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(headers: list[str], rows) -> bytes:
    """UTF-8 with BOM so Chinese Excel opens it correctly; formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([neutralise_formula("" if v is None else v) for v in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def xlsx_bytes(headers: list[str], rows, *, title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])

    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(sheet, value=h)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for v in row:
            cell = WriteOnlyCell(sheet, value="" if v is None else v)
            if isinstance(v, str):
                cell.data_type = "s"  # stored as text: "=…" is never a formula in XLSX
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
