"""The written notice to a C/D employer (书面告知书, SPEC §8 [r2]) drawn with fpdf2 (issue 15).

One PDF per notice, drawn directly — no HTML, no layout engine, no splitting — so a notice made
in a batch is the same file as the notice made alone. The page is the one the WeasyPrint
template had: A4 portrait, margins 22/22/20/22 mm, the red head (the authority in Noto Serif CJK
SC bold, red, over a red rule), 11 pt Noto Sans CJK SC with paragraphs indented two characters,
bordered tables with a shaded bold header row repeated on a new page, the closing block kept on
one page. No internal rule code is ever printed.

What makes it cheap (``bench/notices_render.py``: about 5–7 ms of CPU a notice):

- Text is broken into lines here (``_Writer.lines``: by character, as Chinese is, but keeping a
  USCC, a number or a date whole and no closing mark at a line's start) and written straight
  into the page's content stream; fpdf2's ``cell``/``multi_cell``/``table`` cost several times
  the rest of the notice.
- The fonts are read once per process (``_font``) and lean: the descriptor from the font's small
  tables, each character's glyph and width from HarfBuzz when first met. fpdf2's own reading
  parses the cmap and widths of all 65,535 glyphs (0.3 s and about 35 MiB a font).
- The subset embedded in each file is made by HarfBuzz (``uharfbuzz``): from a face of the
  common characters (GB 2312 and the punctuation) preprocessed once, 0.3 ms; from the whole
  font for a name with a rarer character, a few ms; the bold and serif fonts print the same
  words on every notice and their subsets come from a small cache. fpdf2 would subset with
  fontTools, which interprets every charstring in Python (0.3–0.7 s a font). The fonts are
  CID-keyed CFF whose CIDs are their glyph ids; the text is written as CIDs (``Identity-H``)
  with a ToUnicode map, so it is extractable and searchable.
- The font programs are stored undeflated (deflating a CJK subset gains 8 % for a quarter of
  the notice's time).

Hooks into fpdf2 (its version is pinned to 2.8.x in pyproject.toml): a ``TTFFont`` built here,
a ``SubsetMap`` whose codes are CIDs, and an ``OutputProducer`` whose font subsetting is
HarfBuzz's (``_producer_class``). ``tests/publication/test_notice_pdf.py`` checks the fonts
embedded hold every glyph drawn.

The wording is the official document's, in Chinese whatever the interface language is (like the
other documents, deliberately not translated).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from credit_records.periods import cn_date

if TYPE_CHECKING:
    from .documents import WrittenNotice

# Debian's fonts-noto-cjk; looked up with fontconfig first (``_font_file``).
FONT_FILES = {
    "sans": (
        "Noto Sans CJK SC:style=Regular",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ),
    "sansB": ("Noto Sans CJK SC:style=Bold", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    "serifB": (
        "Noto Serif CJK SC:style=Bold",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    ),
}
FAMILIES = {"sans": "Noto Sans CJK SC", "sansB": "Noto Sans CJK SC", "serifB": "Noto Serif CJK SC"}

PT = 25.4 / 72  # one point in mm
MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM = 22, 22, 22, 20
BODY_PT = 11
LINE = BODY_PT * 1.6 * PT  # line-height 1.6
PARA_GAP = 2.5
INDENT = 2 * BODY_PT * PT  # two characters
TABLE_PT = 10
TABLE_LINE = TABLE_PT * 1.5 * PT
ARTICLE_WIDTH = 42
RED = (204, 0, 0)
HEADER_FILL = (238, 241, 245)
BORDER = (85, 85, 85)
TEXT = (17, 17, 17)
SUBSET_CACHE = 32  # font subsets kept per font (a few tens of KiB each)

# A line never starts with these (closing punctuation) nor ends with the opening ones.
_NO_START = set("，。、；：？！）》」』】〕”’）%,.;:?!)]}·—…")
_NO_END = set("（《「『【〔“‘([{")


# --- fonts -------------------------------------------------------------------------------------


def _font_file(key: str) -> tuple[str, int]:
    """The file and collection index of a font: fontconfig's answer when it names the right
    family, else the Debian path (index 2 = SC in Noto's CJK collections)."""
    pattern, fallback = FONT_FILES[key]
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{file}|%{index}|%{style}|%{family}", pattern],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            ).stdout
            path, index, style, family = out.split("|", 3)
            bold = "Bold" in style.split(",")
            if FAMILIES[key] in family.split(",") and bold == key.endswith("B"):
                return path, int(index)
        except (OSError, ValueError, subprocess.SubprocessError):
            pass
    return fallback, 2


class _HbFont:
    """Stands in for fpdf2's fontTools ``TTFont`` at output time: the subset is HarfBuzz's."""

    def __init__(self, proto: _ProtoFont):
        self.proto = proto
        self.cff = b""

    def __contains__(self, tag):
        return tag == "CFF "

    def __getitem__(self, tag):
        if tag != "CFF ":
            raise KeyError(tag)
        return self

    def compile(self, _font) -> bytes:  # font.ttfont["CFF "].compile(font.ttfont)
        return self.cff

    def getGlyphID(self, name: str) -> int:  # noqa: N802 (fontTools' name)
        return _cid(name)  # CID = glyph id in these fonts (checked by ``_font``)

    def save(self, _stream) -> None:  # the whole sfnt is not embedded, only its CFF table
        pass

    def close(self) -> None:
        pass

    def subset(self, glyph_names) -> None:
        """The CFF of the glyphs named, made by HarfBuzz — or the one made last time for the
        same glyphs (the bold and the serif fonts print the same words on every notice)."""
        import uharfbuzz as hb

        gids = frozenset([0, *(_cid(name) for name in glyph_names)])
        proto = self.proto
        with proto.lock:
            cff = proto.subsets.get(gids)
            if cff is None:
                plan = hb.SubsetInput()
                plan.flags = hb.SubsetFlags(
                    hb.SubsetFlags.NO_LAYOUT_CLOSURE
                    | hb.SubsetFlags.NO_HINTING
                    | hb.SubsetFlags.NOTDEF_OUTLINE
                )
                for gid in gids:
                    plan.glyph_set.add(gid)
                # the common characters' face when it has them all (0.3 ms), else the whole
                # font's (about 5 ms)
                fast = proto.fast_face is not None and all(proto.fast_gids[g] for g in gids)
                face = proto.fast_face if fast else proto.hb_face
                cff = hb.subset(face, plan).reference_table("CFF ").data
                if len(proto.subsets) >= SUBSET_CACHE:
                    proto.subsets.pop(next(iter(proto.subsets)))
                proto.subsets[gids] = cff
        self.cff = cff


class _Subsetter:
    """``fontTools.subset.Subsetter`` as fpdf2 calls it; our fonts go to HarfBuzz, any other
    font to fontTools."""

    def __init__(self, options=None):
        from fontTools import subset

        self._real = subset.Subsetter(options)
        self._glyphs = ()

    def populate(self, glyphs=(), **kwargs):
        self._glyphs = glyphs
        self._real.populate(glyphs=glyphs, **kwargs)

    def subset(self, font):
        if isinstance(font, _HbFont):
            font.subset(self._glyphs)
        else:
            self._real.subset(font)


class _SubsetModule:
    def __init__(self, real):
        self.Options = real.Options
        self.Subsetter = _Subsetter


class _Metrics(dict):
    """Code point → (glyph id, advance in 1/1000 em), read from HarfBuzz on first use and
    kept: a few thousand entries, where fpdf2's own tables hold all 45,000 code points of a
    CJK font (about 35 MiB a font). (None, 0) for a character the font does not have."""

    def __init__(self, hb_font):
        super().__init__()
        self.hb_font = hb_font
        self.scale = 1000 / hb_font.face.upem

    def __missing__(self, cp: int):
        gid = self.hb_font.get_nominal_glyph(cp)
        value = (None, 0) if gid is None else (gid, self.hb_font.get_glyph_h_advance(gid))
        value = (value[0], round(value[1] * self.scale + 0.001))
        self[cp] = value
        return value


class _Widths(dict):
    def __init__(self, metrics: _Metrics):
        super().__init__()
        self.metrics = metrics

    def __missing__(self, cp: int) -> int:
        width = self[cp] = self.metrics[cp][1]
        return width


@dataclass
class _ProtoFont:
    ttf: object  # fpdf.fonts.TTFFont: the font's descriptor and names, no character tables
    hb_face: object  # uharfbuzz.Face of the whole font (memory-mapped)
    metrics: _Metrics
    widths: _Widths
    lock: threading.Lock
    fast_face: object = None  # the common characters only, preprocessed for quick subsets
    fast_gids: bytearray = b""  # 1 for the glyphs the fast face has
    subsets: dict[frozenset[int], bytes] = field(default_factory=dict)  # oldest first


def _common_characters() -> list[int]:
    """What a notice is almost always written with: ASCII, Latin-1, general punctuation, CJK
    symbols, full-width forms and every character of GB 2312 (6,763 hanzi and the symbols).
    A name with a rarer character takes the whole font's face for its subset (a few ms)."""
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | set(range(0x2000, 0x2070))
    chars |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((high, low)).decode("gb2312")))
            except (UnicodeDecodeError, TypeError):
                continue
    return sorted(chars)


