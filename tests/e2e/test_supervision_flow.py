"""Browser: an inspector plans a half-year's random inspections by grade through the menu, the
draw runs, they close one of their tasks with its patrol record; an HR agency signs its
commitment letter online."""

import pytest

from credit_records.models import CreditRecord
from employers.choices import EmployerKind, Role
from supervision.models import CommitmentLetter, PatrolPlan

from ..factories import PASSWORD, EmployerFactory, UserFactory, jurisdiction
from ..supervision.conftest import employers_graded, publish_cycle
from .conftest import open_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_inspector_draws_a_plan_and_closes_a_task(live_server, page, login):
    graded = employers_graded("jiaxian", {"A": 4, "B": 6, "C": 2, "D": 1})
    publish_cycle("jiaxian", 2024, graded)
    me = UserFactory(
        username="inspector_plan", role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian")
    )
    UserFactory(
        username="inspector_partner", role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian")
    )
    page.on("dialog", lambda dialog: dialog.accept())

    login("inspector_plan", PASSWORD)
    open_menu(page, "分类监管", "巡查计划")
    page.click("text=制定巡查计划")
    assert page.input_value("#id_ratio_a") == "0"  # 郏县 第十四条第（一）项
    assert "免于日常巡视检查" in page.inner_text("main")
    page.fill("#id_period_from", "2025-01-01")
    page.fill("#id_period_to", "2025-06-30")
    page.fill("#id_seed", "20250101")
    page.click("button:has-text('抽取')")
    page.wait_for_selector("#tasks", timeout=30000)  # drawn in the background, page refreshes
    plan = PatrolPlan.objects.get()
    assert plan.seed == 20250101 and plan.tasks.count() == 1 + 1 + 1  # B 0.9→1, C 1, D 1
    assert page.is_visible("canvas.supervision-chart")

    open_menu(page, "分类监管", "我的巡查任务")
    page.click("#my-tasks >> text=录入检查结果")
    page.fill("#id_date", "2025-03-18")
    page.check("#id_result_1")  # 发现问题
    page.fill("#id_document_no", "郏人社监巡〔2025〕18号")
    page.click("button:has-text('保存检查结果')")
    page.wait_for_selector("text=任务完成")
    record = CreditRecord.objects.get(kind="patrol_inspection")
    assert (record.result, record.created_by) == ("issue_found", me)
    assert plan.tasks.filter(record=record).exists()


def test_an_agency_signs_its_commitment_letter(live_server, page, login):
    agency = EmployerFactory(
        name="许昌博远人力资源服务有限公司",
        kind=EmployerKind.HR_AGENCY,
        jurisdiction=jurisdiction("xuchang"),
        legal_rep="周建国",
    )
    UserFactory(username="agency_sign", role=Role.EMPLOYER, employer=agency, jurisdiction=None)
    page.on("dialog", lambda dialog: dialog.accept())
    login("agency_sign", PASSWORD)
    page.goto(f"{live_server.url}/employers/mine/")
    page.click("#supervision-panel >> text=在线签署")
    assert "坚持遵纪守法　合法合规经营" in page.inner_text("main")
    assert page.input_value("#id_legal_rep_name") == "周建国"
    page.click("button:has-text('签署承诺书')")  # not ticked: refused, nothing written
    assert "请阅读承诺书" in page.inner_text("main") or page.is_visible("#id_agreed:invalid")
    assert not CommitmentLetter.objects.exists()
    page.check("#id_agreed")
    page.click("button:has-text('签署承诺书')")
    page.wait_for_selector("text=已记入本单位信用记录")
    letter = CommitmentLetter.objects.get()
    assert letter.legal_rep_name == "周建国" and letter.record.kind == "credit_commitment"
    with page.expect_download() as download:
        page.click("text=下载承诺书 PDF")
    assert download.value.suggested_filename.endswith(".pdf")
