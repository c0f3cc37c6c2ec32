"""The audit log page as the auditor reads it (issue 11 item 3): Chinese action names and
object types, readable before/after differences, a filter by Chinese action name, a search by
employer that finds every entry about it, and a CSV export of what is selected."""

import datetime

import pytest
from django.urls import reverse

from audit.presentation import ACTION_LABELS, action_label
from credit_records import services
from employers.choices import Role
from tests.factories import EmployerFactory, UserFactory, jurisdiction

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(db):
    return UserFactory(role=Role.AUDITOR, jurisdiction=jurisdiction("jiaxian"))


def add(employer, actor, **extra):
    fields = {
        "kind": "complaint",
        "date": datetime.date(2024, 4, 1),
        "result": "verified",
        "summary": "投诉拖欠工资",
    }
    fields.update(extra)
    return services.add_record(actor=actor, employer=employer, **fields)


@pytest.mark.parametrize(
    "action, expected",
    [
        ("credit_records.add", "新增信用记录"),
        ("objection.accept", "异议：受理"),
        ("repairapplication.file", "信用修复申请：提交"),
        ("publication.cycle_final", "评价周期：已确定"),
        ("written_review.status.notified", "书面审查：已通知"),
        ("grading.something_new", "信用等级评价：其他操作"),
    ],
)
def test_action_ids_read_as_chinese(action, expected):
    assert action_label(action) == expected


def test_every_action_label_is_chinese():
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(v)) for v in ACTION_LABELS.values())


def test_the_page_shows_chinese_names_and_a_readable_difference(client, auditor, inspector):
    employer = EmployerFactory(name="郏县审计测试有限公司")
    record = add(employer, inspector)
    services.correct_record(
        actor=inspector, record=record, reason="日期录入有误", date=datetime.date(2024, 4, 2)
    )
    client.force_login(auditor)
    page = client.get(reverse("credit_records:audit"))
    html = page.content.decode()
    assert "新增信用记录" in html and "credit_records.add" not in html.split("<select")[0]
    assert "信用记录" in html and "credit_records.CreditRecord" not in html
    assert "更正信用记录" in html
    # The record's date in the difference, in Chinese, never 2024-04-01.
    assert "2024年4月1日" in html and "2024年4月2日" in html and "2024-04-0" not in html


def test_filter_by_chinese_action_and_search_by_employer(client, auditor, inspector):
    mine = EmployerFactory(name="郏县龙山建筑工程有限公司")
    other = EmployerFactory(name="郏县安良镇食品加工厂")
    add(mine, inspector)
    add(mine, inspector, date=datetime.date(2024, 5, 1), summary="未签劳动合同")
    add(other, inspector)
    client.force_login(auditor)
    form = client.get(reverse("credit_records:audit")).context["form"]
    assert ("credit_records.add", "新增信用记录") in form.fields["action"].choices

    found = client.get(reverse("credit_records:audit"), {"employer": "龙山建筑"}).context["page"]
    assert len(found) == 2
    assert {e.object_repr for e in found} and all(
        e.object_type == "credit_records.CreditRecord" for e in found
    )
    by_uscc = client.get(reverse("credit_records:audit"), {"employer": other.uscc})
    assert len(by_uscc.context["page"]) == 1

    only_adds = client.get(reverse("credit_records:audit"), {"action": "credit_records.add"})
    assert len(only_adds.context["page"]) == 3


def test_csv_export_in_chinese(client, auditor, inspector):
    add(EmployerFactory(name="郏县导出测试有限公司"), inspector)
    client.force_login(auditor)
    response = client.get(reverse("credit_records:audit"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith("时间,操作人,操作,对象类型")
    assert "新增信用记录" in first and "信用记录" in first
    assert "credit_records." not in text


def test_only_the_auditor_exports(client, inspector):
    client.force_login(inspector)
    assert client.get(reverse("credit_records:audit"), {"format": "csv"}).status_code == 403
