"""Employer and inspector pages: filing, the queue by due date, acting, and scoping."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats

from employers.choices import Role
from objections.choices import CaseStatus, ObjectionKind
from objections.models import CaseAttachment, Objection
from objections.services import file_objection
from tests.factories import EmployerFactory, UserFactory, jurisdiction

from .helpers import D, penalty

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def record(employer):
    return penalty(employer, D(2024, 9, 2))


@pytest.fixture
def objection(employer, employer_user, record):
    return file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.RECORD,
        ground="error",
        reasons="处罚已撤销",
        record=record,
        today=D(2024, 9, 27),
    )


def test_employer_files_an_objection_with_an_attachment(client, employer_user, record):
    client.force_login(employer_user)
    page = client.get(f"/objections/new/?record={record.pk}")
    assert page.status_code == 200
    response = client.post(
        "/objections/new/",
        {
            "kind": "record",
            "record": record.pk,
            "ground": "error",
            "reasons": "文书号录入错误",
            "attachments": [SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")],
        },
    )
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/objections/{objection.pk}/"
    assert objection.attachments.get().original_name == "证明.pdf"
    detail = client.get(response["Location"]).content.decode()
    assert "已提交" in detail and "撤回申请" in detail


def test_filing_form_shows_errors(client, employer_user):
    client.force_login(employer_user)
    response = client.post(
        "/objections/new/", {"kind": "record", "ground": "error", "reasons": "x"}
    )
    assert response.status_code == 200
    assert "请选择有异议的信用记录" in response.content.decode()
    assert not Objection.objects.exists()


def test_inspector_queue_shows_due_date_and_acts(client, inspector, objection):
    client.force_login(inspector)
    page = client.get("/objections/queue/").content.decode()
    assert f"#{objection.pk}" in page
    assert formats.date_format(D(2024, 10, 8), "DATE_FORMAT") in page
    assert client.post(f"/objections/{objection.pk}/accept/").status_code == 302
    response = client.post(
        f"/objections/{objection.pk}/decide/",
        {
            "d-outcome": "rejected",
            "d-reasons": "证据不足",
            "d-remedy": "",
        },
    )
    assert response.status_code == 302
    assert Objection.objects.get(pk=objection.pk).status == CaseStatus.DECIDED


def test_inspector_refused_transition_shows_a_message(client, inspector, objection):
    client.force_login(inspector)
    response = client.post(f"/objections/{objection.pk}/approve/", follow=True)
    assert "不能执行" in response.content.decode()
    assert Objection.objects.get(pk=objection.pk).status == CaseStatus.SUBMITTED


def test_overdue_tab(client, inspector, objection):
    client.force_login(inspector)
    page = client.get("/objections/queue/?tab=overdue").content.decode()
    assert f"#{objection.pk}" in page  # due 2024-10-08, long past
    assert "已逾期" in page


def test_other_employer_cannot_see_or_act(client, objection):
    other = UserFactory(role=Role.EMPLOYER, employer=EmployerFactory(), jurisdiction=None)
    client.force_login(other)
    assert client.get(f"/objections/{objection.pk}/").status_code == 404
    assert client.post(f"/objections/{objection.pk}/withdraw/").status_code == 404
    assert f"#{objection.pk}" not in client.get("/objections/mine/").content.decode()
    assert Objection.objects.get(pk=objection.pk).status == CaseStatus.SUBMITTED


def test_inspector_of_another_jurisdiction_cannot_see_or_decide(client, objection):
    outsider = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    client.force_login(outsider)
    assert f"#{objection.pk}" not in client.get("/objections/queue/").content.decode()
    assert client.get(f"/objections/{objection.pk}/").status_code == 404
    assert client.post(f"/objections/{objection.pk}/accept/").status_code == 404
    assert Objection.objects.get(pk=objection.pk).status == CaseStatus.SUBMITTED


def test_sysadmin_and_employer_have_no_queue(client, sysadmin, employer_user):
    client.force_login(sysadmin)
    assert client.get("/objections/queue/").status_code == 403
    client.force_login(employer_user)
    assert client.get("/objections/queue/").status_code == 403


def test_employer_withdraws_in_the_page(client, employer_user, objection):
    client.force_login(employer_user)
    assert client.post(f"/objections/{objection.pk}/withdraw/").status_code == 302
    assert Objection.objects.get(pk=objection.pk).status == CaseStatus.WITHDRAWN


def test_employer_page_panel_lists_objections(
    client, employer, employer_user, inspector, objection
):
    client.force_login(employer_user)
    page = client.get(f"/employers/{employer.pk}/").content.decode()
    assert "objections-panel" in page and f"#{objection.pk}" in page and "提出异议" in page
    client.force_login(inspector)
    page = client.get(f"/employers/{employer.pk}/").content.decode()
    assert f"#{objection.pk}" in page and "申请信用修复" not in page


def test_attachment_download_is_scoped(client, employer, employer_user, record):
    objection = file_objection(
        actor=employer_user,
        employer=employer,
        kind=ObjectionKind.RECORD,
        ground="error",
        reasons="x",
        record=record,
        attachments=[SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")],
    )
    attachment = CaseAttachment.objects.get(objection=objection)
    client.force_login(employer_user)
    response = client.get(f"/objections/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    client.force_login(
        UserFactory(role=Role.EMPLOYER, employer=EmployerFactory(), jurisdiction=None)
    )
    assert client.get(f"/objections/attachments/{attachment.pk}/").status_code == 404


def test_repair_form_checks_eligibility(client, employer_user, record):
    client.force_login(employer_user)
    response = client.post(
        "/objections/repairs/new/",
        {
            "record": record.pk,
            "corrected_on": "2024-09-10",
            "reasons": "罚款已缴纳",
            "check": "1",
        },
    )
    assert response.status_code == 200
    assert "修复条件核验" in response.content.decode()
