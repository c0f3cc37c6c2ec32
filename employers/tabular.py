"""Reading and writing the spreadsheets staff exchange with the system (SPEC §9).

Shared by every import (employers, credit records): CSV in UTF-8 with or without BOM or in
GB18030 (as saved by Chinese Excel), or XLSX, header row first; problems are reported as
``row N, column: message`` where N is the row number the user sees in the spreadsheet (the
header is row 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
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


# A file with more problems than this lists the first ones and counts the rest: a file that bad
# is the wrong file, and listing millions of problems would cost more memory than the import.
MAX_LISTED_PROBLEMS = 10_000


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False
    unlisted_problems: int = 0  # beyond MAX_LISTED_PROBLEMS

    @property
    def ok(self):
        return not self.problems

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.unlisted_problems

    def add_problem(self, problem: RowProblem) -> None:
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)
        else:
            self.unlisted_problems += 1

    def add_problems(self, problems) -> None:
        for problem in problems:
            self.add_problem(problem)

    def file_problem(self, exc: Exception) -> None:
        """The file as a whole could not be read: one problem, at the row it names."""
        self.add_problem(RowProblem(getattr(exc, "row", 1), "-", str(exc)))

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
BOM = b"\xef\xbb\xbf"


class EncodingMismatch(ImportFileError):
    """A CSV whose rows are not all in one encoding (e.g. UTF-8 rows pasted into a GB18030
    file): decoding it either way would turn some rows into mojibake, so it is refused."""

    def __init__(self, message, *, row: int):
        super().__init__(message)
        self.row = row


_ENCODING_NAMES = {"utf-8": "UTF-8", "gb18030": "GB18030（GBK）"}


_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def _has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


BOTH = frozenset({"utf-8", "gb18030"})
UTF8_ONLY = frozenset({"utf-8"})
GB_ONLY = frozenset({"gb18030"})


def _plausible_encodings(raw: bytes) -> frozenset[str]:
    """Which encodings a line's bytes can be in. Chinese text in UTF-8 is valid UTF-8 and reads
    as CJK; GB18030 bytes are almost never valid UTF-8, and when they happen to be they do not
    read as CJK — such a line could be either."""
    if raw.isascii():
        return BOTH
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and _has_cjk(text):
        return UTF8_ONLY
    try:
        raw.decode("gb18030")
        gb = True
    except UnicodeDecodeError:
        gb = False
    if text is not None:
        return BOTH if gb else UTF8_ONLY
    return GB_ONLY if gb else frozenset()


def _binary(source):
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source))
    if isinstance(source, str | Path):
        return open(source, "rb")  # noqa: SIM115 (closed by the caller's Table)
    return source


def _all_utf8(stream) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_csv_encoding(source) -> str:
    """One streaming pass over the raw lines: the file's encoding, "utf-8" or "gb18030".
    Raises ``EncodingMismatch`` naming the first row (as the spreadsheet counts rows) whose bytes
    are in another encoding than the rows before it, or ImportFileError for bytes in neither."""
    stream = _binary(source)
    try:
        if _all_utf8(stream):
            # Every byte is UTF-8: the row-by-row pass below could only conclude the same.
            return "utf-8"
        stream.seek(0)
        first = stream.read(3)
        bom = first == BOM
        if not bom:
            stream.seek(0)
        candidates = {"utf-8"} if bom else {"utf-8", "gb18030"}
        decided_at = 1 if bom else 0
        pending: list[set] = []

        def lines():
            # CSV structure (quotes, commas, line ends) is ASCII and never inside a multi-byte
            # character of either encoding, so Latin-1 finds the rows without decoding anything.
            for raw in stream:
                pending.append(_plausible_encodings(raw))
                yield raw.decode("latin-1")

        reader = csv.reader(lines())
        row = 0
        while True:
            try:
                next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise ImportFileError(_("CSV 文件格式错误：%(error)s") % {"error": exc}) from None
            row += 1
            plausible = frozenset.intersection(*pending) if pending else BOTH
            pending.clear()
            if not plausible:
                raise EncodingMismatch(
                    _(
                        "无法识别文件编码：第 %(row)d 行含有既不是 UTF-8 也不是 GB18030 的字节；"
                        "CSV 文件应为 UTF-8（可带 BOM）或 GB18030/GBK 编码"
                    )
                    % {"row": row},
                    row=row,
                )
            narrowed = candidates & plausible
            if not narrowed:
                before = _ENCODING_NAMES["utf-8" if "utf-8" in candidates else "gb18030"]
                here = _ENCODING_NAMES["utf-8" if "utf-8" in plausible else "gb18030"]
                raise EncodingMismatch(
                    _(
                        "第 %(row)d 行的编码（%(here)s）与前面的行（%(before)s，第 %(first)d 行起）"
                        "不一致：文件混用了两种编码，按任何一种读取都会产生乱码。请将整个文件另存为"
                        "同一种编码（建议 UTF-8）后重新上传。"
                    )
                    % {"row": row, "here": here, "before": before, "first": decided_at or row},
                    row=row,
                )
            if narrowed != candidates and not decided_at:
                decided_at = row
            candidates = narrowed
        return "utf-8" if "utf-8" in candidates else "gb18030"
    finally:
        if stream is not source:
            stream.close()
        elif hasattr(stream, "seek"):
            stream.seek(0)


def decode_csv_bytes(data: bytes) -> str:
    encoding = detect_csv_encoding(data)
    return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)


def _clean_cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


class Table:
    """A spreadsheet opened for streaming: ``headers`` (normalised) and ``rows()``, which yields
    ``(spreadsheet row number, cells)`` one row at a time, blank rows skipped. Nothing but the
    current row is held in memory. Use as a context manager (it closes the file)."""

    def __init__(self, headers, rows, closer):
        self.headers = headers
        self._rows = rows
        self._closer = closer

    def rows(self):
        width = len(self.headers)
        for number, raw in self._rows:
            cells = [_clean_cell(v) for v in list(raw)[:width]]
            cells += [""] * (width - len(cells))
            if all(c == "" for c in cells):
                continue
            yield number, cells

    def close(self):
        self._closer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _check_headers(raw_headers, *, required, known) -> list[str]:
    headers = [str(h or "").strip().lstrip("\ufeff").lower() for h in raw_headers]
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
    return headers


def open_table(source, filename: str, *, required: list[str], known: list[str]) -> Table:
    """Open an uploaded file (bytes, a path or a binary file) for streaming. Raises
    ImportFileError (``EncodingMismatch`` with the row) when the file as a whole cannot be read."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        raise ImportFileError(
            _("不支持的文件类型“%(suffix)s”：请上传 .csv 或 .xlsx 文件")
            % {"suffix": suffix or filename}
        )
    if suffix == ".csv":
        encoding = detect_csv_encoding(source)
        stream = _binary(source)
        text = io.TextIOWrapper(
            stream, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline=""
        )
        reader = csv.reader(text)

        def closer():
            text.detach()
            if stream is not source:
                stream.close()

        def numbered():
            number = 0
            try:
                for raw in reader:
                    number += 1
                    yield number, raw
            except csv.Error as exc:
                raise ImportFileError(
                    _("第 %(row)d 行 CSV 格式错误：%(error)s") % {"row": number + 1, "error": exc}
                ) from None

        rows = numbered()
    else:
        from openpyxl import load_workbook

        handle = _binary(source)
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception:
            if handle is not source:
                handle.close()
            raise ImportFileError(_("无法读取 XLSX 文件：文件已损坏或不是 Excel 工作簿")) from None
        sheet = workbook.worksheets[0]

        def closer():
            workbook.close()
            if handle is not source:
                handle.close()

        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    try:
        first = next(rows, None)
        if first is None:
            raise ImportFileError(_("文件为空：第 1 行应为表头"))
        headers = _check_headers(first[1], required=required, known=known)
    except BaseException:
        closer()
        raise
    return Table(headers, rows, closer)


