"""Browser: a sampled employer declares online with its roster and papers, the inspector reviews
and builds the 问题清单, the supervisor approves, and the employer sees its problem list
(SPEC §10; seed 002 三(一))."""

from pathlib import Path

import pytest
from django.utils import timezone

from employers.choices import Role
from written_review import services
from written_review.models import Review

from ..factories import PASSWORD, EmployerFactory, UserFactory, jurisdiction
from .conftest import open_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parent.parent / "data"
PAPER = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login_as(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before each step
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def test_declare_review_approve_and_see_the_problem_list(live_server, browser, tmp_path):
    jx = jurisdiction("jiaxian")
    employer = EmployerFactory(name="郏县汇丰纺织有限公司", jurisdiction=jx)
    UserFactory(username="wr_employer", role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    inspector = UserFactory(username="wr_inspector", role=Role.INSPECTOR, jurisdiction=jx)
    UserFactory(username="wr_supervisor", role=Role.SUPERVISOR, jurisdiction=jx)
    plan = services.create_plan(actor=inspector, jurisdiction=jx, year=2025)
    services.add_manual(actor=inspector, plan=plan, employer=employer, reason="投诉线索")
    services.start_draw(actor=inspector, plan=plan, seed=2025, run_now=True)
    services.run_draw(plan.pk)
    review = Review.objects.get(plan=plan, employer=employer)
    services.notify_review(actor=inspector, review=review, today=timezone.localdate())
    paper = tmp_path / "材料.pdf"
    paper.write_bytes(PAPER)

    # The employer declares.
    context, page = login_as(browser, live_server, "wr_employer")
    open_menu(page, "书面审查", "本单位书面审查")
    page.click("#mine a")
    page.wait_for_selector("#notice")
    page.click("#edit-declaration")
    page.wait_for_selector("h1:has-text('在线申报')")
    for field, value in {
        "contact_name": "李会计", "contact_phone": "0375-5123456", "headcount": "7",
        "contracts_signed": "7", "dispatched_workers": "0", "pension_insured": "7",
        "medical_insured": "7", "injury_insured": "7", "unemployment_insured": "7",
        "payday": "15",
    }.items():  # fmt: skip
        page.fill(f"#id_{field}", value)
    page.check("#id_hours_systems_0")
    for field in ("payroll_concealed", "wage_violation", "hours_violation", "sanctioned"):
        page.select_option(f"#id_{field}", "0")
    page.click("button:has-text('保存（草稿）')")
    page.wait_for_selector("#roster")
    page.set_input_files("#id_roster_file", str(DATA / "roster_good_utf8.csv"))
    page.click("#roster button[type=submit]")
    page.wait_for_selector("#roster-table")
    assert page.locator("#roster-table tbody tr").count() == 5  # 5 of 7 workers drawn
    drawn_id = review.roster.filter(sampled=True).values_list("id_number", flat=True).first()
    assert drawn_id not in page.content()  # masked for the employer
    assert f"{drawn_id[:3]}***********{drawn_id[-4:]}" in page.content()
    inputs = page.locator("#checklist input[type=file]")
    assert inputs.count() == 29  # 4 unit papers + 5 workers × 5 papers
    for i in range(inputs.count()):
        inputs.nth(i).set_input_files(str(paper))
    page.click("#upload-documents")
    page.wait_for_selector("text=申报材料已齐备，可以提交。")
    page.click("#submit-declaration")
    page.wait_for_selector("#review-status:has-text('已申报（待审查）')")
    context.close()

    # The inspector reviews and proposes 基本合格 with one problem.
    context, page = login_as(browser, live_server, "wr_inspector")
    open_menu(page, "书面审查", "审查工作台")
    page.click("#queue a:has-text('郏县汇丰纺织有限公司')")
    page.wait_for_selector("#review")
    assert drawn_id in page.content()  # in full on the inspector's review page
    page.select_option("#id_labor_contract", "problem")
    for area in ("wages", "working_hours", "social_insurance"):
        page.select_option(f"#id_{area}", "no_problem")
    page.click("button:has-text('保存审查判断')")
    page.wait_for_selector("#problem-form")
    page.select_option("#problem-form select[name=area]", "labor_contract")
    page.fill(
        "#problem-form textarea[name=description]", "2名职工的劳动合同未约定工作时间和休息休假"
    )
    page.fill("#problem-form input[name=legal_basis]", "《劳动合同法》第十七条")
    page.click("button:has-text('加入问题清单')")
    page.wait_for_selector("#draft-problems:has-text('未约定工作时间')")
    page.select_option("select[name=result]", "basically_qualified")
    page.click("#propose")
    page.wait_for_selector("#review-status:has-text('已提出审查意见')")
    context.close()

    # The supervisor approves.
    context, page = login_as(browser, live_server, "wr_supervisor")
    page.goto(f"{live_server.url}/written-review/reviews/{review.pk}/")
    page.select_option("#decision-form select[name=decision]", "approve")
    page.fill("#decision-form textarea[name=note]", "同意")
    page.click("#decide")
    page.wait_for_selector("#review-status:has-text('已审批')")
    context.close()

    # The employer sees the result and the problem list at once.
    context, page = login_as(browser, live_server, "wr_employer")
    page.goto(f"{live_server.url}/written-review/reviews/{review.pk}/")
    assert page.locator("#review-result").inner_text() == "基本合格"
    problems = page.locator("#problem-list")
    assert "2名职工的劳动合同未约定工作时间和休息休假" in problems.inner_text()
    assert "待整改" in problems.inner_text()
    assert page.locator("#suggestion-link").count() == 1
    context.close()