def _read_font(path: str, index: int, face):
    """fpdf2's ``TTFFont`` for a CID-keyed CFF font, its descriptor computed as fpdf2 computes
    it but from the font's small tables only: fpdf2's own reading keeps the cmap and the widths
    of every glyph (about 35 MiB a CJK font), which HarfBuzz gives here on demand instead."""
    import io
    import re

    import uharfbuzz as hb
    from fontTools import ttLib
    from fontTools.cffLib import CFFFontSet
    from fpdf.enums import FontDescriptorFlags, TextEmphasis
    from fpdf.fonts import PDFFontDescriptor, TTFFont

    # the CFF's registry/ordering and CIDs, from a subset of a few glyphs spread over the font
    probe = hb.SubsetInput()
    probe.flags = hb.SubsetFlags(hb.SubsetFlags.NO_LAYOUT_CLOSURE | hb.SubsetFlags.NO_HINTING)
    last = face.glyph_count - 1
    probes = sorted({0, 1, min(1000, last), last // 2, last})
    for gid in probes:
        probe.glyph_set.add(gid)
    table = hb.subset(face, probe).reference_table("CFF ").data
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(table), None)
    top = cff.topDictIndex[0]
    ros = getattr(top, "ROS", None)
    if ros is None or top.charset[1:] != [f"cid{gid:05d}" for gid in probes[1:]]:
        raise ValueError(f"{path}#{index}: a CID-keyed CFF font whose CIDs are its glyph ids")

    tt = ttLib.TTFont(path, fontNumber=index, lazy=True, recalcTimestamp=False)
    try:
        head, hhea, os2, post = tt["head"], tt["hhea"], tt["OS/2"], tt["post"]
        scale = 1000 / head.unitsPerEm
        flags = FontDescriptorFlags.SYMBOLIC
        if post.isFixedPitch:
            flags |= FontDescriptorFlags.FIXED_PITCH
        if post.italicAngle != 0:
            flags |= FontDescriptorFlags.ITALIC
        if os2.usWeightClass >= 600:
            flags |= FontDescriptorFlags.FORCE_BOLD
        cap_height = getattr(os2, "sCapHeight", hhea.ascent)
        font = TTFFont.__new__(TTFFont)
        font.desc = PDFFontDescriptor(
            ascent=round(hhea.ascent * scale),
            descent=round(hhea.descent * scale),
            cap_height=round(cap_height * scale),
            flags=flags,
            font_b_box=(
                f"[{head.xMin * scale:.0f} {head.yMin * scale:.0f}"
                f" {head.xMax * scale:.0f} {head.yMax * scale:.0f}]"
            ),
            italic_angle=int(post.italicAngle),
            stem_v=round(50 + int(pow((os2.usWeightClass / 65), 2))),
            missing_width=round(scale * hb.Font(face).get_glyph_h_advance(0)),
        )
        font.name = re.sub("[ ()]", "", tt["name"].getBestFullName())
        font.up = round(post.underlinePosition * scale)
        font.ut = round(post.underlineThickness * scale)
        font.sp = round(os2.yStrikeoutPosition * scale)
        font.ss = round(os2.yStrikeoutSize * scale)
    finally:
        tt.close()
    font.i = 0
    font.type = "TTF"
    font.ttffile = Path(path)
    font.fontkey = ""
    font.scale = scale
    font.emphasis = TextEmphasis.NONE
    font.is_compressed = False
    font.is_cff = True
    font.is_cid_keyed = True
    font.is_symbol = False
    font.cff_ros = (str(ros[0]), str(ros[1]), int(ros[2]))
    font.collection_font_number = index
    font._hbfont = None
    font.unicode_range = None
    font.palette_index = 0
    font.color_font = None
    font.cw, font.cmap, font.glyph_ids = {}, {}, {}
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    return font


@functools.cache
def _font(key: str) -> _ProtoFont:
    """One font, read once per process: its descriptor from its small tables, its glyphs by
    HarfBuzz (the file memory-mapped). The regular face, which prints the employers' names,
    also gets a face of the common characters preprocessed for subsetting; the bold ones print
    the same few words on every notice and their subsets come from the cache."""
    import uharfbuzz as hb

    path, index = _font_file(key)
    face = hb.Face(hb.Blob.from_file_path(path), index)
    metrics = _Metrics(hb.Font(face))
    proto = _ProtoFont(
        ttf=_read_font(path, index, face),
        hb_face=face,
        metrics=metrics,
        widths=_Widths(metrics),
        lock=threading.Lock(),
    )
    if key == "sans":
        plan = hb.SubsetInput()
        plan.flags = hb.SubsetFlags(
            hb.SubsetFlags.RETAIN_GIDS  # same glyph ids as the whole font
            | hb.SubsetFlags.NO_LAYOUT_CLOSURE
            | hb.SubsetFlags.NO_HINTING
            | hb.SubsetFlags.NOTDEF_OUTLINE
        )
        fast_gids = bytearray(face.glyph_count)
        fast_gids[0] = 1
        for cp in _common_characters():
            gid = metrics.hb_font.get_nominal_glyph(cp)
            if gid is not None:
                plan.unicode_set.add(cp)
                fast_gids[gid] = 1
        proto.fast_face = hb.subset_preprocess(hb.subset(face, plan))
        proto.fast_gids = fast_gids
    return proto


def warm_up() -> None:
    """Read the fonts now (a worker process does it once, a few seconds)."""
    for key in FONT_FILES:
        _font(key)


def _install_fonts(pdf) -> None:
    """Give ``pdf`` the three fonts: copies of the parsed ones, each with its own subset."""
    from fpdf.fonts import TTFFont

    for key, fontkey in _FONTKEYS.items():
        proto = _font(key)
        font = TTFFont.__new__(TTFFont)
        for slot in TTFFont.__slots__:
            if hasattr(proto.ttf, slot):
                setattr(font, slot, getattr(proto.ttf, slot))
        font.i = len(pdf.fonts) + 1
        font.fontkey = fontkey
        font.desc = copy.copy(proto.ttf.desc)  # fpdf2 names and numbers it per document
        font.cw = proto.widths
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.ttfont = _HbFont(proto)
        font.subset = _CidSubsetMap(font, proto)
        pdf.fonts[fontkey] = font
    pdf._set_min_pdf_version("1.6")  # CID-keyed CFF fonts


_FONTKEYS = {"sans": "sans", "sansB": "sansB", "serifB": "serifB"}  # fpdf2's font keys


def _cid(glyph_name: str) -> int:
    return int(glyph_name[3:]) if glyph_name.startswith("cid") else 0


@functools.cache
def _cid_subset_map_class():
    from fpdf.fonts import Glyph, SubsetMap

    class CidSubsetMap(SubsetMap):
        """fpdf2's map of the glyphs used, each glyph's code being its CID (the fonts are
        CID-keyed): the text is then written in the ``Identity-H`` encoding, which every PDF
        reader maps (pypdf does not read the CMap fpdf2 writes for CFF fonts otherwise)."""

        def __init__(self, font, proto):  # no reserved codes: code = CID
            self.font = font
            self.metrics = proto.metrics
            self._next = 0
            self._reserved = []
            self._char_id_per_glyph = {}

        @functools.cache  # noqa: B019 (as fpdf2's; it clears the cache after each output)
        def get_glyph(self, glyph=None, unicode=None, glyph_name=None, glyph_width=None):
            if not isinstance(unicode, int):
                return None
            gid, width = self.metrics[unicode]
            if gid is None:
                return None
            return Glyph(gid, (unicode,), f"cid{gid:05d}", width)  # CID = glyph id

        def pick_glyph(self, glyph):
            if glyph is None:
                return None
            code = self._char_id_per_glyph.get(glyph)
            if code is None:
                code = self._char_id_per_glyph[glyph] = _cid(glyph.glyph_name)
            return code

    return CidSubsetMap


def _CidSubsetMap(font, proto):  # noqa: N802 (a class, made on first use)
    return _cid_subset_map_class()(font, proto)


@functools.cache
def _producer_class():
    from fpdf.output import OutputProducer
    from fpdf.syntax import Name

    class NoticeOutputProducer(OutputProducer):
        """fpdf2's output, with our fonts subset by HarfBuzz and encoded ``Identity-H``."""

        def _add_fonts(self, *args, **kwargs):
            ours = {font.i for font in self.fpdf.fonts.values() if isinstance(font.ttfont, _HbFont)}
            with _hb_subsetting():
                objects = super()._add_fonts(*args, **kwargs)
            for index, obj in objects.items():
                if index in ours:
                    obj.encoding = Name("Identity-H")
            return objects

    return NoticeOutputProducer


@contextlib.contextmanager
def _hb_subsetting():
    import fpdf.output

    real, stream = fpdf.output.ftsubset, fpdf.output.PDFFontStream
    if isinstance(real, _SubsetModule):
        yield
        return
    fpdf.output.ftsubset = _SubsetModule(real)
    fpdf.output.PDFFontStream = _raw_font_stream_class()
    try:
        yield
    finally:
        fpdf.output.ftsubset, fpdf.output.PDFFontStream = real, stream


@functools.cache
def _raw_font_stream_class():
    from fpdf.output import PDFFontStream
    from fpdf.syntax import PDFContentStream

    class RawFontStream(PDFFontStream):
        """The font program stored as it is: a CFF subset deflates by 8 % only, and deflating
        it took a quarter of a notice's time."""

        def __init__(self, contents: bytes) -> None:
            PDFContentStream.__init__(self, contents=contents, compress=False)
            self.length1 = len(contents)

    return RawFontStream


# --- text --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    text: str
    font: str = "sans"  # a key of FONT_FILES


def _is_tight(c: str) -> bool:
    """Latin letters and digits: a run of them (a USCC, a year, a URL) is kept on one line
    when it fits on one, and so is a date (2025年9月28日)."""
    return c.isascii() and (c.isalnum() or c in "-_./:@?=&%#~+")


class _Writer:
    def __init__(self, pdf):
        self.pdf = pdf
        self.width = pdf.w - MARGIN_LEFT - MARGIN_RIGHT
        self.cw = {key: _font(key).widths for key in FONT_FILES}  # widths, 1/1000 em
        self.codes = {key: {} for key in FONT_FILES}  # character → hex code in this document

    def lines(self, runs, *, size: float, width: float, indent: float = 0.0):
        """Break ``runs`` into lines no wider than ``width`` (the first ``indent`` narrower):
        by character (CJK), never starting a line with closing punctuation nor ending one with
        opening punctuation, and keeping a run of Latin letters and digits together when it
        fits on a line. Returns lines of (text, font) pieces."""
        chars = [(c, run.font) for run in runs for c in run.text]
        scale = size / 1000 * PT
        widths = [self.cw[f][ord(c)] * scale for c, f in chars]
        tight = [
            _is_tight(c) or (c in "年月日" and i > 0 and chars[i - 1][0].isdigit())
            for i, (c, _) in enumerate(chars)
        ]
        lines, start, n = [], 0, len(chars)
        available = width - indent
        while start < n:
            used, end = 0.0, start
            while end < n and used + widths[end] <= available + 1e-6:
                used += widths[end]
                end += 1
            if end < n and end > start:
                end = self._break(chars, widths, tight, start, end, width)
            elif end == start:
                end = start + 1  # one character wider than the line: it still goes
            lines.append(_pieces(chars[start:end]))
            start = end
            available = width
        return lines

    @staticmethod
    def _break(chars, widths, tight, start: int, brk: int, width: float) -> int:
        """Move the break before ``brk`` back until it cuts neither a Latin/digit run nor a
        date that fits on a line of its own, nor puts a closing mark at a line's start or an
        opening one at its end. Never back to ``start`` (the line would be empty)."""
        n = len(chars)
        for _ in range(8):  # each rule moves the break back; a few rounds settle it
            moved = brk
            if tight[moved] and tight[moved - 1]:
                k = moved
                while k > start and tight[k - 1]:
                    k -= 1
                m = moved
                while m < n and tight[m]:
                    m += 1
                if k > start and sum(widths[k:m]) <= width:
                    moved = k
            while moved - 1 > start and (
                chars[moved][0] in _NO_START or chars[moved - 1][0] in _NO_END
            ):
                moved -= 1  # a run of closing marks goes down whole, with the word before it
            if moved == brk:
                break
            brk = moved
        return brk

    def paragraph(self, runs, *, indent: float = INDENT, gap: float = PARA_GAP):
        """A paragraph at 11 pt, its first line indented, moving to a new page when full."""
        pdf = self.pdf
        lines = self.lines(runs, size=BODY_PT, width=self.width, indent=indent)
        for number, pieces in enumerate(lines):
            if pdf.get_y() + LINE > pdf.page_break_trigger:
                pdf.add_page()
            pdf.set_x(MARGIN_LEFT + (indent if number == 0 else 0))
            self.draw(pieces, BODY_PT, LINE)
            pdf.ln(LINE)
        pdf.ln(gap)

    def pieces_width(self, pieces, size):
        cw = self.cw
        return sum(cw[font][ord(c)] for text, font in pieces for c in text) * size / 1000 * PT

    def draw(self, pieces, size, height, *, color=TEXT, spacing: float = 0.0):
        """Draw one line of pieces from the current position, the text vertically centred in
        ``height`` as fpdf2's ``cell`` places it, and move right past it. The content stream is
        written directly (a ``cell`` per line costs more than the rest of the notice)."""
        from fpdf.enums import PDFResourceType

        pdf = self.pdf
        k = pdf.k
        baseline = (pdf.h - pdf.get_y() - 0.5 * height - 0.3 * size * PT) * k
        ops = [f"q BT {color[0] / 255:.3f} {color[1] / 255:.3f} {color[2] / 255:.3f} rg"]
        if spacing:
            ops.append(f"{spacing:.2f} Tc")
        ops.append(f"{pdf.get_x() * k:.2f} {baseline:.2f} Td")
        advance = 0.0
        for text, key in pieces:
            font = pdf.fonts[_FONTKEYS[key]]
            pdf._resource_catalog.add(PDFResourceType.FONT, font.i, pdf.page)
            known = self.codes[key]
            hexes = []
            for c in text:
                code = known.get(c)
                if code is None:
                    cid = font.subset.pick(ord(c))  # None: not in the font
                    code = known[c] = "" if cid is None else f"{cid:04X}"
                hexes.append(code)
            ops.append(f"/F{font.i} {size:.2f} Tf <{''.join(hexes)}> Tj")
            advance += self.pieces_width([(text, key)], size) + spacing * PT * len(text)
        ops.append("ET Q")
        pdf._out(" ".join(ops))
        pdf.set_x(pdf.get_x() + advance)

    def height(self, runs, *, indent: float = INDENT) -> float:
        lines = self.lines(runs, size=BODY_PT, width=self.width, indent=indent)
        return len(lines) * LINE + PARA_GAP


def _pieces(chars) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for c, font in chars:
        if out and out[-1][1] == font:
            out[-1] = (out[-1][0] + c, font)
        else:
            out.append((c, font))
    return out


# --- the notice --------------------------------------------------------------------------------


def _new_pdf():
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, MARGIN_BOTTOM)
    pdf.c_margin = 0
    _install_fonts(pdf)
    pdf.set_lang("zh-CN")
    pdf.set_creator("劳动保障守法诚信等级评价系统")
    return pdf


