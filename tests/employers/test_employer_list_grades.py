"""The inspector's employer list (issue 11 item 2): a current-grade column and filters by grade,
rule set, kind and street, so "all D employers of my county" is one click; the sysadmin
(三员分立) sees the registry without grades."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employers.choices import EmployerKind, Role
from grading.models import CurrentGrade
from tests.factories import EmployerFactory, UserFactory, jurisdiction

pytestmark = pytest.mark.django_db


def graded(name, grade, *, street=None, kind=EmployerKind.ENTERPRISE, county="jiaxian"):
    employer = EmployerFactory(
        name=name, street=street, kind=kind, jurisdiction=jurisdiction(county)
    )
    CurrentGrade.objects.create(
        employer=employer,
        ruleset_code=county,
        ruleset_version="2",
        as_of=datetime.date(2025, 6, 30),
        window_start=datetime.date(2024, 7, 1),
        grade=grade,
        computed_at=timezone.now(),
    )
    return employer


@pytest.fixture
def world():
    streets = list(jurisdiction("jiaxian").subtree().filter(level="street").order_by("path")[:2])
    return {
        "d1": graded("郏县甲建筑有限公司", "D", street=streets[0]),
        "d2": graded("郏县乙劳务派遣有限公司", "D", street=streets[1], kind="labor_dispatch"),
        "c": graded("郏县丙餐馆", "C", street=streets[0], kind="individual_business"),
        "a": graded("郏县丁机械有限公司", "A", street=streets[1]),
        "xiqing_d": graded("西青戊有限公司", "D", county="xiqing"),
        "streets": streets,
    }


def names(response):
    return {e.name for e in response.context["page"]}


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"grade": "D"}, {"d1", "d2"}),
        ({"grade": "C"}, {"c"}),
        ({"grade": "D", "kind": "labor_dispatch"}, {"d2"}),
        ({"grade": "D", "street": 0}, {"d1"}),
        ({"grade": "A", "ruleset": "jiaxian"}, {"a"}),
        ({"grade": "D", "ruleset": "jiaxian"}, {"d1", "d2"}),
        ({"grade": "B"}, set()),
        ({}, {"d1", "d2", "c", "a"}),
    ],
)
def test_filters(client, inspector, world, params, expected):
    if "street" in params:
        params = {**params, "street": world["streets"][params["street"]].pk}
    client.force_login(inspector)
    response = client.get(reverse("employers:list"), params)
    assert names(response) == {world[key].name for key in expected}


def test_one_click_to_all_d_employers_of_my_county_and_the_grade_column(client, inspector, world):
    client.force_login(inspector)
    html = client.get(reverse("employers:list")).content.decode()
    assert 'href="?grade=D"' in html and "郏县全部D级单位" in html
    response = client.get(reverse("employers:list") + "?grade=D")
    page = response.content.decode()
    assert names(response) == {world["d1"].name, world["d2"].name}
    assert 'grade-badge grade-D">D<' in page


def test_the_sysadmin_sees_no_grades(client, world):
    sysadmin = UserFactory(role=Role.SYSADMIN, jurisdiction=None, is_staff=True)
    client.force_login(sysadmin)
    response = client.get(reverse("employers:list"), {"grade": "D"})
    assert "当前等级" not in response.content.decode()
    assert len(names(response)) == 5  # the grade filter is not applied for the sysadmin
