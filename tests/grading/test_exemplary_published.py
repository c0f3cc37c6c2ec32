"""The exemplary agencies (诚信机构典型) are printed in the published 附件2 table: once the cycle
is published they can be neither chosen nor dropped (SPEC §8: published results never change)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from credit_records.models import AuditEntry
from employers.choices import Role
from grading import services
from grading.models import Cycle, ExemplaryAgency
from publication import services as publication
from tests.factories import EmployerFactory, UserFactory, jurisdiction

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def published_with_one_exemplary():
    xuchang = jurisdiction("xuchang")
    agencies = [EmployerFactory(jurisdiction=xuchang, kind="hr_agency") for _ in range(40)]
    services.regrade(cycle=2024, jurisdiction=xuchang)  # 40 A-grade agencies → 2 places
    cycle = Cycle.objects.get(jurisdiction=xuchang, year=2024)
    publisher = UserFactory(role=Role.PUBLISHER, jurisdiction=xuchang)
    chosen = services.choose_exemplary(
        actor=publisher, cycle=cycle, employer=agencies[0], reason="助力乡村振兴"
    )
    publication.start_review(cycle=cycle, actor=publisher)
    publication.start_public_notice(
        cycle=cycle, actor=publisher, start=D(2025, 9, 29), today=D(2025, 9, 26)
    )
    publication.finalise(cycle=cycle, actor=publisher, today=D(2025, 10, 13))
    publication.publish(cycle=cycle, actor=publisher)
    cycle.refresh_from_db()
    assert cycle.status == "published"
    return cycle, publisher, chosen, agencies


def test_no_choice_and_no_drop_once_published(published_with_one_exemplary):
    cycle, publisher, chosen, agencies = published_with_one_exemplary
    audit = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="已经公布"):
        services.choose_exemplary(actor=publisher, cycle=cycle, employer=agencies[1], reason="x")
    with pytest.raises(ValidationError, match="已经公布"):
        services.drop_exemplary(actor=publisher, chosen=chosen, reason="撤回")
    assert list(ExemplaryAgency.objects.values_list("employer_id", flat=True)) == [agencies[0].pk]
    assert AuditEntry.objects.count() == audit


def test_a_forged_drop_on_the_page_changes_nothing(client, published_with_one_exemplary):
    cycle, publisher, chosen, agencies = published_with_one_exemplary
    client.force_login(publisher)
    response = client.post(
        reverse("grading:exemplary_drop", args=[chosen.pk]), {"reason": "撤回"}, follow=True
    )
    assert response.status_code == 200
    assert "已经公布" in response.content.decode()
    assert ExemplaryAgency.objects.filter(pk=chosen.pk).exists()
    response = client.post(
        reverse("grading:exemplary_choose", args=[cycle.pk]),
        {"employer": agencies[1].pk, "reason": "x"},
    )
    assert response.status_code == 302
    assert ExemplaryAgency.objects.count() == 1
