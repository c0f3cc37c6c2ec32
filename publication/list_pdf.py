"""One part (册) of the published results list drawn with fpdf2 (the list at a million employers).

The page is the one of the WeasyPrint template it replaces: A4 landscape, margins 16/14/16/14 mm;
on the first page the red head (the authority in Noto Serif CJK SC bold, red, over a red rule),
the title and the subtitle; on the later pages a running header, the authority on the left and
the title on the right in 8 pt grey; on every page the footer "第 N 页 共 M 页" centred. The table
(序号, 单位名称, 统一社会信用代码, 信用等级, optionally 评价单位) has its shaded bold header row
repeated on each page and a row is never split across pages; the last part ends with the note and
the authority and date right-aligned, kept together on one page.

The fonts, the line breaker (which keeps a USCC or a number whole) and the text written as CIDs
(``Identity-H``, extractable) are those of the written notices (``publication.notice_pdf``); the
text is written straight into the page's content stream, the footers (which need the number of
pages) once every page is drawn. ``bench/list_pdf.py`` measures it against WeasyPrint.

The wording is the official document's, in Chinese whatever the interface language is (like the
other documents, deliberately not translated).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from credit_records.periods import cn_date

from .notice_pdf import (
    BORDER,
    HEADER_FILL,
    PT,
    RED,
    TEXT,
    _install_fonts,
    _output,
    _Run,
    _Writer,
)

MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 16, 14, 16, 14
BODY_PT = 10
USCC_PT = 9
ROW_LINE = BODY_PT * 1.45 * PT  # "line-height: normal" of Noto Sans CJK
PAD_X, PAD_Y = 2.0, 1.1
GREY = (102, 102, 102)
SUBTITLE = (51, 51, 51)
NOTE = (68, 68, 68)
NUM_WIDTH, USCC_WIDTH, GRADE_WIDTH, UNIT_WIDTH = 14, 52, 26, 60
HEADER = ("序号", "单位名称", "统一社会信用代码", "信用等级", "评价单位")


@dataclass(frozen=True)
class Row:
    no: int
    name: str
    uscc: str
    grade_label: str
    unit: str = ""


class _List:
    def __init__(self, title: str, authority: str, show_unit: bool):
        from fpdf import FPDF

        pdf = self.pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
        pdf.set_auto_page_break(False, MARGIN_BOTTOM)  # the table breaks its own pages
        pdf.c_margin = 0
        _install_fonts(pdf)
        pdf.set_lang("zh-CN")
        pdf.set_creator("劳动保障守法诚信等级评价系统")
        pdf.set_title(title)
        self.w = _Writer(pdf)
        self.title, self.authority = title, authority
        self.width = pdf.w - MARGIN_LEFT - MARGIN_RIGHT
        self.bottom = pdf.h - MARGIN_BOTTOM
        self.show_unit = show_unit
        fixed = NUM_WIDTH + USCC_WIDTH + GRADE_WIDTH + (UNIT_WIDTH if show_unit else 0)
        # (width, font, size, centred) per column
        self.columns = [
            (NUM_WIDTH, BODY_PT, True),
            (self.width - fixed, BODY_PT, False),
            (USCC_WIDTH, USCC_PT, False),
            (GRADE_WIDTH, BODY_PT, True),
        ]
        if show_unit:
            self.columns.append((UNIT_WIDTH, BODY_PT, False))
        self.head = self._cells(HEADER[: len(self.columns)], "sansB", header=True)

    # --- text

    def line(self, text: str, size: float, height: float, *, font="sans", align="C", color=TEXT):
        """``text`` on lines of the text width from the current y, centred or right-aligned."""
        w, pdf = self.w, self.pdf
        for pieces in w.lines([_Run(text, font)], size=size, width=self.width):
            width = w.pieces_width(pieces, size)
            offset = (self.width - width) / 2 if align == "C" else self.width - width
            pdf.set_x(MARGIN_LEFT + (0 if align == "L" else offset))
            w.draw(pieces, size, height, color=color)
            pdf.ln(height)

    # --- the table

    def _cells(self, values: Sequence[str], font: str, header: bool = False):
        """Each cell's lines and the row's height."""
        lined = []
        for text, (width, size, _centred) in zip(values, self.columns, strict=False):
            size = BODY_PT if header else size
            lined.append(self.w.lines([_Run(text, font)], size=size, width=width - 2 * PAD_X))
        height = max(len(lines) for lines in lined) * ROW_LINE + 2 * PAD_Y
        return lined, height

    def _draw_row(self, cells, header: bool = False) -> None:
        lined, height = cells
        pdf, w = self.pdf, self.w
        top, x = pdf.get_y(), MARGIN_LEFT
        for lines, (width, size, centred) in zip(lined, self.columns, strict=False):
            size = BODY_PT if header else size
            pdf.rect(x, top, width, height, style="DF" if header else "D")
            y = top + (height - len(lines) * ROW_LINE) / 2  # vertically centred
            for pieces in lines:
                if centred:
                    pdf.set_xy(x + (width - w.pieces_width(pieces, size)) / 2, y)
                else:
                    pdf.set_xy(x + PAD_X, y)
                w.draw(pieces, size, ROW_LINE)
                y += ROW_LINE
            x += width
        pdf.set_xy(MARGIN_LEFT, top + height)

    def table(self, rows: Sequence[Row]) -> None:
        pdf = self.pdf
        pdf.set_line_width(0.6 * PT)
        pdf.set_draw_color(*BORDER)
        pdf.set_fill_color(*HEADER_FILL)
        head_height = self.head[1]
        for number, row in enumerate(rows):
            values = [str(row.no), row.name, row.uscc, row.grade_label]
            if self.show_unit:
                values.append(row.unit)
            cells = self._cells(values, "sans")
            need = cells[1] + (head_height if number == 0 else 0)
            if pdf.get_y() + need > self.bottom:
                pdf.add_page()
                self._draw_row(self.head, header=True)
            elif number == 0:
                self._draw_row(self.head, header=True)
            self._draw_row(cells)
        if not rows:
            self._draw_row(self.head, header=True)

    # --- the page's frame

    def first_page(self, subtitle: str) -> None:
        pdf = self.pdf
        pdf.add_page()
        if self.authority:
            head_line = 20 * 1.3 * PT
            w = self.w
            for pieces in w.lines([_Run(self.authority, "serifB")], size=20, width=self.width):
                chars = sum(len(t) for t, _ in pieces)
                width = w.pieces_width(pieces, 20) + 2 * PT * chars
                pdf.set_x(MARGIN_LEFT + max(0, (self.width - width) / 2))
                w.draw(pieces, 20, head_line, color=RED, spacing=2)
                pdf.ln(head_line)
            pdf.ln(3)
            pdf.set_draw_color(*RED)
            pdf.set_line_width(1.5 * PT)
            pdf.line(MARGIN_LEFT, pdf.get_y(), MARGIN_LEFT + self.width, pdf.get_y())
            pdf.ln(6)
        self.line(self.title, 16, 16 * 1.4 * PT, font="sansB")
        pdf.ln(2)
        self.line(subtitle, BODY_PT, ROW_LINE, color=SUBTITLE)
        pdf.ln(5)

    def closing(self, note: str, issued_on: dt.date | None) -> None:
        pdf, w = self.pdf, self.w
        note_size, sign_line = 8.5, BODY_PT * 1.8 * PT
        note_lines = w.lines([_Run(note)], size=note_size, width=self.width) if note else []
        need = (4 + len(note_lines) * note_size * 1.5 * PT if note else 0) + (
            10 + 2 * sign_line if self.authority else 0
        )
        if pdf.get_y() + need > self.bottom:
            pdf.add_page()
        if note:
            pdf.ln(4)
            self.line(note, note_size, note_size * 1.5 * PT, align="L", color=NOTE)
        if self.authority:
            pdf.ln(10)
            self.line(self.authority, BODY_PT, sign_line, align="R")
            self.line(cn_date(issued_on), BODY_PT, sign_line, align="R")

    def frames(self) -> None:
        """The running header (from page 2) and the footer of every page, drawn once the
        number of pages is known."""
        pdf, w = self.pdf, self.w
        last = pdf.page
        pages = len(pdf.pages)
        half = self.width / 2 - 4
        for page in range(1, pages + 1):
            pdf.page = page
            if page > 1:
                pdf.set_y(MARGIN_TOP - 8)
                for text, align in ((self.authority, "L"), (self.title, "R")):
                    if not text:
                        continue
                    [pieces, *_] = w.lines([_Run(text)], size=8, width=half)
                    width = w.pieces_width(pieces, 8)
                    left = MARGIN_LEFT if align == "L" else MARGIN_LEFT + self.width - width
                    pdf.set_x(left)
                    w.draw(pieces, 8, 4, color=GREY)
            pdf.set_y(pdf.h - MARGIN_BOTTOM + 4)
            self.line(f"第 {page} 页 共 {pages} 页", 9, 4)
        pdf.page = last


def list_part_pdf(
    rows: Sequence[Row],
    path: Path | str,
    *,
    title: str,
    subtitle: str,
    authority: str = "",
    issued_on: dt.date | None = None,
    note: str = "",
    show_unit: bool = False,
    last: bool = True,
) -> Path:
    """Write one part of the list; the note and the signature close the ``last`` part."""
    doc = _List(title, authority, show_unit)
    doc.first_page(subtitle)
    doc.table(rows)
    if last:
        doc.closing(note, issued_on)
    doc.frames()
    return _output(doc.pdf, Path(path))