def _table(pdf, w: _Writer, header, rows, col_widths):
    """A bordered table (header row shaded and bold, repeated on a new page; a row is never
    split across pages), 10 pt, the cells' text broken like the paragraphs'."""
    pad_x, pad_y = 2.0, 1.1
    pdf.ln(2)
    pdf.set_line_width(0.6 * PT)
    pdf.set_draw_color(*BORDER)
    pdf.set_fill_color(*HEADER_FILL)

    def cells(values, font):
        return [
            w.lines([_Run(text, font)], size=TABLE_PT, width=width - 2 * pad_x)
            for text, width in zip(values, col_widths, strict=True)
        ]

    def draw(lined, fill):
        height = max(len(lines) for lines in lined) * TABLE_LINE + 2 * pad_y
        top, x = pdf.get_y(), MARGIN_LEFT
        for lines, width in zip(lined, col_widths, strict=True):
            pdf.rect(x, top, width, height, style="DF" if fill else "D")
            y = top + (height - len(lines) * TABLE_LINE) / 2  # vertically centred
            for pieces in lines:
                pdf.set_xy(x + pad_x, y)
                w.draw(pieces, TABLE_PT, TABLE_LINE)
                y += TABLE_LINE
            x += width
        pdf.set_xy(MARGIN_LEFT, top + height)
        return height

    head = cells(header, "sansB")
    head_height = max(len(lines) for lines in head) * TABLE_LINE + 2 * pad_y
    body = [cells(values, "sans") for values in rows]
    for number, lined in enumerate(body):
        height = max(len(lines) for lines in lined) * TABLE_LINE + 2 * pad_y
        need = height + (head_height if number == 0 else 0)
        if pdf.get_y() + need > pdf.page_break_trigger:
            pdf.add_page()
            draw(head, True)
        elif number == 0:
            draw(head, True)
        draw(lined, False)
    pdf.ln(4)


