"""The override decision form sends the supervisor back to the page it came from, and only to a
page of this site (no open redirect through a forged ``next``)."""

import pytest
from django.urls import reverse

from employers.choices import Role
from grading import services
from grading.models import Grade
from tests.factories import EmployerFactory, UserFactory, jurisdiction
from tests.grading.records import add

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending():
    employer = EmployerFactory()
    add(employer, "violation", "2024-05-01")
    grade = Grade.objects.get(run=services.regrade(cycle=2024), employer=employer)
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    return services.propose_override(
        actor=inspector, grade=grade, proposed_grade="B", reason="情节轻微"
    )


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/employers/1/#grading-panel", "/employers/1/#grading-panel"),
        ("https://evil.example/phish", "/grading/overrides/"),
        ("//evil.example/phish", "/grading/overrides/"),
        ("", "/grading/overrides/"),
    ],
)
def test_next_stays_on_the_site(client, pending, next_url, expected):
    supervisor = UserFactory(role=Role.SUPERVISOR, jurisdiction=jurisdiction("jiaxian"))
    client.force_login(supervisor)
    response = client.post(
        reverse("grading:override_decide", args=[pending.pk]),
        {"decision": "reject", "note": "证据不足", "next": next_url},
    )
    assert response.status_code == 302 and response["Location"] == expected
