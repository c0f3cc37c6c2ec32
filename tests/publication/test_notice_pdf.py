"""The written notice drawn with fpdf2 (``publication.notice_pdf``, issue 15): what it says, how
it flows onto a second page, the fonts it embeds, and a notice made in a batch being the same
as the notice made alone."""

import io
import re
import shutil
import subprocess
from dataclasses import replace

import pytest
from pypdf import PdfReader

from publication import documents, notice_pdf

D = documents.dt.date

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) not installed"
)

ARTICLES = (
    ("第十一条第（一）项", "因违反劳动保障法律法规行为被查处，且未在规定期限内改正"),
    ("第十一条第（二）项", "拖欠劳动者工资，经责令限期支付仍未支付"),
    ("第十一条第（三）项", "未依法与劳动者订立书面劳动合同，人数较多"),
    ("第十一条第（四）项", "未按规定参加社会保险或者未足额缴纳社会保险费"),
)
MEASURES = (
    ("列为重点监控对象，适当增加日常巡视检查频次", "第十六条第（一）项"),
    ("对其申报的行政许可事项进行重点审查", "第十六条第（二）项"),
    ("不予评选各类先进、示范单位", "第十六条第（三）项"),
)


def notice(i: int = 1, *, rules: int = 1, measures: int = 2, override: str = "", **changes):
    made = documents.WrittenNotice(
        employer_name=f"郏县第{i}号食品加工有限责任公司",
        uscc=f"91410425MA{i:07d}X",
        year=2024,
        grade="C",
        grade_label="C级（一般）",
        authority="郏县人力资源和社会保障局",
        ruleset_title="用人单位劳动保障守法信用分级分类监管办法（试行）",
        ruleset_document="郏人社〔2023〕12号",
        rules=tuple(
            documents.FiredRule(f"jiaxian.C.{j}", *ARTICLES[j % len(ARTICLES)])
            for j in range(rules)
        ),
        measures=MEASURES[:measures],
        issued_on=D(2025, 9, 20),
        document_no=f"郏县人社信告〔2025〕{i}号",
        objection_url="https://lc.example.cn/objections/new/",
        override_reason=override,
        computed_grade_label="D级（较差）" if override else "",
        notice_title="关于2024年度劳动保障守法诚信等级（拟评）的公示",
        notice_document_no="郏人社公〔2025〕3号",
        notice_start=D(2025, 9, 22),
        notice_end=D(2025, 9, 28),
        contact="郏县人力资源和社会保障局劳动保障监察大队，0375-5199999",
    )
    return replace(made, **changes)


def _long(i: int = 2):
    base = notice(i, measures=3)
    rules = tuple(
        documents.FiredRule(
            f"jiaxian.C.{j}",
            f"第十一条第（{j + 1}）项",
            "因违反劳动保障法律法规行为被查处，且未在规定期限内改正，经责令限期改正后仍未改正"
            * (1 + j % 2),
        )
        for j in range(12)
    )
    return replace(
        base,
        employer_name="郏县安良镇" + "某" * 40 + "食品加工有限责任公司第一分公司",
        rules=rules,
    )


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages_text(path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(path).pages]


def test_the_notice_says_what_the_template_said_and_no_rule_code(tmp_path):
    n = notice(rules=3, measures=3)
    path = documents.written_notice_pdf(n, tmp_path / "n.pdf")
    text = "".join(pages_text(path))
    for expected in (
        "郏县人力资源和社会保障局",
        "劳动保障守法诚信等级评价书面告知书",
        "郏县人社信告〔2025〕1号",
        "郏县第1号食品加工有限责任公司（统一社会信用代码：91410425MA0000001X）：",
        "根据《用人单位劳动保障守法信用分级分类监管办法（试行）》（郏人社〔2023〕12号）的规定",
        "2024年度",
        "拟将你单位评定为C级（一般）",
        "公示期为2025年9月22日至2025年9月28日（郏人社公〔2025〕3号）",
        "一、评定依据。你单位存在以下情形：",
        "条款",
        "情形",
        "二、评定后将依法采取的监管措施：",
        "措施",
        "依据",
        "三、异议的提出。",
        "（不少于5个工作日，至2025年9月28日）",
        "（https://lc.example.cn/objections/new/）",
        "联系方式：郏县人力资源和社会保障局劳动保障监察大队，0375-5199999。",
        "3个工作日内完成处理",
        "可以依照有关规定申请信用修复",
        "特此告知。",
        "2025年9月20日",
    ):
        assert expected in text, expected
    for rule in n.rules:
        assert flat(rule.article) in text and flat(rule.text) in text
    for measure, article in n.measures:
        assert measure in text and article in text
    assert "jiaxian" not in text and "C.0" not in text  # no internal rule code
    assert "经人工复核" not in text


def test_an_override_notice_gives_the_reason_and_the_grade_before(tmp_path):
    n = notice(override="经现场核查，该单位已足额支付拖欠工资。", measures=0)
    text = "".join(pages_text(documents.written_notice_pdf(n, tmp_path / "o.pdf")))
    assert (
        "经人工复核，并经劳动保障监察机构负责人审批，你单位的等级由系统初评的D级（较差）"
        "调整为C级（一般），理由是：经现场核查，该单位已足额支付拖欠工资。所依据的条款如下："
    ) in text
    assert "监管措施" not in text
    assert "二、异议的提出。" in text  # numbered on without the measures