def draw_notice(pdf, n: WrittenNotice) -> None:
    """One notice, from a new page of ``pdf``."""
    w = _Writer(pdf)
    width = w.width
    pdf.add_page()
    # the red head: authority in Noto Serif CJK SC bold, red, and a red rule
    head_line = 20 * 1.3 * PT
    for pieces in w.lines([_Run(n.authority, "serifB")], size=20, width=width):
        text_width = w.pieces_width(pieces, 20) + 2 * PT * sum(len(t) for t, _ in pieces)
        pdf.set_x(MARGIN_LEFT + max(0, (width - text_width) / 2))
        w.draw(pieces, 20, head_line, color=RED, spacing=2)
        pdf.ln(head_line)
    pdf.ln(3)
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.5 * PT)
    pdf.line(MARGIN_LEFT, pdf.get_y(), MARGIN_LEFT + width, pdf.get_y())
    pdf.ln(6)
    # title and document number
    pdf.ln(2)
    for pieces in w.lines(
        [_Run("劳动保障守法诚信等级评价书面告知书", "sansB")], size=18, width=width
    ):
        pdf.set_x(MARGIN_LEFT + (width - w.pieces_width(pieces, 18)) / 2)
        w.draw(pieces, 18, 18 * 1.6 * PT)
        pdf.ln(18 * 1.6 * PT)
    pdf.ln(1)
    for pieces in w.lines([_Run(n.document_no)], size=BODY_PT, width=width):
        pdf.set_x(MARGIN_LEFT + (width - w.pieces_width(pieces, BODY_PT)) / 2)
        w.draw(pieces, BODY_PT, LINE)
        pdf.ln(LINE)
    pdf.ln(6)
    # addressee
    w.paragraph([_Run(f"{n.employer_name}（统一社会信用代码：{n.uscc}）：")], indent=0)
    # the grade and its basis
    document = (
        f"（{n.ruleset_document}）"
        if n.ruleset_document and n.ruleset_document != n.ruleset_title
        else ""
    )
    period = ""
    if n.notice_start:
        period = f"拟评价结果正在公示，公示期为{cn_date(n.notice_start)}至{cn_date(n.notice_end)}"
        if n.notice_document_no:
            period += f"（{n.notice_document_no}）"
        period += "。"
    w.paragraph(
        [
            _Run(
                f"根据《{n.ruleset_title}》{document}的规定，本机关对你单位{n.year}年度遵守劳动"
                "保障法律、法规和规章的情况进行了评价，拟将你单位评定为"
            ),
            _Run(n.grade_label, "sansB"),
            _Run(f"。{period}现将有关情况书面告知如下。"),
        ]
    )
    if n.override_reason:
        changed = f"由系统初评的{n.computed_grade_label}" if n.computed_grade_label else ""
        basis = (
            "一、评定依据。经人工复核，并经劳动保障监察机构负责人审批，你单位的等级"
            f"{changed}调整为{n.grade_label}，理由是：{n.override_reason}"
            + ("所依据的条款如下：" if n.rules else "")
        )
    else:
        basis = "一、评定依据。你单位存在以下情形："
    w.paragraph([_Run(basis)])
    if n.rules:
        _table(
            pdf,
            w,
            ("条款", "情形"),
            [(r.article, r.text) for r in n.rules],
            (ARTICLE_WIDTH, width - ARTICLE_WIDTH),
        )
    if n.measures:
        w.paragraph([_Run("二、评定后将依法采取的监管措施：")])
        _table(
            pdf,
            w,
            ("措施", "依据"),
            [(text, article) for text, article in n.measures],
            (width - ARTICLE_WIDTH, ARTICLE_WIDTH),
        )
    deadline = f"，至{cn_date(n.notice_end)}" if n.notice_end else ""
    url = f"（{n.objection_url}）" if n.objection_url else ""
    contact = f"联系方式：{n.contact}。" if n.contact else ""
    w.paragraph(
        [
            _Run(
                f"{'三' if n.measures else '二'}、异议的提出。你单位如认为评价所依据的信用信息存在"
                "错误、遗漏，或者侵犯你单位商业秘密、个人隐私等合法权益的，可以在评价结果公示期间"
                f"（不少于5个工作日{deadline}）提出异议：登录本系统，在“本单位信息”页面对评价结果"
                f"提出异议申请{url}；或者向{n.authority}提交书面异议材料，并附相关证明材料。"
                f"{contact}"
            )
        ]
    )
    w.paragraph(
        [
            _Run(
                "本机关自收到异议申请之日起3个工作日内完成处理并将结果告知你单位；需要向有关部门"
                "核查信息的，自收到异议申请之日起10个工作日内完成核查处理并告知结果。异议经核实"
                "成立的，本机关将更正相关信息并重新评价。"
            )
        ]
    )
    w.paragraph([_Run("你单位纠正违法行为、履行相关义务后，可以依照有关规定申请信用修复。")])
    # the closing block, kept together on one page
    sign_line = BODY_PT * 1.8 * PT
    closing = w.height([_Run("特此告知。")]) + 6 + 2 * sign_line
    if pdf.get_y() + closing > pdf.page_break_trigger:
        pdf.add_page()
    w.paragraph([_Run("特此告知。")])
    pdf.ln(6)
    for text in (n.authority, cn_date(n.issued_on)):
        for pieces in w.lines([_Run(text)], size=BODY_PT, width=width):
            pdf.set_x(MARGIN_LEFT + width - w.pieces_width(pieces, BODY_PT))
            w.draw(pieces, BODY_PT, sign_line)
            pdf.ln(sign_line)


def _output(pdf, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf.output(output_producer_class=_producer_class()))
    return path


def notice_pdf(notice: WrittenNotice, path: Path | str) -> Path:
    pdf = _new_pdf()
    pdf.set_title(f"书面告知书 {notice.employer_name}")
    draw_notice(pdf, notice)
    return _output(pdf, Path(path))


def notice_pdfs(notices, paths) -> list[Path]:
    """One file per notice; the fonts are parsed once per process, so a batch costs the sum of
    its notices and nothing more."""
    return [notice_pdf(n, p) for n, p in zip(notices, paths, strict=True)]
