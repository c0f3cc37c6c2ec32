"""Pages: public lists with no login and nothing personal, downloads, the employer panel, the
cycle page and its buttons, the patrol working list."""

import pytest
from django.urls import reverse
from django.utils import timezone

from employers.choices import Role
from grading.choices import CycleStatus
from grading.models import Cycle
from publication import documents, services
from publication.choices import DocumentKind
from publication.models import CycleDocument, PublishedResult
from tests.factories import EmployerFactory, UserFactory, jurisdiction

from .conftest import D, make_cycle
from .test_workflow import EARLIEST_FINAL, to_final

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_pdfs(monkeypatch):
    """The list PDF is tested in test_documents; here a one-line PDF keeps the suite quick."""
    monkeypatch.setattr(
        documents,
        "grades_pdf",
        lambda rows, path, **kw: [documents._write_pdf("<p>名单</p>", path)],
    )


def publish(cycle, publisher, capture):
    to_final(cycle, publisher, capture)
    with capture(execute=True):
        services.publish(cycle=cycle, actor=publisher)
    fresh = Cycle.objects.get(pk=cycle.pk)
    fresh.test_employers = cycle.test_employers
    return fresh


@pytest.fixture
def published(db, publisher, django_capture_on_commit_callbacks, fast_pdfs):
    cycle = make_cycle(
        grades=[("A", ["jiaxian.A.1"]), ("B", ["jiaxian.B.1"]), ("C", ["jiaxian.C.1"])],
        names=["郏县龙山建筑工程有限公司", "郏县安良镇食品加工厂", "郏县堂街镇运输队"],
    )
    return publish(cycle, publisher, django_capture_on_commit_callbacks)


# --- public pages ------------------------------------------------------------------------------


def test_public_pages_need_no_login_and_show_nothing_personal(client, published):
    index = client.get(reverse("publication:public_index"))
    assert index.status_code == 200
    url = reverse("publication:public_list", args=["jiaxian", 2024])
    assert url in index.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for employer in published.test_employers:
        assert employer.name in html and employer.uscc in html
        # the factory's legal representative and phone: personal data
        assert employer.legal_rep not in html and employer.phone not in html
        assert employer.legal_rep[0] + "*" not in html
    assert "郏县人力资源和社会保障局" in html
    assert "grade-badge grade-C" in html


def test_public_list_is_searchable_by_name_or_uscc(client, published):
    url = reverse("publication:public_list", args=["jiaxian", 2024])
    first, second, third = published.test_employers
    html = client.get(url, {"q": "安良"}).content.decode()
    assert second.name in html and first.name not in html and third.name not in html
    html = client.get(url, {"q": third.uscc.lower()}).content.decode()
    assert third.name in html and first.name not in html


def test_public_list_is_paginated(
    client, db, publisher, django_capture_on_commit_callbacks, fast_pdfs
):
    cycle = make_cycle(grades=[("B", ["jiaxian.B.1"])] * 60)
    publish(cycle, publisher, django_capture_on_commit_callbacks)
    url = reverse("publication:public_list", args=["jiaxian", 2024])
    names = sorted(e.name for e in cycle.test_employers)
    page1 = client.get(url).content.decode()
    page2 = client.get(url, {"page": 2}).content.decode()
    assert names[0] in page1 and names[49] in page1 and names[50] not in page1
    assert names[50] in page2 and names[59] in page2 and names[0] not in page2
    assert "共 60 条" in page1


def test_unpublished_cycles_are_not_public(client, cycle):
    assert client.get(reverse("publication:public_list", args=["jiaxian", 2024])).status_code == 404
    assert "jiaxian/2024" not in client.get(reverse("publication:public_index")).content.decode()


def test_public_page_shows_dated_adjustments(client, published, publisher, monkeypatch):
    result = PublishedResult.objects.get(cycle=published, grade="C")
    day = result.published_at.date()
    monkeypatch.setattr(services.timezone, "localdate", lambda *a: day)
    services.adjust_published_result(
        result=result,
        new_grade="B",
        effective_date=day,
        public_note="经复评调整",
        reason="原处罚决定已撤销（内部理由）",
        actor=publisher,
    )
    html = client.get(reverse("publication:public_list", args=["jiaxian", 2024])).content.decode()
    assert "结果调整公告" in html and "经复评调整" in html and "原公布为C级" in html
    assert "内部理由" not in html


# --- downloads ---------------------------------------------------------------------------------


