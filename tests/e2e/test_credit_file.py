"""Browser: an inspector builds an employer's credit file — the add form shows only the fields
of the chosen kind — then voids a record with a reason; the employer sees its own file."""

import pytest

from credit_records.models import CreditRecord
from employers.choices import Role

from ..factories import PASSWORD, EmployerFactory, UserFactory, jurisdiction

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_inspector_builds_credit_file_and_employer_sees_it(live_server, page, login):
    employer = EmployerFactory(
        name="郏县鑫达建筑劳务有限公司", jurisdiction=jurisdiction("jiaxian")
    )
    UserFactory(
        username="inspector_ledger", role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian")
    )
    UserFactory(
        username="employer_ledger", role=Role.EMPLOYER, employer=employer, jurisdiction=None
    )
    page.on("dialog", lambda dialog: dialog.accept())

    login("inspector_ledger", PASSWORD)
    page.goto(f"{live_server.url}/employers/{employer.pk}/")
    page.click("text=添加信用记录")
    page.select_option("#id_kind", "harmonious_enterprise")
    assert page.is_visible("#id_level") and not page.is_visible("#id_severity")
    page.select_option("#id_kind", "violation")
    assert page.is_visible("#id_severity") and not page.is_visible("#id_level")
    assert not page.is_visible("#id_end_date")
    page.fill("#id_date", "2024-08-12")
    page.select_option("#id_severity", "general")
    page.select_option("#id_category", "wages")
    page.select_option("#id_rectification", "not_rectified")
    page.fill("#id_case_no", "郏人社监案〔2024〕021号")
    page.fill("#id_summary", "拖欠职工李建国等8人工资")
    page.click("button:has-text('保存记录')")
    page.wait_for_selector("#credit-file")
    assert "劳动保障违法行为被查处" in page.inner_text("#credit-file")
    assert "基础信息" in page.inner_text("#credit-file")  # SPEC §3 [r2]: not a major violation

    page.click("#credit-file >> text=详情与历史")
    page.click("text=作废")
    page.fill("#id_reason", "异议成立：该案件已撤销")
    page.click("button:has-text('作废')")
    page.wait_for_selector("#credit-file")
    assert "已作废" in page.inner_text("#credit-file")
    assert CreditRecord.objects.effective().filter(employer=employer).count() == 0
    assert CreditRecord.objects.filter(employer=employer).count() == 2

    page.context.clear_cookies()
    login("employer_ledger", PASSWORD)
    page.goto(f"{live_server.url}/employers/mine/")
    text = page.inner_text("#credit-file")
    assert "劳动保障违法行为被查处" in text and "李建国" not in text and "李**" in text
    assert "添加信用记录" not in text
