"""Absurd years on the calendar page (issue 14 item 8): a clear Chinese 404, never a 500."""

import pytest

from employers.choices import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin_client(client):
    client.raise_request_exception = False  # a crash must show as the 500 it would be
    client.force_login(UserFactory(role=Role.SYSADMIN))
    return client


@pytest.mark.parametrize("year", ["0", "1", "2003", "2101", "99999", "9" * 30])
def test_a_year_outside_the_calendar_is_a_clear_404(sysadmin_client, year):
    response = sysadmin_client.get(f"/objections/calendar/{year}/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "工作日历的年份应在 2004 至 2100 年之间" in text
    assert f"没有{year[:12]}" in text
    assert "工作日历" in text  # still the calendar page, with its list of years


def test_the_message_is_also_for_staff(client):
    client.raise_request_exception = False
    client.force_login(UserFactory(role=Role.INSPECTOR))
    response = client.get("/objections/calendar/0/")
    assert response.status_code == 404
    assert "工作日历的年份应在" in response.content.decode()


def test_a_negative_year_is_the_chinese_404(sysadmin_client):
    response = sysadmin_client.get("/objections/calendar/-1/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.parametrize("year", ["2004", "2025", "2100"])
def test_years_in_range_still_show(sysadmin_client, year):
    response = sysadmin_client.get(f"/objections/calendar/{year}/")
    assert response.status_code == 200
    assert "工作日历的年份应在" not in response.content.decode()