def test_a_long_notice_flows_onto_a_second_page_with_its_table_header_again(tmp_path):
    n = _long()
    path = documents.written_notice_pdf(n, tmp_path / "long.pdf")
    pages = pages_text(path)
    assert len(pages) == 2
    assert pages[1].startswith("条款情形")  # the table's header repeated on the new page
    assert all(flat(r.article) in "".join(pages) for r in n.rules)
    # the closing block is on one page
    closing = [p for p in pages if "特此告知" in p]
    assert len(closing) == 1 and closing[0].endswith("郏县人力资源和社会保障局2025年9月20日")


@needs_poppler
def test_a_notice_made_in_a_batch_is_the_notice_made_alone(tmp_path):
    """Page for page the same picture and the same text, one page and two, the batch's first
    notice and the ones after it."""
    notices = [
        notice(1),
        _long(2),
        notice(3, rules=2, measures=0, override="经现场核查，该单位已足额支付拖欠工资。"),
    ]
    batch = documents.written_notice_pdfs(notices, [tmp_path / f"b{i}.pdf" for i in range(3)])
    pages = []
    for i, n in enumerate(notices):
        alone = documents.written_notice_pdf(n, tmp_path / f"a{i}.pdf")
        images = _page_images(batch[i], tmp_path, f"b{i}")
        assert images == _page_images(alone, tmp_path, f"a{i}"), n.employer_name
        assert pages_text(batch[i]) == pages_text(alone)
        text = "".join(pages_text(batch[i]))
        assert n.uscc in text
        assert all(other.uscc not in text for other in notices if other is not n)
        pages.append(len(images))
    assert pages == [1, 2, 1]


def _page_images(path, out_dir, stem) -> list[bytes]:
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(path), str(out_dir / stem)], check=True)
    return [p.read_bytes() for p in sorted(out_dir.glob(f"{stem}-*.pgm"))]


def test_a_batch_writes_one_file_per_notice_with_its_own_pages(tmp_path):
    notices = [notice(1), _long(2), notice(3)]
    paths = documents.written_notice_pdfs(notices, [tmp_path / f"{i}.pdf" for i in range(3)])
    assert [len(PdfReader(p).pages) for p in paths] == [1, 2, 1]
    assert documents.written_notice_pdfs([], []) == []
    with pytest.raises(ValueError):
        documents.written_notice_pdfs(notices, paths[:2])


def test_the_uscc_and_dates_are_not_cut_and_no_line_starts_with_a_closing_mark():
    pdf = notice_pdf._new_pdf()
    writer = notice_pdf._Writer(pdf)
    uscc = "91410425MA0000001X"
    for length in range(1, 60):
        run = notice_pdf._Run(f"{'郏' * length}公司（统一社会信用代码：{uscc}），2025年9月28日。")
        lines = writer.lines([run], size=notice_pdf.BODY_PT, width=writer.width, indent=7.76)
        texts = ["".join(t for t, _ in line) for line in lines]
        assert "".join(texts) == run.text  # nothing lost
        assert any(uscc in t for t in texts), texts
        assert any("2025年9月28日" in t for t in texts), texts
        assert not any(t[0] in "，。）：" for t in texts[1:]), texts
        widths = [writer.pieces_width(line, notice_pdf.BODY_PT) for line in lines]
        assert widths[0] <= writer.width - 7.76 + 1e-6
        assert all(w <= writer.width + 1e-6 for w in widths)


def _cmap_cids(stream: bytes) -> set[int]:
    """The codes of a ToUnicode map (bfchar entries): with Identity-H, the CIDs used."""
    return {int(code, 16) for code in re.findall(rb"<([0-9A-F]{4})> <", stream)} - {0}


def test_the_embedded_fonts_are_noto_sc_subsets_holding_every_glyph_used(tmp_path):
    """The three fonts are the SC faces of Noto CJK, embedded as CFF subsets (HarfBuzz) whose
    glyphs are the CIDs the text refers to — a name with characters beyond GB 2312 too (its
    subset comes from the whole font) — and the file stays small."""
    from fontTools.cffLib import CFFFontSet

    rare = replace(_long(), employer_name="郏县堃喆珺商贸有限公司")  # not in GB 2312
    path = documents.written_notice_pdf(rare, tmp_path / "n.pdf")
    assert "郏县堃喆珺商贸有限公司" in "".join(pages_text(path))
    reader = PdfReader(path)
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert {name.split("+")[1] for name in fonts} == {
        "NotoSansCJKSC",
        "NotoSansCJKSCBold",
        "NotoSerifCJKSCBold",
    }
    for name, font in fonts.items():
        assert font["/Encoding"] == "/Identity-H"
        used = _cmap_cids(font["/ToUnicode"].get_object().get_data())
        descendant = font["/DescendantFonts"][0].get_object()
        program = descendant["/FontDescriptor"]["/FontFile3"].get_object()
        assert program["/Subtype"] == "/CIDFontType0C"
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(program.get_data()), None)
        top = cff.topDictIndex[0]
        cids = {int(g[3:]) for g in top.charset if g.startswith("cid")}
        assert used and used <= cids, name  # every glyph drawn is in the subset
        assert len(cids) <= len(used) + 8, name  # and not much more
    assert path.stat().st_size < 200 * 1024