def read_dataset(
    data: bytes, filename: str, *, required: list[str], known: list[str]
) -> tablib.Dataset:
    """The whole (small) file as a Dataset with normalised headers and no blank rows; each data
    row's spreadsheet row number in ``source_rows``. Large files: ``open_table``."""
    with open_table(data, filename, required=required, known=known) as table:
        dataset = tablib.Dataset(headers=table.headers)
        dataset.source_rows = []
        for number, cells in table.rows():
            dataset.append(cells)
            dataset.source_rows.append(number)
    return dataset


def dataset_of(headers, numbered_rows) -> tablib.Dataset:
    """A Dataset of one batch of ``(row number, cells)`` from ``Table.rows()``."""
    dataset = tablib.Dataset(headers=headers)
    dataset.source_rows = []
    for number, cells in numbered_rows:
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
    """The workbook of ``write_xlsx`` in memory (small exports answered in the request)."""
    out = io.BytesIO()
    write_xlsx(headers, rows, out, title=title)
    return out.getvalue()


# --- streamed writers (issue 15: exports of any size in constant memory) ------------------------
# ``csv_bytes``/``xlsx_bytes`` above build the whole file in memory (fine for a page of rows);
# these write row by row to a file or yield chunks, so a million rows cost no more memory than a
# hundred. Same bytes for CSV, same cells for XLSX (tests/employers/test_export_jobs.py).

CSV_BOM = b"\xef\xbb\xbf"


class _Line:
    """A write-only file for ``csv.writer`` that keeps the last line written."""

    value = ""

    def write(self, text):
        self.value = text


def csv_lines(headers: list[str], rows):
    """The CSV of ``csv_bytes`` as an iterator of byte strings: the BOM and header first, then
    one line per row (for a ``StreamingHttpResponse`` or a file)."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow(headers)
    yield CSV_BOM + line.value.encode("utf-8")
    for row in rows:
        writer.writerow([neutralise_formula("" if v is None else v) for v in row])
        yield line.value.encode("utf-8")


def write_csv(headers: list[str], rows, fh, *, progress=None, every: int = 2000) -> int:
    """Write the CSV of ``csv_bytes`` to the binary file ``fh`` row by row; returns the count of
    rows. ``progress(n)`` is called every ``every`` rows."""
    count = -1
    buffer = []
    for count, chunk in enumerate(csv_lines(headers, rows)):
        buffer.append(chunk)
        if len(buffer) >= 500:
            fh.write(b"".join(buffer))
            buffer = []
        if progress and count and count % every == 0:
            progress(count)
    fh.write(b"".join(buffer))
    return max(count, 0)


def write_xlsx(
    headers: list[str], rows, path, *, title: str = "Sheet1", progress=None, every: int = 2000
) -> int:
    """A workbook (bold header, every string stored as text: never a formula) written to
    ``path`` (a file name or a binary file object) with openpyxl's write-only mode (rows go to a
    temporary file as they come, never held as cells); returns the count of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(sheet, value=h)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        cells = []
        for v in row:
            cell = WriteOnlyCell(sheet, value="" if v is None else v)
            if isinstance(v, str):
                cell.data_type = "s"  # stored as text: "=…" is never a formula in XLSX
            cells.append(cell)
        sheet.append(cells)
        count += 1
        if progress and count % every == 0:
            progress(count)
    workbook.save(path)
    return count
