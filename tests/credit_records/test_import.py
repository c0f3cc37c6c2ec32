"""import_records: good files in every encoding, bad files with nothing written, idempotency."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from credit_records.models import AuditEntry, CreditRecord
from credit_records.services import import_records
from employers.choices import EmployerKind, Role
from tests.factories import EmployerFactory, UserFactory, jurisdiction

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
USCC_A, USCC_B, USCC_C = "91410425MA9JX0001B", "91410425MA9JX0002E", "52410425MJ9JX00033"


@pytest.fixture
def employers(db):
    return [
        EmployerFactory(uscc=USCC_A, name="郏县宏达建设有限公司"),
        EmployerFactory(uscc=USCC_B, name="郏县平安机械制造有限公司"),
        EmployerFactory(
            uscc=USCC_C, name="郏县金堃人力资源服务有限公司", kind=EmployerKind.HR_AGENCY
        ),
    ]


def run(name, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_records", str(DATA / name), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "name, count",
    [
        ("records_good_utf8.csv", 12),
        ("records_good_bom.csv", 5),
        ("records_good_gb18030.csv", 7),
        ("records_good.xlsx", 4),
    ],
)
def test_good_files_import(employers, name, count):
    code, out, err = run(name)
    assert code == 0, err
    assert CreditRecord.objects.count() == count
    assert f"新增 {count}" in out


def test_values_are_read_in_codes_labels_and_chinese_dates(employers):
    run("records_good_bom.csv")
    violation = CreditRecord.objects.get(kind="violation")
    assert (violation.severity, violation.category, violation.rectification) == (
        "general",
        "wages",
        "rectified",
    )
    assert violation.incident is False and str(violation.date) == "2024-03-12"
    assert str(CreditRecord.objects.get(kind="administrative_decision").date) == "2024-03-20"
    lost = None
    run("records_good.xlsx")
    lost = CreditRecord.objects.get(kind="lost_contact")
    assert str(lost.end_date) == "2024-02-10"


def test_reimport_changes_nothing(employers):
    assert run("records_good_utf8.csv")[0] == 0
    ids = list(CreditRecord.objects.values_list("pk", flat=True))
    audits = AuditEntry.objects.count()
    code, out, _err = run("records_good_utf8.csv")
    assert code == 0 and "新增 0" in out and "未变化 12" in out
    assert list(CreditRecord.objects.values_list("pk", flat=True)) == ids
    assert AuditEntry.objects.count() == audits


def test_dry_run_writes_nothing(employers):
    code, out, _err = run("records_good_utf8.csv", "--dry-run")
    assert code == 0 and "未写入" in out
    assert not CreditRecord.objects.exists()


@pytest.mark.parametrize(
    "name, expected",
    [
        ("records_bad_date.csv", "row 3, date: 日期“2024-02-30”无效"),
        ("records_unknown_kind.csv", "row 4, kind: 记录类型“penalty_notice”无效"),
        (
            "records_end_before_start.csv",
            "row 5, end_date: 移出日期“2024年4月1日”早于列入日期“2024年5月1日”",
        ),
        ("records_unknown_employer.csv", "row 6, uscc: 用人单位“91410425MA9JX0004L”不存在"),
    ],
)
def test_bad_files_write_nothing(employers, name, expected):
    code, _out, err = run(name)
    assert code == 1
    assert expected in err
    assert "未写入任何数据" in err
    assert not CreditRecord.objects.exists()
    assert not AuditEntry.objects.filter(action="credit_records.import").exists()


@pytest.mark.parametrize("args", [["no-such-file.csv"], []])
def test_usage_errors_exit_2(args):
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    result = subprocess.run(
        [sys.executable, str(manage), "import_records", *args], capture_output=True, text=True
    )
    assert result.returncode == 2, result.stderr


def test_kind_rules_apply_to_imports(employers, tmp_path):
    path = tmp_path / "rules.csv"
    path.write_text(
        "uscc,kind,date,severity,level,result\n"
        f"{USCC_A},violation,2024-01-02,,,\n"  # severity, category, rectification missing
        f"{USCC_A},patrol_inspection,2024-01-03,,county,ok\n"  # level not used; bad result
        f"{USCC_A},complaint,2099-01-01,,,verified\n",  # future date
        encoding="utf-8",
    )
    code, _out, err = run(str(path))
    assert code == 1
    assert "row 2, severity:" in err and "row 2, category:" in err
    assert "row 3, level:" in err and "row 3, result: 结论“ok”无效" in err
    assert "row 4, date:" in err and "未来" in err


def test_duplicate_rows_in_one_file_are_reported(employers, tmp_path):
    path = tmp_path / "dup.csv"
    row = f"{USCC_A},complaint,2024-01-03,verified\n"
    path.write_text("uscc,kind,date,result\n" + row + row, encoding="utf-8")
    code, _out, err = run(str(path))
    assert code == 1 and "row 3, kind: 与第 2 行是同一条记录" in err


def test_ui_import_refuses_employers_outside_jurisdiction(employers):
    stranger = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    data = (DATA / "records_good_utf8.csv").read_bytes()
    report = import_records(data=data, filename="records_good_utf8.csv", actor=stranger)
    assert not report.ok and "不在您的管辖范围内" in report.problems[0].message
    assert not CreditRecord.objects.exists()


def test_import_is_audited_and_chained(employers, inspector):
    data = (DATA / "records_good_utf8.csv").read_bytes()
    report = import_records(data=data, filename="records_good_utf8.csv", actor=inspector)
    assert report.ok and report.created == 12
    audit = AuditEntry.objects.get(action="credit_records.import")
    assert audit.actor == inspector and audit.after["created"] == 12
    assert set(CreditRecord.objects.values_list("created_by", flat=True)) == {inspector.pk}
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    assert "校验通过" in out.getvalue()
