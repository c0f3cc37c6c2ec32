"""The 职工花名册 import (SPEC §10.2): good files in every encoding, bad files refused whole with
``row N, column: message``, ID numbers checked, nothing stored on error."""

import pytest

from written_review import roster
from written_review.models import RosterEntry

from .helpers import DATA, DECLARATION, GOOD_ROSTER, D

GOOD = [
    ("roster_good_utf8.csv", "花名册.csv"),
    ("roster_good_gb18030.csv", "花名册.csv"),
    ("roster_good.xlsx", "花名册.xlsx"),
]


@pytest.mark.parametrize(("fixture", "name"), GOOD)
def test_good_files_are_read_alike(fixture, name):
    result = roster.read_roster((DATA / fixture).read_bytes(), name)
    assert result.problems == []
    assert [w.name for w in result.workers] == ["王建国", "李秀英", "张伟", "刘洋", "陈静",
                                                "杨帆", "赵敏"]  # fmt: skip
    first, second = result.workers[0], result.workers[1]
    assert (first.row, first.id_number, first.position) == (2, "410425198801011001", "车间主任")
    assert first.contract_start == D(2023, 1, 1) and first.contract_end is None
    assert str(second.monthly_wage) == "4250.00"


def test_utf8_with_bom_is_read():
    data = b"\xef\xbb\xbf" + GOOD_ROSTER.read_bytes()
    assert len(roster.read_roster(data, "a.csv").workers) == 7


def _messages(name):
    return [str(p) for p in roster.read_roster((DATA / name).read_bytes(), name).problems]


def test_missing_column_names_it():
    assert _messages("roster_missing_column.csv") == [
        "row 1, -: 缺少必需的列：id_number（表头应为：name,id_number,position,contract_start,"
        "contract_end,monthly_wage，或中文：姓名,身份证号码,岗位,劳动合同起始日期,劳动合同终止日期,"
        "月工资）"
    ]


def test_bad_id_numbers_are_reported_by_row():
    assert _messages("roster_bad_id.csv") == [
        "row 3, id_number: 身份证号码“410425199002041070”校验位不正确",
        "row 5, id_number: 身份证号码“41042519940410121”应为 18 位",
    ]


def test_duplicate_id_number_names_the_first_row():
    assert _messages("roster_duplicate_id.csv") == [
        "row 4, id_number: 身份证号码“410425198801011001”与第 2 行重复"
    ]


# Row-level checks, one case per rule (header is row 1, so the first data row is row 2).
HEADER = "姓名,身份证号码,岗位,劳动合同起始日期,劳动合同终止日期,月工资\n"
ROWS = [
    (",410425198801011001,工,2023-01-01,,3800", "row 2, name: 姓名不能为空"),
    ("王一,,工,2023-01-01,,3800", "row 2, id_number: 身份证号码不能为空"),
    ("王一,410425198801011001,工,2023-13-01,,3800",
     "row 2, contract_start: 日期“2023-13-01”无效，应为 YYYY-MM-DD（如 2024-03-01）"),
    ("王一,410425198801011001,工,2023-05-01,2023-04-30,3800",
     "row 2, contract_end: 劳动合同终止日期 2023年4月30日 早于起始日期 2023年5月1日"),
    ("王一,410425198801011001,工,2023-01-01,,三千", "row 2, monthly_wage: 月工资“三千”不是数字"),
    ("王一,410425198801011001,工,2023-01-01,,", "row 2, monthly_wage: 月工资不能为空"),
    ("王一,410425198801011001,工,2023-01-01,,-5", "row 2, monthly_wage: 月工资“-5”超出合理范围"),
    ("王一,410425180001011008,工,2023-01-01,,3800",
     "row 2, id_number: 身份证号码“410425180001011008”中的地区或出生日期无效"),
]  # fmt: skip


@pytest.mark.parametrize(("row", "message"), ROWS)
def test_row_rules(row, message):
    result = roster.read_roster((HEADER + row + "\n").encode(), "a.csv")
    assert [str(p) for p in result.problems] == [message]
    assert result.workers == []


def test_lower_case_x_is_accepted_and_normalised():
    result = roster.read_roster(
        (HEADER + "王一,11010519491231002x,工,2023-01-01,,3800\n").encode(), "a.csv"
    )
    assert result.problems == [] and result.workers[0].id_number == "11010519491231002X"


def test_wrong_file_type_and_empty_roster():
    assert [str(p) for p in roster.read_roster(b"x", "a.txt").problems] == [
        "row 1, -: 不支持的文件类型“.txt”：请上传 .csv 或 .xlsx 文件"
    ]
    assert [str(p) for p in roster.read_roster(HEADER.encode(), "a.csv").problems] == [
        "row 2, -: 花名册中没有职工"
    ]


def test_a_bad_file_changes_nothing(review, owner, inspector):
    """All or nothing: a good roster stays as it was when a bad one is uploaded."""
    from written_review import services

    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    services.save_declaration(actor=owner, review=review, data=dict(DECLARATION))
    services.upload_roster(actor=owner, review=review, data=GOOD_ROSTER.read_bytes(),
                           filename="a.csv")  # fmt: skip
    before = list(RosterEntry.objects.filter(review=review).values_list("id_number", "sampled"))
    result = services.upload_roster(
        actor=owner,
        review=review,
        data=(DATA / "roster_duplicate_id.csv").read_bytes(),
        filename="b.csv",
    )
    assert not result.ok
    after = list(RosterEntry.objects.filter(review=review).values_list("id_number", "sampled"))
    assert after == before and len(after) == 7
    assert review.declaration.__class__.objects.get(review=review).roster_name == "a.csv"


def test_five_of_seven_workers_are_drawn_and_the_same_again(review, owner, inspector):
    from written_review import services

    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    services.upload_roster(actor=owner, review=review, data=GOOD_ROSTER.read_bytes(),
                           filename="a.csv")  # fmt: skip
    drawn = set(review.roster.filter(sampled=True).values_list("id_number", flat=True))
    assert len(drawn) == 5
    services.upload_roster(actor=owner, review=review,
                           data=(DATA / "roster_good.xlsx").read_bytes(), filename="a.xlsx")  # fmt: skip
    assert set(review.roster.filter(sampled=True).values_list("id_number", flat=True)) == drawn


def test_masking():
    from written_review.models import mask_id_number

    assert mask_id_number("410425198801011001") == "410***********1001"
