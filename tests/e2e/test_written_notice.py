"""Browser (SPEC §8 [r2]): during the public notice an employer proposed C opens its written
notice on its own page; the read receipt (first opened at) then appears for the inspector. The
public reads the proposed list on the notice page."""

import datetime

import pytest
from django.utils import timezone

from employers.choices import Role
from publication import services
from publication.models import PublicNotice, WrittenNotice

from ..factories import PASSWORD, UserFactory, jurisdiction
from ..publication.conftest import make_cycle

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = datetime.date


@pytest.fixture
def clock(monkeypatch):
    real = timezone.localdate
    state = {"today": D(2025, 9, 29)}

    def localdate(value=None, timezone=None):
        return real(value, timezone) if value is not None else state["today"]

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return state


def test_employer_opens_its_notice_during_the_notice_and_the_inspector_sees_it(
    live_server, page, login, clock, tmp_path
):
    cycle = make_cycle(
        grades=[("A", ["jiaxian.A.1"]), ("C", ["jiaxian.C.1"])],
        names=["郏县龙山建筑工程有限公司", "郏县堂街镇运输队"],
    )
    told = cycle.test_employers[1]
    publisher = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("jiaxian"))
    UserFactory(username="employer_e2e", role=Role.EMPLOYER, employer=told, jurisdiction=None)
    UserFactory(username="inspector_e2e", role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    services.start_review(cycle=cycle, actor=publisher)
    services.start_public_notice(
        cycle=cycle,
        actor=publisher,
        start=D(2025, 9, 29),
        today=D(2025, 9, 29),
        document_no="郏人社〔2025〕12号",
        contact="郏县劳动保障监察大队 0375-5199999",
    )  # the written notices are issued by the job it queued (eager here)
    notice = WrittenNotice.objects.get(employer=told)
    assert notice.first_opened_at is None

    # The public reads the proposed list on the notice page, without logging in.
    page.goto(f"{live_server.url}/public/")
    page.click("#current-notices a")
    assert "郏人社〔2025〕12号" in page.inner_text("#notice-document-no")
    assert "尚未最终确定" in page.inner_text("#proposed-statement")
    assert "郏县堂街镇运输队" in page.inner_text("#proposed-results")
    page.screenshot(path=str(tmp_path / "public-notice.png"), full_page=True)

    # The employer opens its notice on its own page.
    login("employer_e2e", PASSWORD)
    page.goto(f"{live_server.url}/employers/mine/")
    page.click("text=查看书面告知书（未读）")
    page.click("#open-notice")
    page.wait_for_selector("#notice-text")
    text = page.inner_text("#notice-text")
    assert "C级（一般）" in text and "第十一条" in text and "jiaxian" not in text
    assert "单位已于" in page.inner_text("#read-receipt")
    page.screenshot(path=str(tmp_path / "notice-employer.png"), full_page=True)
    notice.refresh_from_db()
    assert notice.first_opened_at is not None

    # The inspector sees the read receipt on the employer's page.
    page.context.clear_cookies()
    login("inspector_e2e", PASSWORD)
    page.goto(f"{live_server.url}/employers/{told.pk}/")
    receipt = page.inner_text("#published-grades .notice-receipt")
    opened = timezone.localtime(notice.first_opened_at)
    assert (
        receipt.startswith("已查阅") and f"{opened.year}年{opened.month}月{opened.day}日" in receipt
    )
    page.screenshot(path=str(tmp_path / "notice-inspector.png"), full_page=True)
    assert PublicNotice.objects.get(cycle=cycle).document_no == "郏人社〔2025〕12号"
