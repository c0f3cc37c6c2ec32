"""Browser: the employer lands on its home after login, follows its C grade to the record the
rule rests on, and files an objection against it (issue 11 items 1 and 8)."""

import datetime

import pytest
from django.utils import timezone

from credit_records.services import add_record
from employers.choices import Role
from grading import rulesets
from objections.models import Objection

from ..factories import PASSWORD, EmployerFactory, UserFactory, jurisdiction

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _employer_with_a_c_grade():
    employer = EmployerFactory(name="郏县顺达物流有限公司", jurisdiction=jurisdiction("jiaxian"))
    UserFactory(
        username="employer_home_e2e", role=Role.EMPLOYER, employer=employer, jurisdiction=None
    )
    violation = add_record(
        actor=None,
        employer=employer,
        kind="violation",
        date=timezone.localdate() - datetime.timedelta(days=40),
        severity="general",
        category="wages",
        rectification="rectified",
        case_no="郏人社监〔2026〕31号",
        document_no="郏人社监责改〔2026〕31号",
    )
    return employer, violation


def test_employer_follows_its_c_grade_to_the_record_and_objects(live_server, page, login):
    employer, violation = _employer_with_a_c_grade()
    login("employer_home_e2e", PASSWORD)
    assert page.url.endswith("/my/grades/")
    card = page.locator(".live-grade[data-grade=C]")
    assert card.count() == 1
    rule = rulesets.latest("jiaxian").rule("jiaxian.C.1")
    assert rule.article in card.inner_text() and rule.text in card.inner_text()
    assert "jiaxian." not in page.content()

    card.locator("a.basis-record").first.click()
    page.wait_for_selector("#record-object")
    assert "郏人社监责改〔2026〕31号" in page.content()
    page.click("#record-object")
    page.wait_for_selector("h1:has-text('提出异议')")
    assert page.locator("select[name=record]").input_value() == str(violation.pk)
    page.select_option("select[name=ground]", "error")
    page.fill("textarea[name=reasons]", "该违法行为已于当日整改完毕，案件编号有误，请予更正。")
    page.click("button:has-text('提交异议')")
    page.wait_for_selector("#case-status")
    assert page.locator("#case-status").inner_text() == "已提交"
    objection = Objection.objects.get(employer=employer)
    assert objection.record_id == violation.pk


def test_employer_home_has_no_sideways_scroll_on_a_phone(live_server, browser):
    _employer_with_a_c_grade()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", "employer_home_e2e")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_selector(".live-grade")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.goto(f"{live_server.url}/public/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
