"""The documents of a cycle (SPEC §8): read back with pdftotext / pdfinfo / pdffonts / openpyxl."""

import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from credit_records.services import add_record
from employers.choices import EmployerKind, Role
from grading.models import ExemplaryAgency
from publication import documents, jobs, services
from publication.choices import DocumentKind, JobStatus
from publication.jobs import annex2_rows
from publication.models import CycleDocument, DocumentJob
from tests.factories import UserFactory, jurisdiction

from .conftest import D, make_cycle
from .test_workflow import to_final

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed"
)

ROWS = [
    documents.ListRow(name="郏县龙山建筑工程有限公司", uscc="91410425MA0000011X", grade="A"),
    documents.ListRow(name="郏县安良镇食品加工厂", uscc="91410425MA0000022X", grade="C"),
    documents.ListRow(
        name="平顶山市薛店人力资源服务有限公司", uscc="91410425MA0000033X", grade="D"
    ),
    documents.ListRow(name="郏县堂街镇运输队", uscc="92410425MA0000044X", grade="B"),
    documents.ListRow(name="郏县东城街道超市", uscc="92410425MA0000055X", grade="B"),
]


def pdf_text(path) -> str:
    """The PDF's text without spaces (pdftotext spaces out letter-spaced headings)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.replace(" ", "")


def pdf_info(path) -> str:
    return subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout


@needs_poppler
def test_list_pdf_has_the_chinese_names_page_numbers_and_a4_landscape(tmp_path):
    [path] = documents.grades_pdf(
        ROWS,
        tmp_path / "list.pdf",
        title="2024年度用人单位劳动保障守法信用等级评价结果名单",
        authority="郏县人力资源和社会保障局",
        issued_on=D(2025, 3, 3),
    )
    text = pdf_text(path)
    for row in ROWS:
        assert row.name in text and row.uscc in text
    assert "2024年度用人单位劳动保障守法信用等级评价结果名单" in text
    assert "郏县人力资源和社会保障局" in text and "2025年3月3日" in text
    assert "第1页共1页" in text
    assert "C级" in text and "D级" in text
    info = pdf_info(path)
    assert re.search(r"Page size:\s+841\.89 x 595\.2\d* pts \(A4\)", info)  # landscape
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"NotoSansCJKSC\s.*\byes\b", fonts)  # named font, embedded


@needs_poppler
def test_long_list_repeats_its_header_and_counts_pages(tmp_path):
    rows = [
        documents.ListRow(
            name=f"郏县测试用人单位{i:03d}有限公司", uscc=f"91410425MA{i:07d}X", grade="B"
        )
        for i in range(60)
    ]
    [path] = documents.grades_pdf(rows, tmp_path / "long.pdf", title="名单")
    pages = int(
        next(line for line in pdf_info(path).splitlines() if line.startswith("Pages:")).split()[1]
    )
    assert pages >= 3
    text = pdf_text(path)
    assert text.count("统一社会信用代码") == pages  # the header row on every page
    assert f"第{pages}页共{pages}页" in text


@needs_poppler
def test_list_is_split_into_files_of_at_most_max_rows(tmp_path):
    progress = []
    paths = documents.grades_pdf(
        ROWS,
        tmp_path / "big.pdf",
        title="名单",
        max_rows=2,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert [p.name for p in paths] == ["big-01.pdf", "big-02.pdf", "big-03.pdf"]
    texts = [pdf_text(p) for p in paths]
    assert ROWS[0].name in texts[0] and ROWS[1].name in texts[0] and ROWS[2].name not in texts[0]
    assert ROWS[2].name in texts[1] and ROWS[3].name in texts[1]
    assert ROWS[4].name in texts[2]
    assert "第3册共3册" in texts[2] and "第5—5条" in texts[2]
    assert progress == [(2, 5), (4, 5), (5, 5)]
    assert documents.MAX_ROWS_PER_FILE == 2000


def test_grades_pdf_accepts_rows_of_grading(tmp_path):
    from types import SimpleNamespace

    employer = SimpleNamespace(name="郏县某某公司", uscc="91410425MA0000066X")
    row = documents.as_list_row(
        SimpleNamespace(employer=employer, final_grade="B", rules=["jiaxian.B.1"])
    )
    assert (row.name, row.uscc, row.grade, row.rules) == (
        "郏县某某公司",
        "91410425MA0000066X",
        "B",
        ("jiaxian.B.1",),
    )
    row = documents.as_list_row({"uscc": "X", "name": "Y", "grade": "", "rules": "a;b"})
    assert (row.grade, row.rules) == ("", ("a", "b"))
    assert documents.grade_label("") == "未评级"


def test_list_xlsx_columns_and_rows(tmp_path):
    path = documents.list_xlsx(
        ROWS, tmp_path / "list.xlsx", title="名单", authority="郏县人力资源和社会保障局"
    )
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [
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
    assert rows[2][:4] == (2, "郏县安良镇食品加工厂", "91410425MA0000022X", "C级")
    assert rows[2][8] == "郏县人力资源和社会保障局"
    assert len(rows) == 1 + len(ROWS)


def test_annex2_has_exactly_the_columns_of_the_annex(tmp_path):
    rows = [
        documents.Annex2Row(
            name="许昌某人力资源服务有限公司",
            uscc="91411000MA0000011X",
            grade="A",
            dishonesty="无",
            enforcement="无",
            exemplary=True,
            exemplary_reason="助力乡村振兴",
            unit="许昌市人力资源和社会保障局",
        ),
        documents.Annex2Row(
            name="许昌另一人力资源服务有限公司",
            uscc="91411000MA0000022X",
            grade="B",
            dishonesty="2024年度，未按规定报送年度报告",
            enforcement="=2024年4月，责令整改",
            exemplary=False,
            exemplary_reason="",
            unit="许昌市人力资源和社会保障局",
        ),
    ]
    path = documents.annex2_xlsx(
        rows,
        tmp_path / "annex2.xlsx",
        filled_by="许昌市人力资源和社会保障局",
        filled_on=D(2025, 3, 3),
    )
    sheet = load_workbook(path).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[1][0] == "人力资源服务机构信用等级评价汇总表"
    assert values[2][0] == "填报单位（盖章）：许昌市人力资源和社会保障局"
    assert "填报时间：2025年3月3日" in values[2]
    assert values[3] == [
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
    assert values[4] == [
        "许昌某人力资源服务有限公司",
        "91411000MA0000011X",
        "A 级",
        "无",
        "无",
        "是",
        "助力乡村振兴",
        "许昌市人力资源和社会保障局",
        None,
    ]
    assert values[5][2] == "B 级" and values[5][5] == "否"
    assert values[5][4] == "=2024年4月，责令整改"  # kept as text, not a formula
    assert any(str(v[0]).startswith("注：失信情况包括") for v in values if v[0])


def test_report_counts_by_grade_street_kind_and_industry():
    rows = [
        documents.ListRow("a", "1", "A", street="龙山街道", kind="企业", industry="建筑"),
        documents.ListRow("b", "2", "A", street="龙山街道", kind="企业", industry="制造业"),
        documents.ListRow("c", "3", "C", street="安良镇", kind="个体工商户", industry="制造业"),
        documents.ListRow("d", "4", "D", street="", kind="企业", industry="建筑"),
        documents.ListRow("e", "5", "", street="安良镇", kind="企业", industry="建筑"),
    ]
    report = documents.build_report(
        rows, title="t", authority="郏县", year=2024, grades=("A", "B", "C", "D")
    )
    assert report.totals == {"A": 2, "B": 0, "C": 1, "D": 1}
    assert report.ungraded == 1 and report.graded == 4
    assert report.share("A") == "50.0%"
    by = {t.dimension: {v: (c, n) for v, c, n in t.rows} for t in report.tables}
    assert by["乡镇街道"]["龙山街道"] == ({"A": 2, "B": 0, "C": 0, "D": 0}, 2)
    assert by["乡镇街道"]["（未填写）"] == ({"A": 0, "B": 0, "C": 0, "D": 1}, 1)
    assert by["单位类型"]["个体工商户"][1] == 1
    assert by["行业"]["建筑"] == ({"A": 1, "B": 0, "C": 0, "D": 1}, 2)


@needs_poppler
def test_written_notice_lists_rules_articles_and_how_to_object(tmp_path):
    notice = documents.WrittenNotice(
        employer_name="郏县安良镇食品加工厂",
        uscc="91410425MA0000022X",
        year=2024,
        grade="C",
        grade_label="C级（一般）",
        authority="郏县人力资源和社会保障局",
        ruleset_title="用人单位劳动保障守法信用分级分类监管办法（试行）",
        ruleset_document="",
        rules=(documents.FiredRule("jiaxian.C.1", "第十一条", "因违反人社法律法规行为被查处"),),
        measures=(("适当增加日常巡视检查频次", "第十六条"),),
        issued_on=D(2025, 9, 20),
        document_no="郏县人社信告〔2025〕1号",
    )
    path = documents.written_notice_pdf(notice, tmp_path / "n.pdf")
    text = pdf_text(path).replace("\n", "")
    for expected in (
        "劳动保障守法诚信等级评价书面告知书",
        "郏县安良镇食品加工厂",
        "91410425MA0000022X",
        "C级（一般）",
        "第十一条",
        "适当增加日常巡视检查频次",
        "异议",
        "3个工作日",
        "2025年9月20日",
    ):
        assert expected in text, expected
    assert re.search(r"Page size:\s+595\.2\d* x 841\.89 pts \(A4\)", pdf_info(path))  # portrait
    assert "jiaxian" not in text and "C.1" not in text  # SPEC §8 [r2]: never an internal code


# --- the jobs ------------------------------------------------------------------------------


@needs_poppler
def test_publication_job_makes_every_document(
    db, publisher, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(documents, "MAX_ROWS_PER_FILE", 2)
    cycle = make_cycle(
        grades=[
            ("A", ["jiaxian.A.1"]),
            ("B", ["jiaxian.B.1"]),
            ("C", ["jiaxian.C.1"]),
            ("D", ["jiaxian.D.1"]),
        ],
        names=["甲公司", "乙公司", "丙公司", "丁公司"],
    )
    to_final(cycle, publisher, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(cycle=cycle, actor=publisher)
    job = DocumentJob.objects.get(cycle=cycle, kind="publication")
    assert job.status == JobStatus.DONE, job.error
    assert job.done == job.total and job.percent == 100
    kinds = sorted(
        CycleDocument.objects.filter(cycle=cycle).values_list("kind", "part", "is_public")
    )
    assert kinds == sorted(
        [
            (DocumentKind.LIST_PDF, 1, True),
            (DocumentKind.LIST_PDF, 2, True),
            (DocumentKind.LIST_XLSX, 1, False),
            (DocumentKind.REPORT_PDF, 1, False),
            (DocumentKind.REPORT_XLSX, 1, False),
            (DocumentKind.WRITTEN_NOTICE, 1, False),
            (DocumentKind.WRITTEN_NOTICE, 1, False),
        ]
    )
    first, second = CycleDocument.objects.filter(cycle=cycle, kind=DocumentKind.LIST_PDF).order_by(
        "part"
    )
    text = pdf_text(first.file.path) + pdf_text(second.file.path)
    for name in ("甲公司", "乙公司", "丙公司", "丁公司"):
        assert name in text
    report = CycleDocument.objects.get(cycle=cycle, kind=DocumentKind.REPORT_PDF)
    assert "公示期：2025年9月29日至2025年10月11日" in pdf_text(report.file.path)


@needs_poppler
def test_a_publication_job_taken_over_keeps_the_list_parts_already_stored(
    db, publisher, django_capture_on_commit_callbacks, monkeypatch
):
    """Issue 15: a million rows are 500 list parts (hours): each part is stored as it is made,
    and the run that takes over from a dead worker makes only the parts still missing."""
    monkeypatch.setattr(documents, "MAX_ROWS_PER_FILE", 1)
    names = ["甲公司", "乙公司", "丙公司", "丁公司"]
    cycle = make_cycle(
        grades=[("A", ["jiaxian.A.1"]), ("B", ["jiaxian.B.1"]), ("A", ["jiaxian.A.1"]),
                ("B", ["jiaxian.B.1"])],
        names=names,
    )  # fmt: skip
    to_final(cycle, publisher, django_capture_on_commit_callbacks)
    rendered = []
    real_write = documents._write_list_part

    def write(rows, path, **kwargs):
        if len(rendered) == 2 and not worker["alive"]:
            raise RuntimeError("the worker died")
        rendered.append(path.name)
        return real_write(rows, path, **kwargs)

    worker = {"alive": False}
    monkeypatch.setattr(documents, "_write_list_part", write)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(cycle=cycle, actor=publisher)
    job = DocumentJob.objects.get(cycle=cycle, kind="publication")
    assert job.status == JobStatus.FAILED
    parts = CycleDocument.objects.filter(cycle=cycle, kind=DocumentKind.LIST_PDF)
    stored = dict(parts.values_list("part", "pk"))
    assert sorted(stored) == [1, 2]  # stored as they were made, before the worker died

    worker["alive"] = True
    rendered.clear()
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert len(rendered) == 2  # parts 3 and 4 only
    assert sorted(parts.values_list("part", "parts")) == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert {k: pk for k, pk in parts.values_list("part", "pk") if k <= 2} == stored
    text = "".join(pdf_text(p.file.path) for p in parts.order_by("part"))
    assert [name in text for name in names] == [True] * 4
    assert CycleDocument.objects.filter(cycle=cycle, kind=DocumentKind.LIST_XLSX).count() == 1


def test_annex2_rows_from_a_published_xuchang_cycle(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    publisher = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("xuchang"))
    cycle = make_cycle(
        "xuchang",
        grades=[("A", ["xuchang.A.1"]), ("B", ["xuchang.B.3"]), ("C", ["xuchang.C.1"])],
        kind=EmployerKind.HR_AGENCY,
    )
    a_agency, b_agency, c_agency = cycle.test_employers
    add_record(
        actor=None,
        employer=c_agency,
        kind="violation",
        date=D(2024, 4, 8),
        severity="general",
        category="hr_market",
        rectification="rectified",
        document_no="许人社监〔2024〕8号",
    )
    add_record(  # outside the cycle year: not in 查处情况
        actor=None,
        employer=c_agency,
        kind="violation",
        date=D(2023, 4, 8),
        severity="general",
        category="hr_market",
        rectification="rectified",
    )
    ExemplaryAgency.objects.create(
        cycle=cycle, employer=a_agency, reason="积极助力乡村振兴", chosen_by=publisher
    )
    monkeypatch.setattr(
        documents, "grades_pdf", lambda rows, path, **kw: [documents._write_pdf("<p>x</p>", path)]
    )
    to_final(cycle, publisher, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(cycle=cycle, actor=publisher)
    rows = {r.uscc: r for r in annex2_rows(cycle)}
    a, b, c = rows[a_agency.uscc], rows[b_agency.uscc], rows[c_agency.uscc]
    assert (a.exemplary, a.exemplary_reason, a.dishonesty, a.enforcement) == (
        True,
        "积极助力乡村振兴",
        "无",
        "无",
    )
    assert b.exemplary is False and b.dishonesty.startswith("2024年度，")
    assert c.enforcement == "2024年4月，劳动保障违法行为被查处（许人社监〔2024〕8号），已整改"
    assert {r.unit for r in rows.values()} == {"许昌市人力资源和社会保障局"}
    annex = CycleDocument.objects.get(cycle=cycle, kind=DocumentKind.ANNEX2_XLSX)
    header = [c.value for c in load_workbook(annex.file.path).active[4]]
    assert header == documents.ANNEX2_COLUMNS


@needs_poppler
def test_export_grades_format_pdf(db, tmp_path):
    """SPEC §9: ``export_grades --cycle YEAR --format pdf --output FILE`` writes the list."""
    from django.core.management import call_command

    make_cycle(names=["郏县龙山建筑工程有限公司", "郏县安良镇食品加工厂", "郏县堂街镇运输队"])
    output = tmp_path / "grades.pdf"
    call_command(
        "export_grades",
        "--cycle",
        "2024",
        "--jurisdiction",
        "jiaxian",
        "--format",
        "pdf",
        "--output",
        str(output),
    )
    text = pdf_text(output)
    for name in ("郏县龙山建筑工程有限公司", "郏县安良镇食品加工厂", "郏县堂街镇运输队"):
        assert name in text
    assert "郏县人力资源和社会保障局" in text and "第1页共1页" in text
