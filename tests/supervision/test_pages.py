"""Supervision pages with the Django test client: lists scoped to the jurisdiction, the interview
and training lists, exports, the plan form and the task form."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from credit_records.models import CreditRecord
from credit_records.services import add_record
from employers.choices import EmployerKind, Role
from employers.models import Employer
from supervision import services
from supervision.choices import PlanStatus
from supervision.models import PatrolPlan

from ..factories import EmployerFactory, UserFactory, jurisdiction
from .conftest import inspectors, publish_cycle

D = datetime.date
pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def world(db):
    """jiaxian: a published 2024 cycle (C, D, B and an interviewed D), a drawn plan; xiqing: a
    C employer of its own published cycle."""
    w = {}
    w["c"] = EmployerFactory(name="郏县甲C有限公司", jurisdiction=jurisdiction("jiaxian"))
    w["d"] = EmployerFactory(name="郏县乙D有限公司", jurisdiction=jurisdiction("jiaxian"))
    w["b"] = EmployerFactory(name="郏县丙B有限公司", jurisdiction=jurisdiction("jiaxian"))
    w["d_done"] = EmployerFactory(name="郏县丁D已约谈公司", jurisdiction=jurisdiction("jiaxian"))
    w["d_early"] = EmployerFactory(name="郏县戊D早约谈公司", jurisdiction=jurisdiction("jiaxian"))
    w["formula"] = EmployerFactory(name="=CMD()公司", jurisdiction=jurisdiction("jiaxian"))
    publish_cycle(
        "jiaxian",
        2024,
        {
            w["c"]: "C",
            w["d"]: "D",
            w["b"]: "B",
            w["d_done"]: "D",
            w["d_early"]: "D",
            w["formula"]: "C",
        },
    )
    add_record(
        actor=None, employer=w["d_done"], kind="interview", date=D(2025, 2, 3), result="warning"
    )
    add_record(
        actor=None, employer=w["d_early"], kind="interview", date=D(2024, 6, 3), result="reminder"
    )
    w["xq"] = EmployerFactory(name="西青己C有限公司", jurisdiction=jurisdiction("xiqing"))
    publish_cycle("xiqing", 2024, {w["xq"]: "C"})
    w["staff"] = inspectors("jiaxian", 2)
    w["inspector"] = w["staff"][0]
    w["out"] = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    w["plan"] = services.draw_plan(
        actor=None,
        jurisdiction=jurisdiction("jiaxian"),
        period_from=D(2025, 1, 1),
        period_to=D(2025, 12, 31),
        seed=3,
        ratios={"A": 0, "B": 100, "C": 100, "D": 100, "": 0},
    ).plan
    return w


def test_interview_list_is_c_and_d_without_an_interview_after_the_cycle(world, client):
    client.force_login(world["inspector"])
    page = body(client.get(reverse("supervision:interviews")))
    for key in ("c", "d", "d_early", "formula"):
        assert world[key].name in page, key
    for key in ("b", "d_done", "xq"):
        assert world[key].name not in page, key
    everything = body(client.get(reverse("supervision:interviews") + "?all=1"))
    assert world["d_done"].name in everything and "2025年2月3日" in everything


def test_lists_without_a_published_cycle_are_empty(client):
    client.force_login(UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiangjin")))
    for name in ("supervision:interviews", "supervision:training"):
        page = body(client.get(reverse(name)))
        assert "还没有已公布的年度评价结果" in page and "没有符合条件的用人单位" in page


def test_training_list_is_the_c_employers(world, client):
    client.force_login(world["inspector"])
    page = body(client.get(reverse("supervision:training")))
    assert world["c"].name in page and world["formula"].name in page
    for key in ("d", "b", "xq"):
        assert world[key].name not in page, key


def test_lists_are_scoped_to_the_jurisdiction(world, client):
    client.force_login(world["out"])
    for name in ("supervision:interviews", "supervision:training"):
        page = body(client.get(reverse(name)))
        assert world["xq"].name in page if name.endswith("training") else True
        for key in ("c", "d", "formula"):
            assert world[key].name not in page, (name, key)
        # asking for the other jurisdiction by code gives one's own
        page = body(client.get(reverse(name) + "?jurisdiction=jiaxian"))
        assert world["c"].name not in page
    detail = reverse("supervision:plan_detail", args=[world["plan"].pk])
    assert detail not in body(client.get(reverse("supervision:plans")))
    assert client.get(detail).status_code == 404
    assert client.get(detail + "?format=csv").status_code == 404
    task = world["plan"].tasks.first()
    assert client.get(reverse("supervision:task_close", args=[task.pk])).status_code == 404


def test_exports_are_formula_safe(world, client):
    client.force_login(world["inspector"])
    csv = client.get(reverse("supervision:training") + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert (
        text.splitlines()[0]
        == "统一社会信用代码,单位名称,乡镇街道,评价年度,等级,法定代表人,联系电话,最近约谈日期"
    )
    assert "'=CMD()公司" in text
    xlsx = client.get(reverse("supervision:interviews") + "?format=xlsx&all=1")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert "=CMD()公司" in names
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == "=CMD()公司")
    assert cell.data_type == "s"
    assert world["d_done"].name in names  # ?all=1 includes the interviewed


def test_plan_detail_shows_progress_and_the_chart_data(world, client):
    client.force_login(world["inspector"])
    page = body(client.get(reverse("supervision:plan_detail", args=[world["plan"].pk])))
    assert 'id="supervision-progress-data"' in page
    assert "chart.umd.min.js" in page and "supervision.js" in page
    assert world["c"].name in page
    assert "2025年12月31日" in page and "2025-12-31" not in page
    filtered = body(
        client.get(reverse("supervision:plan_detail", args=[world["plan"].pk]) + "?state=done")
    )
    assert "没有符合条件的任务" in filtered


def test_the_task_form_is_pre_filled_and_closes_the_task(world, client):
    task = world["plan"].tasks.select_related("inspector_1").first()
    client.force_login(task.inspector_1)
    url = reverse("supervision:task_close", args=[task.pk])
    form = client.get(url).context["form"]
    assert form.initial["date"] == timezone.localdate()
    assert form.initial["result"] == "no_issue"
    assert "双随机抽查" in form.initial["summary"]
    data = {
        "date": timezone.localdate().isoformat(),
        "result": "no_issue",
        "summary": form.initial["summary"],
        "department": "郏县人力资源和社会保障局",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # sent twice: it is done, nothing added
    assert (
        CreditRecord.objects.filter(employer=task.employer, kind="patrol_inspection").count() == 1
    )
    task.refresh_from_db()
    assert task.is_done
    mine = body(client.get(reverse("supervision:my_tasks") + "?state=done"))
    assert task.employer.name in mine


def test_a_non_drawn_inspector_cannot_open_the_task_form(world, client):
    task = world["plan"].tasks.first()
    client.force_login(UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian")))
    assert client.get(reverse("supervision:task_close", args=[task.pk])).status_code == 403


def test_the_plan_form_creates_a_plan_drawn_in_the_background(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world["inspector"])
    form = client.get(reverse("supervision:plan_new") + "?jurisdiction=jiaxian")
    assert form.context["form"].initial["ratio_a"] == 0  # 郏县 第十四条第（一）项
    assert "免于日常巡视检查" in body(form)
    assert (
        client.get(reverse("supervision:plan_new") + "?jurisdiction=xiqing")
        .context["form"]
        .initial["ratio_a"]
        == 0
    )  # xiqing is not this inspector's: their own is shown
    data = {
        "jurisdiction": "jiaxian",
        "period_from": "2026-01-01",
        "period_to": "2026-06-30",
        "ratio_a": "0",
        "ratio_b": "0",
        "ratio_c": "100",
        "ratio_d": "100",
        "ratio_ungraded": "0",
        "seed": "77",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("supervision:plan_new"), data)
    assert response.status_code == 302
    plan = PatrolPlan.objects.get(period_from=D(2026, 1, 1))
    assert plan.status == PlanStatus.DRAWN and plan.seed == 77 and plan.tasks.count() == 5
    # the same period again: refused with the reason, nothing stored
    again = client.post(reverse("supervision:plan_new"), {**data, "period_to": "2026-03-31"})
    assert again.status_code == 200 and "重叠" in body(again)
    assert PatrolPlan.objects.count() == 2


def test_freshness_and_stale_pages(world, client):
    client.force_login(world["inspector"])
    old = timezone.now() - datetime.timedelta(days=500)
    Employer.objects.filter(pk=world["b"].pk).update(
        updated_at=old, street=jurisdiction("jiaxian-longshan")
    )
    page = body(client.get(reverse("supervision:freshness")))
    assert "龙山街道" in page and "未达标" in page
    stale = body(
        client.get(reverse("supervision:stale") + "?jurisdiction=jiaxian&street=jiaxian-longshan")
    )
    assert world["b"].name in stale and world["c"].name not in stale
    response = client.post(
        reverse("supervision:registry_confirm", args=[world["b"].pk]),
        {"next": reverse("supervision:stale") + "?jurisdiction=jiaxian"},
    )
    assert response.status_code == 302 and response["Location"].startswith(
        "/supervision/registry/stale/"
    )
    table = body(client.get(reverse("supervision:stale") + "?jurisdiction=jiaxian"))
    assert world["b"].name not in table.split('id="stale"')[1]
    # another jurisdiction's inspector sees neither the employer nor a way to confirm it
    client.force_login(world["out"])
    assert world["b"].name not in body(
        client.get(reverse("supervision:stale") + "?jurisdiction=jiaxian")
    )
    assert (
        client.post(reverse("supervision:registry_confirm", args=[world["b"].pk])).status_code
        == 404
    )


def test_commitment_lists_and_panel(world, client):
    agency = EmployerFactory(
        name="郏县人力资源服务甲公司",
        kind=EmployerKind.HR_AGENCY,
        jurisdiction=jurisdiction("jiaxian"),
    )
    user = UserFactory(role=Role.EMPLOYER, employer=agency, jurisdiction=None)
    client.force_login(world["inspector"])
    assert agency.name in body(client.get(reverse("supervision:commitments")))
    client.force_login(world["out"])
    assert agency.name not in body(client.get(reverse("supervision:commitments")))
    client.force_login(user)
    mine = body(client.get(reverse("employers:mine")))
    assert 'id="supervision-panel"' in mine and "在线签署" in mine
    sign_page = body(client.get(reverse("supervision:commitment_sign")))
    assert "坚持以人为本　保障客户权益" in sign_page
    client.post(
        reverse("supervision:commitment_sign"), {"legal_rep_name": "张三丰", "agreed": "on"}
    )
    client.force_login(world["inspector"])
    signed = body(client.get(reverse("supervision:commitments") + "?tab=signed"))
    assert agency.name in signed and "张三丰" in signed
    assert agency.name not in body(client.get(reverse("supervision:commitments")))
    # an enterprise's account has no letter to sign and no panel about it
    enterprise_user = UserFactory(role=Role.EMPLOYER, employer=world["c"], jurisdiction=None)
    client.force_login(enterprise_user)
    assert "无需签署" in body(client.get(reverse("supervision:commitment_sign")))
    assert 'id="supervision-panel"' not in body(client.get(reverse("employers:mine")))


def test_menu_and_workbench_queues(world, client):
    from employers.workbench import queues_for

    client.force_login(world["inspector"])
    home = body(client.get(reverse("home")))
    assert "分类监管" in home and reverse("supervision:my_tasks") in home
    queues = {q.key: q for q in queues_for(world["inspector"])}
    tasks = queues["supervision.my_patrol_tasks"]
    mine = (
        world["plan"].tasks.filter(inspector_1=world["inspector"]).count()
        + world["plan"].tasks.filter(inspector_2=world["inspector"]).count()
    )
    assert tasks.count(world["inspector"]) == mine > 0
    assert all(item.due == D(2025, 12, 31) for item in tasks.items(world["inspector"]))
    interviews = queues["supervision.interviews_due"]
    assert interviews.count(world["inspector"]) == 4
    employer_user = UserFactory(
        role=Role.EMPLOYER,
        employer=EmployerFactory(kind=EmployerKind.HR_AGENCY, jurisdiction=jurisdiction("jiaxian")),
        jurisdiction=None,
    )
    (sign_queue,) = [q for q in queues_for(employer_user) if q.key == "supervision.sign_commitment"]
    assert len(sign_queue.items(employer_user)) == 1


def test_an_approved_override_puts_an_employer_on_the_lists(world, client):
    from grading.choices import OverrideStatus
    from grading.models import Grade, GradeOverride

    grade = Grade.objects.get(employer=world["b"])
    GradeOverride.objects.create(
        grade=grade,
        proposed_grade="C",
        reason="复核",
        proposed_by=world["inspector"],
        status=OverrideStatus.APPROVED,
    )
    client.force_login(world["inspector"])
    assert world["b"].name in body(client.get(reverse("supervision:training")))
    assert world["b"].name in body(client.get(reverse("supervision:interviews")))