def test_list_pdf_is_public_other_documents_are_not(client, published, employer_user):
    pdf = CycleDocument.objects.get(cycle=published, kind=DocumentKind.LIST_PDF)
    response = client.get(reverse("publication:document", args=[pdf.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    xlsx = CycleDocument.objects.get(cycle=published, kind=DocumentKind.LIST_XLSX)
    assert client.get(reverse("publication:document", args=[xlsx.pk])).status_code == 302
    client.force_login(employer_user)
    assert client.get(reverse("publication:document", args=[xlsx.pk])).status_code == 403


def test_written_notice_is_for_its_employer_and_staff(client, published, inspector):
    notice = CycleDocument.objects.get(cycle=published, kind=DocumentKind.WRITTEN_NOTICE)
    url = reverse("publication:document", args=[notice.pk])
    assert client.get(url).status_code == 302
    other = EmployerFactory()
    client.force_login(UserFactory(role=Role.EMPLOYER, employer=other, jurisdiction=None))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(role=Role.EMPLOYER, employer=notice.employer, jurisdiction=None))
    assert client.get(url).status_code == 200
    client.force_login(inspector)
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing")))
    assert client.get(url).status_code == 403


# --- employer panel ----------------------------------------------------------------------------


def test_employer_sees_this_and_every_past_years_grade(
    client, db, publisher, django_capture_on_commit_callbacks, fast_pdfs
):
    older = make_cycle(year=2022, grades=[("C", ["jiaxian.C.1"])])
    employer = older.test_employers[0]
    publish(older, publisher, django_capture_on_commit_callbacks)
    newer = make_cycle(year=2023, grades=[])
    from grading.models import Grade

    Grade.objects.create(
        run=newer.run,
        employer=employer,
        ruleset_code="jiaxian",
        ruleset_version="1",
        as_of=D(2023, 12, 31),
        cycle_year=2023,
        grade="B",
        rules=["jiaxian.B.1"],
        **({"jurisdiction": employer.jurisdiction} if hasattr(Grade, "jurisdiction") else {}),
    )
    Cycle.objects.filter(pk=newer.pk).update(status=CycleStatus.COMPUTED)
    publish(newer, publisher, django_capture_on_commit_callbacks)
    client.force_login(UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None))
    html = client.get(reverse("employers:mine")).content.decode()
    assert "历年公布的评价等级" in html
    assert "2022年度" in html and "2023年度" in html
    assert html.index("2023年度") < html.index("2022年度")  # newest first
    assert "书面告知书" in html  # the C year's notice


def test_no_panel_without_published_grades(client, employer_user):
    html = client.get(reverse("employers:mine"), follow=True).content.decode()
    client.force_login(employer_user)
    html = client.get(reverse("employers:mine")).content.decode()
    assert "历年公布的评价等级" not in html


# --- cycle pages -------------------------------------------------------------------------------


def test_cycle_pages_for_staff_only(client, cycle, publisher, employer_user, sysadmin):
    url = reverse("publication:cycle_detail", args=[cycle.pk])
    assert client.get(url).status_code == 302
    for user in (employer_user, sysadmin):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("xiqing")))
    assert client.get(url).status_code == 404
    client.force_login(publisher)
    assert client.get(reverse("publication:cycles")).status_code == 200
    html = client.get(url).content.decode()
    assert "开始人工复核" in html


