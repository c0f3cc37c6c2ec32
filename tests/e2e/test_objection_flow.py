"""Browser: an employer files an objection against a credit record and the inspector of its
jurisdiction sees it in the queue with its due date (SPEC §7)."""

import pytest
from django.utils import formats

from employers.choices import Role
from objections.models import Objection

from ..factories import PASSWORD, EmployerFactory, UserFactory, jurisdiction
from ..objections.helpers import D, penalty
from .conftest import open_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_employer_files_objection_and_inspector_sees_it(live_server, browser, page, login):
    employer = EmployerFactory(
        name="郏县豫通建筑劳务有限公司", jurisdiction=jurisdiction("jiaxian")
    )
    UserFactory(username="employer_e2e", role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    UserFactory(username="inspector_e2e", role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    penalty(employer, D(2024, 9, 2), document_no="郏人社监罚〔2024〕17号")

    login("employer_e2e", PASSWORD)
    open_menu(page, "异议与修复", "我的异议与修复")
    page.click("text=提出异议")
    page.wait_for_selector("h1:has-text('提出异议')")
    page.select_option("select[name=record]", index=1)
    page.select_option("select[name=ground]", "error")
    page.fill("textarea[name=reasons]", "该处罚决定已于复议中撤销，请予更正。")
    page.click("button:has-text('提交异议')")
    page.wait_for_selector("#case-status")
    assert page.locator("#case-status").inner_text() == "已提交"

    objection = Objection.objects.get(employer=employer)
    if objection.due_date:
        shown_due = formats.date_format(objection.due_date, "DATE_FORMAT")
    else:  # filed when the next year's calendar is missing
        shown_due = "期限待国务院公布节假日安排后复核"
    assert shown_due in page.content()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    inspector_page = context.new_page()
    inspector_page.goto(f"{live_server.url}/accounts/login/")
    inspector_page.fill("#id_username", "inspector_e2e")
    inspector_page.fill("#id_password", PASSWORD)
    inspector_page.click("button[type=submit]")
    inspector_page.wait_for_load_state()
    open_menu(inspector_page, "异议与修复", "异议处理")
    inspector_page.wait_for_selector("#queue")
    row = inspector_page.locator("#queue tbody tr", has_text="郏县豫通建筑劳务有限公司")
    assert row.count() == 1
    assert shown_due in row.inner_text()
    assert "已提交" in row.inner_text()
    context.close()
