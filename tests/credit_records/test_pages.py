"""Ledger pages through the Django test client: what each role may see and do."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credit_records import services
from credit_records.models import Attachment, AuditEntry, CreditRecord
from employers.choices import Role
from tests.factories import EmployerFactory, UserFactory, jurisdiction

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login(client, user):
    client.force_login(user)
    return client


def add(employer, **extra):
    fields = {
        "kind": "complaint",
        "date": datetime.date(2024, 4, 1),
        "result": "verified",
        "summary": "职工王小明投诉拖欠工资，电话13912345678",
    }
    fields.update(extra)
    return services.add_record(actor=None, employer=employer, **fields)


@pytest.fixture
def other_employer(db):
    return EmployerFactory(jurisdiction=jurisdiction("xiqing"))


def test_inspector_adds_a_record_with_evidence(client, inspector, employer):
    login(client, inspector)
    page = client.get(reverse("credit_records:add", args=[employer.pk]))
    assert page.status_code == 200
    assert 'data-show-when="kind=violation"' in page.content.decode()
    response = client.post(
        reverse("credit_records:add", args=[employer.pk]),
        {
            "kind": "violation",
            "date": "2024-05-06",
            "severity": "general",
            "category": "wages",
            "rectification": "in_progress",
            "case_no": "郏人社监案〔2024〕7号",
            "source": "complaint",
            "level": "county",  # hidden field left over from another kind: ignored
            "attachments": [SimpleUploadedFile("询问笔录.pdf", PDF, "application/pdf")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = CreditRecord.objects.get()
    assert (record.kind, record.level, record.created_by) == ("violation", "", inspector)
    assert record.attachments.get().original_name == "询问笔录.pdf"
    detail = client.get(reverse("employers:detail", args=[employer.pk])).content.decode()
    assert (
        "劳动保障违法行为被查处" in detail
        and "基础信息" in detail  # SPEC §3 [r2]: a violation that is not major
        and "询问笔录.pdf" in detail
    )


def test_form_shows_service_errors_beside_fields(client, inspector, employer):
    login(client, inspector)
    response = client.post(
        reverse("credit_records:add", args=[employer.pk]),
        {
            "kind": "wage_arrears_blacklist",
            "date": "2024-05-06",
            "end_date": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert "早于" in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_bad_attachment_type_refused(client, inspector, employer):
    login(client, inspector)
    response = client.post(
        reverse("credit_records:add", args=[employer.pk]),
        {
            "kind": "complaint",
            "date": "2024-05-06",
            "result_complaint": "verified",
            "attachments": [
                SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
            ],
        },
    )
    assert response.status_code == 200 and "内容与扩展名不符" in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_correct_and_void_pages_keep_the_original_visible(client, inspector, employer):
    record = add(employer)
    login(client, inspector)
    response = client.post(
        reverse("credit_records:correct", args=[record.pk]),
        {
            "kind": "complaint",
            "date": "2024-04-01",
            "result_complaint": "unfounded",
            "summary": record.summary,
            "reason": "核查结论录入错误",
        },
    )
    assert response.status_code == 302
    correction = CreditRecord.objects.get(supersedes=record)
    assert correction.result == "unfounded"
    response = client.post(
        reverse("credit_records:void", args=[correction.pk]), {"reason": "异议成立"}
    )
    assert response.status_code == 302
    assert not CreditRecord.objects.effective().exists()
    page = client.get(reverse("credit_records:detail", args=[record.pk])).content.decode()
    assert "核查结论录入错误" in page and "异议成立" in page and "已被取代" in page
    panel = client.get(reverse("employers:detail", args=[employer.pk])).content.decode()
    assert "已作废" in panel
    # the superseded original cannot be corrected again
    response = client.post(reverse("credit_records:void", args=[record.pk]), {"reason": "x"})
    assert response.status_code == 200 and "已被更正或作废" in response.content.decode()


def test_employer_sees_its_own_records_masked_and_nothing_else(
    client, employer, employer_user, other_employer
):
    mine = add(employer)
    theirs = add(other_employer)
    login(client, employer_user)
    page = client.get(reverse("employers:mine")).content.decode()
    assert "投诉举报" in page
    assert "王小明" not in page and "王**" in page and "13912345678" not in page
    assert "添加信用记录" not in page
    assert client.get(reverse("credit_records:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("credit_records:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("employers:detail", args=[other_employer.pk])).status_code == 404
    assert (
        client.get(reverse("credit_records:export", args=[other_employer.pk, "csv"])).status_code
        == 404
    )
    export = client.get(reverse("credit_records:export", args=[employer.pk, "csv"])).content.decode(
        "utf-8-sig"
    )
    assert "王小明" not in export and "complaint" in export
    for name, args in [
        ("add", [employer.pk]),
        ("correct", [mine.pk]),
        ("void", [mine.pk]),
        ("import", []),
        ("audit", []),
    ]:
        assert client.get(reverse(f"credit_records:{name}", args=args)).status_code == 403, name


def test_inspector_isolated_to_jurisdiction(client, inspector, other_employer):
    theirs = add(other_employer)
    login(client, inspector)
    assert client.get(reverse("credit_records:add", args=[other_employer.pk])).status_code == 404
    assert client.get(reverse("credit_records:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("credit_records:correct", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("credit_records:void", args=[theirs.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert (
        client.get(reverse("credit_records:export", args=[other_employer.pk, "xlsx"])).status_code
        == 404
    )
    assert not CreditRecord.objects.filter(entry_type="void").exists()


def test_evidence_download_is_permission_checked(client, inspector, employer, employer_user):
    record = services.add_record(
        actor=inspector,
        employer=employer,
        kind="patrol_inspection",
        date=datetime.date(2024, 1, 5),
        result="issue_found",
        attachments=[SimpleUploadedFile("现场照片.pdf", PDF)],
    )
    attachment = Attachment.objects.get(record=record)
    url = reverse("credit_records:download", args=[attachment.pk])
    assert (
        "/media/" not in attachment.file.path.replace("\\", "/")
        or "-evidence" in attachment.file.path
    )
    response = login(client, inspector).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    stranger = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    assert login(client, stranger).get(url).status_code == 404
    assert login(client, employer_user).get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to login


def test_import_preview_then_confirm(client, inspector, django_capture_on_commit_callbacks):
    for uscc in ("91410425MA9JX0001B", "91410425MA9JX0002E", "52410425MJ9JX00033"):
        EmployerFactory(uscc=uscc)
    login(client, inspector)
    with (DATA / "records_good_utf8.csv").open("rb") as fh:
        with django_capture_on_commit_callbacks(execute=True):
            preview = client.post(reverse("credit_records:import"), {"file": fh})
    preview = client.get(preview.url)
    assert preview.status_code == 200 and "将新增 12" in preview.content.decode()
    assert not CreditRecord.objects.exists()
    job = preview.context["job"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:confirm", args=[job.pk]))
    assert response.status_code == 302
    assert CreditRecord.objects.count() == 12
    with (DATA / "records_bad_date.csv").open("rb") as fh:
        with django_capture_on_commit_callbacks(execute=True):
            bad = client.post(reverse("credit_records:import"), {"file": fh})
    bad = client.get(bad.url).content.decode()
    assert "2024-02-30" in bad and "未写入任何数据" in bad


def test_audit_log_for_the_auditor_only_and_scoped(
    client, inspector, employer, other_employer, sysadmin
):
    add(employer, summary="郏县的记录")
    add(other_employer, summary="西青的记录")
    auditor = UserFactory(role=Role.AUDITOR, jurisdiction=jurisdiction("jiaxian"))
    page = login(client, auditor).get(reverse("credit_records:audit"))
    assert page.status_code == 200
    shown = {e.jurisdiction_path for e in page.context["page"]}
    assert "pingdingshan/jiaxian" in shown and "tianjin/xiqing" not in shown
    filtered = client.get(
        reverse("credit_records:audit"), {"action": "credit_records.add", "object": "投诉"}
    )
    assert filtered.status_code == 200
    for user in (inspector, sysadmin):
        assert login(client, user).get(reverse("credit_records:audit")).status_code == 403


def test_admin_is_read_only_even_for_superuser(client, employer):
    record = add(employer)
    superuser = UserFactory(role=Role.SYSADMIN, jurisdiction=None, is_staff=True, is_superuser=True)
    login(client, superuser)
    assert (
        client.get(
            reverse("admin:credit_records_creditrecord_change", args=[record.pk])
        ).status_code
        == 200
    )
    assert client.get(reverse("admin:credit_records_creditrecord_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:credit_records_creditrecord_delete", args=[record.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    audit = AuditEntry.objects.first()
    assert client.get(reverse("admin:audit_auditentry_delete", args=[audit.pk])).status_code == 403
    assert CreditRecord.objects.filter(pk=record.pk).exists()


def test_navigation_links(client, inspector):
    page = login(client, inspector).get(reverse("credit_records:import")).content.decode()
    assert "导入信用记录" in page


def test_interview_button_only_for_c_or_d_employers(
    client, inspector, employer, django_capture_on_commit_callbacks
):
    login(client, inspector)
    url = reverse("employers:detail", args=[employer.pk])
    assert "记录约谈" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # grading regrades live: D (jiaxian.D.1)
        services.add_record(
            actor=inspector,
            employer=employer,
            kind="administrative_penalty",
            date=datetime.date.today() - datetime.timedelta(days=10),
            performance="pending",
            procedure="general",
        )
    page = client.get(url).content.decode()
    assert "记录约谈" in page and "?kind=interview" in page
    form = client.get(reverse("credit_records:add", args=[employer.pk]) + "?kind=interview")
    assert form.context["form"].initial["kind"] == "interview"


def test_admin_writes_and_sign_ins_are_audited(client, sysadmin):
    from employers.models import Jurisdiction

    sysadmin.is_superuser = True
    sysadmin.save()
    login(client, sysadmin)
    street = Jurisdiction.objects.get(code="jiaxian-anliang")
    response = client.post(
        reverse("admin:employers_jurisdiction_change", args=[street.pk]),
        {
            "code": street.code,
            "name": "安良镇（新）",
            "level": street.level,
            "parent": street.parent_id,
            "authority": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.actor == sysadmin and entry.object_repr == "安良镇（新）"
    assert entry.jurisdiction_path == street.path

    client.logout()
    client.post(reverse("login"), {"username": sysadmin.username, "password": "wrong-password"})
    assert AuditEntry.objects.filter(
        action="accounts.login_failed", object_repr=sysadmin.username
    ).exists()
