"""Browser: a publisher takes a cycle from computed grades to a published list — review, written
notices, five working days of public notice by the calendar, final, published — and the public
reads the list without logging in."""

import datetime

import pytest
from django.utils import timezone

from employers.choices import Role
from grading.choices import CycleStatus
from grading.models import Cycle
from publication.models import CycleDocument, OutboxMessage, PlatformStubMessage, PublishedResult

from ..factories import PASSWORD, UserFactory, jurisdiction
from ..publication.conftest import make_cycle
from .conftest import open_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = datetime.date


@pytest.fixture
def clock(monkeypatch):
    """The server's "today" (the test must not depend on the real date or its calendar year):
    2025 is loaded; 29 September + 5 working days ends on 11 October (a make-up Saturday)."""
    real = timezone.localdate
    state = {"today": D(2025, 9, 26)}

    def localdate(value=None, timezone=None):
        return real(value, timezone) if value is not None else state["today"]

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return state


def test_publisher_takes_a_cycle_from_computed_to_published(
    live_server, page, login, clock, settings
):
    settings.CREDIT_PLATFORM_URL = "/platform-stub/api/messages/"
    settings.CREDIT_PLATFORM_STUB_FAILURE_RATIO = 0.0
    cycle = make_cycle(
        grades=[("A", ["jiaxian.A.1"]), ("B", ["jiaxian.B.1"]), ("C", ["jiaxian.C.1"])],
        names=["郏县龙山建筑工程有限公司", "郏县安良镇食品加工厂", "郏县堂街镇运输队"],
    )
    UserFactory(username="publisher_e2e", role=Role.PUBLISHER, jurisdiction=jurisdiction("jiaxian"))
    page.on("dialog", lambda dialog: dialog.accept())

    login("publisher_e2e", PASSWORD)
    open_menu(page, "公示与发布", "年度评价周期")
    page.click("text=2024年度")
    assert page.inner_text("#cycle-status") == "已自动评级"

    page.click("#start-review")
    page.wait_for_selector("#cycle-status:has-text('人工复核中')")

    # SPEC §8 [r2]: the notice page's title, 文号, how to object and contact; the written
    # notices are issued when the notice starts.
    assert page.input_value("#id_start") == "2025-09-26"  # today, a working day
    page.fill("#id_start", "2025-09-29")
    page.fill("#id_document_no", "郏人社〔2025〕12号")
    page.fill("#id_contact", "郏县劳动保障监察大队 0375-5199999")
    page.click("#start-notice")
    page.wait_for_selector("#cycle-status:has-text('公示中')")
    text = page.inner_text("main")
    assert "公示期：2025年9月29日 至 2025年10月11日" in text
    assert "2025年10月13日起可确定结果" in text
    page.wait_for_selector("#written-notices")
    assert "郏县堂街镇运输队" in page.inner_text("#written-notices")
    assert "需书面告知 1 家，其中尚无与当前拟评结果一致的告知书 0 家" in page.inner_text("main")

    page.click("#finalise")  # too early
    page.wait_for_selector(".alert-danger")
    assert "2025年10月13日起方可确定结果" in page.inner_text(".alert-danger")
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.PUBLIC_NOTICE

    clock["today"] = D(2025, 10, 13)
    page.click("#finalise")
    page.wait_for_selector("#cycle-status:has-text('已确定')")

    page.click("#publish")
    page.wait_for_selector("#cycle-status:has-text('已公布')")
    assert "公布名单（PDF）" in page.inner_text("main")
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.PUBLISHED
    assert PublishedResult.objects.filter(cycle=cycle).count() == 3
    assert CycleDocument.objects.filter(cycle=cycle, kind="list_pdf", is_public=True).exists()
    # every result reached the platform stub once
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}
    assert PlatformStubMessage.objects.count() == 3

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/public/")
    page.click("text=2024年度")
    table = page.inner_text("#public-results")
    for name in ("郏县龙山建筑工程有限公司", "郏县安良镇食品加工厂", "郏县堂街镇运输队"):
        assert name in table
    assert "张三丰" not in page.content()  # the legal representative: personal
    page.fill("#id_q", "安良")
    page.click("button:has-text('查询')")
    table = page.inner_text("#public-results")
    assert "郏县安良镇食品加工厂" in table and "郏县堂街镇运输队" not in table
