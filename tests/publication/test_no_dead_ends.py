"""No dead ends (issue 11 item 6): a message that blocks a step says what blocks it and links
to it, and the user who sees the block can open it — the publisher told of an undecided
objection opens that objection."""

import datetime

import pytest
from django.urls import reverse

from employers.choices import Role
from objections import services
from objections.choices import ObjectionKind
from tests.factories import UserFactory, jurisdiction
from tests.objections.conftest import cycle_grade

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def blocked(employer, employer_user):
    cycle, grade = cycle_grade.__wrapped__(employer)
    cycle.notice_start, cycle.notice_end = D(2024, 9, 2), D(2024, 9, 6)
    cycle.save()
    objection = services.file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.GRADE,
        ground="error",
        reasons="违法行为已整改，不应评为C级",
        grade_id=grade.pk,
    )
    return cycle, objection


def test_the_publisher_sees_the_blocking_objection_and_can_open_it(client, blocked):
    cycle, objection = blocked
    publisher = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("jiaxian"))
    client.force_login(publisher)
    page = client.get(reverse("publication:cycle_detail", args=[cycle.pk])).content.decode()
    link = reverse("objections:detail", args=[objection.pk])
    assert 'id="undecided-objections"' in page and link in page
    response = client.post(reverse("publication:cycle_finalise", args=[cycle.pk]), follow=True)
    html = response.content.decode()
    assert "异议未办结" in html and link in html
    detail = client.get(link)
    assert detail.status_code == 200
    assert "违法行为已整改" in detail.content.decode()
