"""Browser: a newcomer finishes the demo's cycle from the workbench (issue 11 item 9), and the
staff lists fit a 390 px phone without sideways scrolling (item 8)."""

from io import StringIO

import pytest
from django.core.management import call_command

from employers.management.commands.seed_demo import DEMO_PASSWORD
from grading.choices import CycleStatus
from grading.models import Cycle

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CREDIT_PLATFORM_URL = "/platform-stub/api/messages/"
    settings.CREDIT_PLATFORM_STUB_FAILURE_RATIO = 0.0
    call_command("seed_demo", employers=8, stdout=StringIO())


def test_publisher_finishes_the_seeded_cycle_from_the_workbench(live_server, page, login, demo):
    cycle = Cycle.objects.get(jurisdiction__code="xiqing", status=CycleStatus.PUBLIC_NOTICE)
    page.on("dialog", lambda dialog: dialog.accept())
    login("publisher_xiqing", DEMO_PASSWORD)

    queue = page.locator("#queue-publicationcycles_to_move")
    assert "公示期满后确定结果" in queue.inner_text()
    assert "公示期已满" in queue.inner_text()  # the notice is over: it can be finalised
    queue.locator("a:has-text('公示期满后确定结果')").click()
    page.wait_for_selector("#cycle-status:has-text('公示中')")

    page.click("#finalise")
    page.wait_for_selector("#cycle-status:has-text('已确定')")
    page.click("#publish")
    page.wait_for_selector("#cycle-status:has-text('已公布')", timeout=60000)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.PUBLISHED

    page.goto(f"{live_server.url}/")
    assert "公示期满后确定结果" not in page.inner_text("main")


PHONE_PAGES = [
    ("inspector_jiaxian", "/employers/"),
    ("inspector_jiaxian", "/employers/?grade=D"),
    ("inspector_jiaxian", "/"),
    ("inspector_jiaxian", "/objections/queue/"),
    ("inspector_jiaxian", "/objections/repairs/"),
    ("inspector_jiaxian", "/written-review/queue/"),
    ("inspector_jiaxian", "/written-review/plans/"),
    ("inspector_jiaxian", "/written-review/overdue/"),
    ("supervisor_jiaxian", "/"),
    ("publisher_jiaxian", "/"),
    ("publisher_jiaxian", "/publication/cycles/"),
    ("auditor", "/records/audit/"),
]


def test_staff_lists_fit_a_390_px_phone(browser, live_server, demo):
    """The employer list (and the other staff lists) at 390 px: no sideways scrolling."""
    too_wide = []
    for username in dict.fromkeys(user for user, _ in PHONE_PAGES):
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        phone = context.new_page()
        try:
            phone.goto(f"{live_server.url}/accounts/login/")
            phone.fill("#id_username", username)
            phone.fill("#id_password", DEMO_PASSWORD)
            phone.click("button[type=submit]")
            phone.wait_for_load_state()
            for _, path in (p for p in PHONE_PAGES if p[0] == username):
                phone.goto(f"{live_server.url}{path}")
                width = phone.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    too_wide.append(f"{username} {path}: {width} px")
        finally:
            context.close()
    assert not too_wide, "wider than a 390 px phone: " + "; ".join(too_wide)


def test_a_form_sent_back_keeps_the_date_and_asks_for_the_file_again(
    live_server, page, login, tmp_path
):
    from employers.choices import Role
    from tests.factories import PASSWORD, EmployerFactory, UserFactory, jurisdiction

    employer = EmployerFactory()
    UserFactory(
        username="inspector_forms", role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian")
    )
    evidence = tmp_path / "处罚决定书.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    login("inspector_forms", PASSWORD)
    page.goto(f"{live_server.url}/records/employer/{employer.pk}/new/")
    # Whether the buttons were disabled while the request ran, kept across the page load.
    page.evaluate(
        """document.addEventListener("submit", function (e) {
             var buttons = e.target.querySelectorAll("button[type=submit]");
             sessionStorage.setItem("busy", String(buttons.length > 0 &&
               Array.prototype.every.call(buttons, function (b) { return b.disabled; })));
           });"""
    )
    page.select_option("#id_kind", "violation")
    page.fill("#id_date", "2026-11-20")
    page.set_input_files("input[type=file]", str(evidence))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.wait_for_selector(".reupload-note")

    assert page.evaluate("sessionStorage.getItem('busy')") == "true"
    assert page.input_value("#id_date") == "2026-11-20"  # kept, not blanked
    assert "请重新选择文件" in page.inner_text(".reupload-note")
    assert page.locator("main form button[type=submit]").first.is_enabled()
