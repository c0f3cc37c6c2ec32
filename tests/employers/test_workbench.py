"""The staff workbench (issue 11 item 2): the home page of each staff role counts and lists
what waits for this user, soonest due first, with the working days left."""

import datetime

import pytest
from django.urls import reverse

from employers.choices import Role
from employers.workbench import workbench_for
from grading.choices import CycleStatus
from objections import services
from objections.choices import ObjectionKind
from tests.factories import EmployerFactory, UserFactory, jurisdiction
from tests.objections.helpers import penalty
from tests.publication.conftest import make_cycle

pytestmark = pytest.mark.django_db

D = datetime.date
RECEIVED = D(2024, 9, 27)  # due three working days later: 2024-10-08 (National Day holiday)


def file(employer, user, day, record_day):
    return services.file_objection(
        actor=user,
        employer=employer,
        kind=ObjectionKind.RECORD,
        ground="error",
        reasons="处罚决定已被复议撤销",
        record=penalty(employer, record_day, document_no=f"郏人社罚〔2024〕{record_day.day}号"),
        today=day,
    )


@pytest.fixture
def objections(employer, employer_user):
    other = EmployerFactory(jurisdiction=jurisdiction("xiqing"))
    other_user = UserFactory(role=Role.EMPLOYER, employer=other, jurisdiction=None)
    return [
        file(employer, employer_user, RECEIVED, D(2024, 9, 2)),
        file(employer, employer_user, D(2024, 9, 23), D(2024, 9, 3)),  # due 2024-09-26
        file(other, other_user, RECEIVED, D(2024, 9, 4)),  # another county
    ]


def queue(queues, key):
    return next(q for q in queues if q.key == key)


def test_inspector_counts_only_own_county_sorted_by_due_with_working_days(objections, inspector):
    queues = workbench_for(inspector, D(2024, 9, 27))
    todo = queue(queues, "objections.to_handle")
    assert todo.count == 2
    dues = [row["item"].due for row in todo.items]
    assert dues == sorted(dues) and dues[0] == D(2024, 9, 26)
    assert todo.items[0]["overdue"] and todo.items[0]["left"] == -1
    # 27 Sep (Fri) → 8 Oct: 29 Sep (a make-up Sunday), 30 Sep and 8 Oct; 1–7 Oct is the holiday.
    assert todo.items[1]["left"] == 3
    assert queues[0].count > 0  # queues with work come first


def test_home_page_shows_the_workbench(client, objections, inspector):
    client.force_login(inspector)
    page = client.get(reverse("home"))
    html = page.content.decode()
    assert page.context["waiting"] >= 2
    assert "待处理的异议" in html and 'data-count="2"' in html
    assert reverse("objections:detail", args=[objections[0].pk]) in html
    assert "已逾期" in html or "剩" in html


def test_supervisor_and_publisher_queues(supervisor):
    make_cycle(status=CycleStatus.UNDER_REVIEW)
    make_cycle(year=2023, status=CycleStatus.PUBLISHED)
    publisher = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("jiaxian"))
    cycles = queue(workbench_for(publisher, D(2025, 3, 3)), "publication.cycles_to_move")
    assert cycles.count == 1
    assert cycles.items[0]["item"].title == "复核完毕后发布公示"
    keys = {q.key for q in workbench_for(supervisor, D(2025, 3, 3))}
    assert {"grading.overrides_to_approve", "objections.to_approve"} <= keys
    assert "publication.cycles_to_move" not in keys


def test_the_employer_still_goes_to_its_own_page(client, employer_user):
    client.force_login(employer_user)
    assert client.get(reverse("home")).url == reverse("publication:employer_home")