def test_publisher_takes_the_cycle_through_the_buttons(
    client, cycle, publisher, django_capture_on_commit_callbacks, monkeypatch, fast_pdfs
):
    client.force_login(publisher)
    detail = reverse("publication:cycle_detail", args=[cycle.pk])
    monkeypatch.setattr(services.timezone, "localdate", lambda *a: D(2025, 9, 26))
    client.post(reverse("publication:cycle_review", args=[cycle.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("publication:cycle_written_notices", args=[cycle.pk]))
    client.post(reverse("publication:cycle_notice", args=[cycle.pk]), {"start": "2025-09-29"})
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.PUBLIC_NOTICE
    # Too early: the page says why and nothing changes.
    response = client.post(reverse("publication:cycle_finalise", args=[cycle.pk]), follow=True)
    assert "2025年10月13日起方可确定结果" in response.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.PUBLIC_NOTICE
    monkeypatch.setattr(services.timezone, "localdate", lambda *a: EARLIEST_FINAL)
    client.post(reverse("publication:cycle_finalise", args=[cycle.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("publication:cycle_publish", args=[cycle.pk]))
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.PUBLISHED
    html = client.get(detail).content.decode()
    assert "公布文件" in html and "公众页面" in html
    again = client.post(reverse("publication:cycle_publish", args=[cycle.pk]), follow=True)
    assert "不能重复公布" in again.content.decode()


def test_inspector_cannot_press_the_buttons(client, cycle, inspector):
    client.force_login(inspector)
    assert client.post(reverse("publication:cycle_review", args=[cycle.pk])).status_code == 403
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.COMPUTED


def test_job_progress_json(client, published, publisher):
    job = published.document_jobs.get(kind="publication")
    client.force_login(publisher)
    data = client.get(reverse("publication:job_progress", args=[job.pk])).json()
    assert data["status"] == "done" and data["percent"] == 100 and data["finished"] is True


def test_adjustment_form(client, published, publisher, monkeypatch):
    result = PublishedResult.objects.get(cycle=published, grade="C")
    client.force_login(publisher)
    url = reverse("publication:cycle_adjust", args=[published.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "uscc": "NOPE",
            "new_grade": "B",
            "effective_date": "2030-01-01",
            "public_note": "n",
            "reason": "r",
        },
    )
    assert "本周期公布名单中没有该统一社会信用代码" in response.content.decode()
    response = client.post(
        url,
        {
            "uscc": result.uscc.lower(),
            "new_grade": "B",
            "effective_date": timezone.localdate(result.published_at).isoformat(),
            "public_note": "经复评调整",
            "reason": "复评成立",
            "reference": "复评 #3",
        },
    )
    assert response.status_code == 302
    assert services.current_grade(PublishedResult.objects.get(pk=result.pk)) == "B"


# --- measures in force -------------------------------------------------------------------------


def test_patrol_working_list_from_published_grades(
    client, db, publisher, django_capture_on_commit_callbacks, fast_pdfs
):
    cycle = make_cycle(
        grades=[
            ("A", ["jiaxian.A.1"]),
            ("B", ["jiaxian.B.1"]),
            ("C", ["jiaxian.C.1"]),
            ("D", ["jiaxian.D.1"]),
        ],
        names=["甲", "乙", "丙", "丁"],
    )
    publish(cycle, publisher, django_capture_on_commit_callbacks)
    client.force_login(UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian")))
    html = client.get(reverse("publication:cycle_measures", args=[cycle.pk])).content.decode()
    # seed 000 第十四至十七条: A exempt, B fewer, C more, D key supervision object
    order = [
        html.index(label)
        for label in ("重点监管对象", "增加巡查频次", "减少巡查频次", "免于日常巡查")
    ]
    assert order == sorted(order)
    assert "2025年度日常巡查工作名单" in html
    assert "免于日常巡视检查" in html  # the measure text of grade A (第十四条)
    xlsx = client.get(reverse("publication:cycle_measures", args=[cycle.pk]), {"format": "xlsx"})
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("巡查类别", "单位名称", "统一社会信用代码")
    assert {(r[0], r[1]) for r in rows[1:]} == {
        ("重点监管对象", "丁"),
        ("增加巡查频次", "丙"),
        ("减少巡查频次", "乙"),
        ("免于日常巡查", "甲"),
    }


def test_upheld_re_evaluation_is_listed_for_an_adjustment(client, published, publisher):
    from objections.choices import CaseStatus, ObjectionKind, Outcome
    from objections.models import Objection

    result = PublishedResult.objects.get(cycle=published, grade="C")
    case = Objection.objects.create(
        employer=result.employer,
        kind=ObjectionKind.RE_EVALUATION,
        ground="error",
        reasons="已纠正违法行为",
        received_on=D(2025, 11, 3),
        due_days=3,
        grade_id_ref=result.grade_ref,
        status=CaseStatus.CLOSED,
        outcome=Outcome.UPHELD,
        closed_on=D(2025, 11, 5),
    )
    client.force_login(publisher)
    html = client.get(reverse("publication:cycle_detail", args=[published.pk])).content.decode()
    assert "异议或复评成立、需登记调整的单位" in html
    assert f"?uscc={result.uscc}" in html and f"%20%23{case.pk}" in html
    form = client.get(
        reverse("publication:cycle_adjust", args=[published.pk]),
        {"uscc": result.uscc, "reference": f"复评申请 #{case.pk}"},
    ).content.decode()
    assert f'value="{result.uscc}"' in form and f"复评申请 #{case.pk}" in form
