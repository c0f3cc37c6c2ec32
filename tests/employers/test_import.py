"""Importing the employer registry: every file in tests/data, all-or-nothing (SPEC §9)."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from credit_records.models import AuditEntry
from employers.models import Employer
from employers.services import import_employers

DATA = Path(__file__).resolve().parent.parent / "data"


def run(name, **kwargs):
    path = DATA / name
    return import_employers(data=path.read_bytes(), filename=path.name, **kwargs)


def problems(report):
    return [str(p) for p in report.problems]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, count",
    [
        ("employers_good_utf8.csv", 7),
        ("employers_good_bom.csv", 7),
        ("employers_good_gb18030.csv", 3),
        ("employers_good.xlsx", 3),
    ],
)
def test_good_files_import(name, count):
    report = run(name)
    assert report.ok, problems(report)
    assert report.created == count
    assert Employer.objects.count() == count


@pytest.mark.django_db
def test_values_are_stored_as_written():
    assert run("employers_good_utf8.csv").ok
    agency = Employer.objects.get(uscc="91410425MA9F000228")
    assert agency.name == "郏县金堃人力资源服务有限公司"
    assert agency.kind == "hr_agency"
    assert agency.jurisdiction.code == "jiaxian"
    assert agency.street.name == "东城街道"
    assert agency.employees == 35
    assert agency.phone == "0375-5123456"
    xuchang = Employer.objects.get(uscc="91411002MA9F000666")
    assert xuchang.name == "许昌𠮷祥人力资源有限公司"  # a character outside the BMP survives
    assert xuchang.street.name == "西大街道"  # a street below a district of the city
    village = Employer.objects.get(uscc="N2410425MA9F00077C")
    assert village.kind == "other" and village.employees is None


@pytest.mark.django_db
def test_gb18030_accepts_chinese_labels():
    assert run("employers_good_gb18030.csv").ok
    first = Employer.objects.get(uscc="91410425MA9F0001XT")
    assert (first.kind, first.industry, first.status) == ("enterprise", "construction", "operating")


@pytest.mark.django_db
def test_reimport_changes_nothing():
    assert run("employers_good_utf8.csv").ok
    before = list(Employer.objects.order_by("pk").values())
    audits = AuditEntry.objects.count()
    again = run("employers_good_utf8.csv")
    assert again.ok
    assert (again.created, again.updated, again.skipped) == (0, 0, 7)
    assert list(Employer.objects.order_by("pk").values()) == before
    assert AuditEntry.objects.count() == audits


@pytest.mark.django_db
def test_changed_row_updates_and_is_audited():
    assert run("employers_good_utf8.csv").ok
    text = (DATA / "employers_good_utf8.csv").read_text("utf-8").replace(",120,", ",150,")
    report = import_employers(data=text.encode(), filename="changed.csv")
    assert report.ok and report.updated == 1 and report.created == 0
    assert Employer.objects.get(uscc="91410425MA9F0001XT").employees == 150
    entry = AuditEntry.objects.filter(action="employers.import").latest("pk")
    assert entry.after["updated"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "employers_bad_uscc_row3.csv",
            ["row 3, uscc: 统一社会信用代码“91410425MA9F000229”校验码错误"],
        ),
        (
            "employers_duplicate.csv",
            ["row 4, uscc: 统一社会信用代码“91410425MA9F0001XT”与第 2 行重复"],
        ),
        (
            "employers_unknown_kind_jurisdiction.csv",
            [
                "row 3, kind: 单位类型“factory”无效",
                "row 4, jurisdiction: 辖区“beijing”不存在",
                "row 5, street: 乡镇街道“龙山街道”不在“江津区”辖区内",
            ],
        ),
        ("employers_missing_column.csv", ["row 1, -: 缺少必需的列：kind"]),
    ],
)
def test_bad_files_write_nothing(name, expected):
    report = run(name)
    assert not report.ok
    found = problems(report)
    assert len(found) == len(expected)
    for message, prefix in zip(found, expected, strict=True):
        assert message.startswith(prefix), (message, prefix)
    assert Employer.objects.count() == 0
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_bad_row_after_good_rows_leaves_existing_data_untouched():
    assert run("employers_good.xlsx").ok
    before = list(Employer.objects.order_by("pk").values())
    # The first row of this file is valid and would update an existing employer's data.
    bad = (
        (DATA / "employers_bad_uscc_row3.csv")
        .read_text("utf-8")
        .replace("郏县宏达建设有限公司", "改名公司")
    )
    assert not import_employers(data=bad.encode(), filename="bad.csv").ok
    assert list(Employer.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    report = run("employers_good_utf8.csv", dry_run=True)
    assert report.ok and report.created == 7
    assert Employer.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, filename, message",
    [
        (b"uscc,name\n", "x.txt", "不支持的文件类型"),
        (b"", "empty.csv", "文件为空"),
        (b"\xff\xfe\x00\x00garbage\x81", "broken.csv", "无法识别文件编码"),
        (b"not a zip", "broken.xlsx", "无法读取 XLSX 文件"),
        (b"uscc,name,kind,jurisdiction,colour\n", "extra.csv", "无法识别的列：colour"),
    ],
)
def test_unreadable_files(content, filename, message):
    report = import_employers(data=content, filename=filename)
    assert not report.ok
    assert message in report.problems[0].message


@pytest.mark.django_db
def test_command_exit_codes_and_messages(capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("import_employers", str(DATA / "employers_bad_uscc_row3.csv"))
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "row 3, uscc: 统一社会信用代码“91410425MA9F000229”校验码错误" in err
    assert Employer.objects.count() == 0

    out = io.StringIO()
    call_command("import_employers", str(DATA / "employers_good_utf8.csv"), "--dry-run", stdout=out)
    assert "新增 7" in out.getvalue() and Employer.objects.count() == 0
    call_command("import_employers", str(DATA / "employers_good_utf8.csv"), stdout=out)
    assert Employer.objects.count() == 7


def test_command_usage_error_exits_2(tmp_path):
    import subprocess
    import sys

    manage = Path(__file__).resolve().parents[2] / "manage.py"
    result = subprocess.run(
        [sys.executable, str(manage), "import_employers", str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert result.returncode == 2
    assert "文件不存在" in result.stderr


@pytest.mark.django_db
def test_ui_upload_preview_confirm(client, inspector, django_capture_on_commit_callbacks):
    client.force_login(inspector)
    # The file's jiaxian rows: a jiaxian inspector imports employers of jiaxian only
    # (tests/employers/test_import_scope.py).
    lines = (DATA / "employers_good_gb18030.csv").read_bytes().splitlines(keepends=True)
    upload = SimpleUploadedFile("employers_gb18030.csv", b"".join(lines[:3]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("employers:import"), {"file": upload})
    assert response.status_code == 302  # to the job's page; the check ran as a task
    page = client.get(response.url)
    assert "校验通过：共 2 行，将新增 2" in page.content.decode()
    assert Employer.objects.count() == 0  # the check writes nothing
    job = page.context["job"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:confirm", args=[job.pk]))
    assert response.status_code == 302
    assert Employer.objects.count() == 2
    assert "导入完成" in client.get(response.url).content.decode()
    # The same job cannot be confirmed twice (double submit).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:confirm", args=[job.pk]), follow=True)
    assert "不能确认导入" in response.content.decode()
    assert Employer.objects.count() == 2


@pytest.mark.django_db
def test_ui_bad_file_shows_every_problem(client, inspector, django_capture_on_commit_callbacks):
    client.force_login(inspector)
    with (DATA / "employers_unknown_kind_jurisdiction.csv").open("rb") as fh:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("employers:import"), {"file": fh})
    body = client.get(response.url).content.decode()
    assert "辖区“beijing”不存在" in body and "单位类型“factory”无效" in body
    assert "确认导入" not in body
    assert Employer.objects.count() == 0


@pytest.mark.django_db
def test_employer_user_cannot_import(client, employer_user):
    client.force_login(employer_user)
    with (DATA / "employers_good_utf8.csv").open("rb") as fh:
        response = client.post(reverse("employers:import"), {"file": fh})
    assert response.status_code == 403
