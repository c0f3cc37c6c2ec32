"""Date inputs keep their value (issue 11 item 4): ``<input type="date">`` only takes an ISO
value, and zh-hans used to render 2026/11/20 — the browser dropped it, so a correction form
opened with an empty date and a form sent back with an error lost the date typed."""

import datetime
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from credit_records import services
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def date_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


class OneDate(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_renders_as_iso_in_every_language(language):
    with translation.override(language):
        html = str(OneDate(initial={"day": datetime.date(2026, 11, 20)})["day"])
    assert date_value(html, "day") == "2026-11-20"


@pytest.mark.parametrize("typed", ["2026-11-20", "2026/11/20", "2026年11月20日"])
def test_the_ways_people_type_a_date_are_accepted(typed):
    with translation.override("zh-hans"):
        form = OneDate({"day": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 11, 20)


def test_a_date_posted_with_an_error_comes_back_in_the_input(client, inspector):
    employer = EmployerFactory()
    client.force_login(inspector)
    response = client.post(
        reverse("credit_records:add", args=[employer.pk]),
        {"kind": "violation", "date": "2026-11-20", "summary": "未签订劳动合同"},
    )
    assert response.status_code == 200  # sent back: severity, category… are missing
    assert response.context["form"].errors
    assert date_value(response.content.decode(), "date") == "2026-11-20"


def test_the_correction_form_opens_with_the_records_date(client, inspector):
    employer = EmployerFactory()
    record = services.add_record(
        actor=inspector,
        employer=employer,
        kind="complaint",
        date=datetime.date(2026, 11, 20),
        result="verified",
        summary="投诉拖欠工资",
    )
    client.force_login(inspector)
    html = client.get(reverse("credit_records:correct", args=[record.pk])).content.decode()
    assert date_value(html, "date") == "2026-11-20"
