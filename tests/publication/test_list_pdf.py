"""The published list drawn with fpdf2 (``publication.list_pdf``), read back with pypdf."""

import datetime as dt

from pypdf import PdfReader

from publication import documents


def _rows(n: int):
    return [
        documents.ListRow(
            name=f"郏县城关镇第{i}号{'食品加工' * (i % 4)}有限责任公司",
            uscc=f"91410425MA{i:07d}X",
            grade="ABCD"[i % 4],
            unit="郏县人力资源和社会保障局" if i % 2 else "郏县劳动保障监察大队",
        )
        for i in range(n)
    ]


def _pages(path) -> list[str]:
    return [page.extract_text().replace(" ", "") for page in PdfReader(path).pages]


def test_a_part_has_every_row_and_the_page_footer(tmp_path):
    rows = _rows(7)
    [path] = documents.grades_pdf(
        rows,
        tmp_path / "list.pdf",
        title="2024年度评价结果名单",
        authority="郏县人力资源和社会保障局",
        issued_on=dt.date(2025, 3, 3),
        note="注：名单按统一社会信用代码排序。",
        show_unit=True,
    )
    [text] = _pages(path)
    for no, row in enumerate(rows, start=1):
        line = f"{no}{row.name}{row.uscc}{documents.grade_label(row.grade)}{row.unit}"
        assert line in text.replace("\n", "")  # every row whole, its cells in order
    assert "第1页共1页" in text
    assert "2024年度评价结果名单" in text and "共7家" in text
    assert "注：名单按统一社会信用代码排序。" in text and "2025年3月3日" in text
    assert "评价单位" in text


def test_a_part_over_several_pages_repeats_its_header_row(tmp_path):
    rows = _rows(120)
    paths = documents.grades_pdf(
        rows, tmp_path / "list.pdf", title="名单", authority="郏县人力资源和社会保障局",
        issued_on=dt.date(2025, 3, 3), max_rows=100,
    )  # fmt: skip
    assert [p.name for p in paths] == ["list-01.pdf", "list-02.pdf"]
    pages = _pages(paths[0])
    assert len(pages) >= 3
    text = "".join(pages)
    for no, row in enumerate(rows[:100], start=1):
        assert f"{no}{row.name}{row.uscc}{documents.grade_label(row.grade)}" in text.replace(
            "\n", ""
        )
    assert rows[100].uscc not in text
    for number, page in enumerate(pages, start=1):
        assert "序号单位名称统一社会信用代码信用等级" in page  # the header row on every page
        assert f"第{number}页共{len(pages)}页" in page
        if number > 1:  # the running header: authority and title
            assert "郏县人力资源和社会保障局" in page and "名单" in page
    assert "（第1册共2册，本册第1—100条）" in pages[0]
    assert "2025年3月3日" not in text  # the signature closes the last part only
    last = "".join(_pages(paths[1]))
    assert "（第2册共2册，本册第101—120条）" in last and rows[119].uscc in last
    assert "2025年3月3日" in last
