"""Inspector pages through the Django test client: what is shown, to whom."""

import json
import re

import pytest
from django.urls import reverse

from employers.choices import Role
from grading import services
from grading.choices import OverrideStatus, RunStatus
from grading.models import Cycle, Grade, GradeOverride, GradingRun
from tests.factories import EmployerFactory, UserFactory, jurisdiction
from tests.grading.records import add

pytestmark = pytest.mark.django_db


def login(client, role, code="jiaxian", **extra):
    user = UserFactory(role=role, jurisdiction=jurisdiction(code) if code else None, **extra)
    client.force_login(user)
    return user


@pytest.fixture
def world():
    penalised = EmployerFactory(name="郏县处罚有限公司")
    add(penalised, "administrative_penalty", "2024-04-01", performance="pending")
    clean = EmployerFactory(name="郏县守法有限公司", street=jurisdiction("jiaxian-longshan"))
    services.regrade(cycle=2024)
    for employer in (penalised, clean):
        services.regrade_employer(employer.pk)
    return {"penalised": penalised, "clean": clean}


def test_employer_page_explains_the_grade(client, world):
    login(client, Role.INSPECTOR)
    page = client.get(reverse("employers:detail", args=[world["penalised"].pk])).content.decode()
    assert 'id="grading-panel"' in page
    assert "jiaxian.D.1" in page and "第十二条第（一）项" in page
    assert "因违反人社法律法规受到行政处罚的" in page
    # The measures of 第十七条 for a penalty, not the blacklist's 联合惩戒.
    assert "列为日常监管重点对象，强化日常巡视检查" in page and "联合惩戒" not in page
    assert "首次评价" in page  # history
    assert "提出等级调整" in page  # the 2024 cycle result can be reviewed


def test_employer_user_does_not_see_internal_grades(client, world):
    employer = world["penalised"]
    user = UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    client.force_login(user)
    page = client.get(reverse("employers:detail", args=[employer.pk])).content.decode()
    assert "grading-panel" not in page and "jiaxian.D.1" not in page


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.EMPLOYER])
def test_grading_pages_refused_to_non_staff(client, world, role):
    if role == Role.EMPLOYER:
        UserFactory(role=role, employer=world["clean"], jurisdiction=None)
        client.force_login(UserFactory(role=role, employer=world["clean"], jurisdiction=None))
    else:
        login(client, role, code=None)
    for name in ("grading:overview", "grading:runs", "grading:screening", "grading:honours"):
        assert client.get(reverse(name)).status_code == 403


def test_overview_shows_distribution_and_chart_data(client, world):
    login(client, Role.SUPERVISOR)
    response = client.get(reverse("grading:overview"), {"jurisdiction": "jiaxian"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="grading-chart-data"' in page and "<script>" not in page.replace('<script src="', "")
    data = json.loads(re.search(r'id="grading-chart-data"[^>]*>(.*?)</script>', page).group(1))
    assert data["by"]["street"]["龙山街道"] == {"B": 1}
    assert data["by"]["kind"]["企业"] == {"D": 1, "B": 1}
    cycle = Cycle.objects.get(jurisdiction__code="jiaxian", year=2024)
    response = client.get(
        reverse("grading:overview"), {"jurisdiction": "jiaxian", "source": cycle.pk}
    )
    assert response.status_code == 200 and "2024年度" in response.content.decode()


def test_start_a_run_and_follow_its_progress(client, world, django_capture_on_commit_callbacks):
    login(client, Role.SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("grading:run_start"),
            {"kind": "cycle", "year": "2024", "jurisdiction": jurisdiction("jiaxian").pk},
        )
    run = GradingRun.objects.order_by("-id").first()
    assert response.status_code == 302 and response.url == reverse(
        "grading:run_detail", args=[run.pk]
    )
    assert run.status == RunStatus.COMPLETE  # eager Celery in tests
    progress = client.get(reverse("grading:run_progress", args=[run.pk])).json()
    assert progress["status"] == "complete" and progress["percent"] == 100
    detail = client.get(reverse("grading:run_detail", args=[run.pk])).content.decode()
    assert 'data-percent="100"' in detail and "data-progress-url" not in detail
    assert 'style="' not in detail  # strict CSP: the bar's width is set by grading.js
    # A run still going polls its progress and reloads the page when it ends.
    running = services.start_run(cycle=2023, jurisdiction=jurisdiction("jiaxian"))
    detail = client.get(reverse("grading:run_detail", args=[running.pk])).content.decode()
    assert reverse("grading:run_progress", args=[running.pk]) in detail
    assert "data-reload-when-done" in detail and 'data-percent="0"' in detail
    assert client.get(reverse("grading:runs")).status_code == 200


def test_auditor_cannot_start_runs(client, world):
    login(client, Role.AUDITOR)
    response = client.post(
        reverse("grading:run_start"), {"kind": "live", "jurisdiction": jurisdiction("jiaxian").pk}
    )
    assert response.status_code == 403


def test_review_through_the_pages(client, world):
    grade = Grade.objects.get(employer=world["penalised"], run__cycle_year=2024)
    login(client, Role.INSPECTOR)
    # SPEC §8 [r2]: a proposal to C must cite its articles (the written notice states them).
    refused = client.post(
        reverse("grading:override_propose", args=[grade.pk]),
        {"proposed_grade": "C", "reason": "已履行处罚决定"},
        follow=True,
    )
    assert "请选择所依据的条款" in refused.content.decode()
    assert not GradeOverride.objects.exists()
    response = client.post(
        reverse("grading:override_propose", args=[grade.pk]),
        {"proposed_grade": "C", "reason": "已履行处罚决定", "cited_rules": ["jiaxian.C.1"]},
    )
    assert response.status_code == 302
    override = GradeOverride.objects.get()
    assert override.cited_rules == ["jiaxian.C.1"]
    assert override.status == OverrideStatus.PENDING
    login(client, Role.SUPERVISOR)
    page = client.get(reverse("grading:overrides")).content.decode()
    assert "已履行处罚决定" in page and "批准" in page
    client.post(reverse("grading:override_decide", args=[override.pk]), {"decision": "approve"})
    override.refresh_from_db()
    assert override.status == OverrideStatus.APPROVED
    cycle = Cycle.objects.get(jurisdiction__code="jiaxian", year=2024)
    page = client.get(reverse("grading:cycle_grades", args=[cycle.pk])).content.decode()
    assert "人工调整" in page and "郏县处罚有限公司" in page


def test_other_jurisdictions_are_out_of_reach(client, world):
    login(client, Role.INSPECTOR, code="xiqing")
    cycle = Cycle.objects.get(jurisdiction__code="jiaxian", year=2024)
    assert client.get(reverse("grading:cycle_grades", args=[cycle.pk])).status_code == 404
    grade = Grade.objects.get(employer=world["penalised"], run__cycle_year=2024)
    response = client.post(
        reverse("grading:override_propose", args=[grade.pk]), {"proposed_grade": "C", "reason": "x"}
    )
    assert response.status_code == 404


def test_screening_and_honours_pages(client, world):
    login(client, Role.PUBLISHER)
    page = client.get(reverse("grading:screening"), {"year": 2024}).content.decode()
    assert "同一主体不同等级" in page and "未发现问题" in page
    page = client.get(reverse("grading:honours"), {"year": 2024}).content.decode()
    assert "授牌" in page
