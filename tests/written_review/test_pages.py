"""The written review's pages with the Django test client: scoping (an employer never sees
another's declaration or papers), ID numbers masked except on the inspector's review page, the
roster upload's errors, plans, progress, exports, the 建议书 PDF."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from employers.choices import Role
from employers.workbench import queues_for
from written_review import services
from written_review.models import RosterEntry

from ..factories import EmployerFactory, UserFactory, jurisdiction
from .helpers import DATA, PROBLEM_CONTRACT, D, declare, proposed, submitted

FULL_ID = "410425198801011001"  # 王建国 of roster_good_utf8.csv
MASKED_ID = "410***********1001"


@pytest.fixture
def other(jx, inspector, plan):
    """A second sampled employer of the same plan with its own user and papers."""
    employer = EmployerFactory(jurisdiction=jx, name="郏县另一家公司")
    services.add_manual(actor=inspector, plan=plan, employer=employer, reason="测试")
    review = plan.reviews.get(employer=employer)
    user = UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    declare(review, user)
    return review, user


def client_for(client, user):
    client.force_login(user)
    return client


def test_an_employer_cannot_see_anothers_declaration_or_documents(client, review, owner, other):
    other_review, _user = other
    document = other_review.documents.first()
    c = client_for(client, owner)
    assert c.get(reverse("written_review:review", args=[review.pk])).status_code == 200
    for url in (
        reverse("written_review:review", args=[other_review.pk]),
        reverse("written_review:declare", args=[other_review.pk]),
        reverse("written_review:document", args=[document.pk]),
        reverse("written_review:suggestion_pdf", args=[other_review.pk]),
    ):
        assert c.get(url).status_code == 404, url
    for url in (
        reverse("written_review:roster_upload", args=[other_review.pk]),
        reverse("written_review:submit", args=[other_review.pk]),
        reverse("written_review:document_delete", args=[document.pk]),
    ):
        assert c.post(url).status_code == 404, url
    mine = c.get(reverse("written_review:mine")).content.decode()
    assert reverse("written_review:review", args=[review.pk]) in mine
    assert reverse("written_review:review", args=[other_review.pk]) not in mine
    assert other_review.documents.count() == 29  # nothing deleted


def test_staff_of_another_jurisdiction_see_nothing(client, other):
    other_review, _user = other
    outsider = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    c = client_for(client, outsider)
    assert c.get(reverse("written_review:review", args=[other_review.pk])).status_code == 404
    doc = other_review.documents.first()
    assert c.get(reverse("written_review:document", args=[doc.pk])).status_code == 404
    assert c.get(reverse("written_review:plan", args=[other_review.plan_id])).status_code == 404


def test_the_owner_downloads_its_own_papers(client, other):
    other_review, user = other
    doc = other_review.documents.first()
    response = client_for(client, user).get(reverse("written_review:document", args=[doc.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_id_numbers_are_masked_except_on_the_inspectors_review_page(
    client, other, inspector, supervisor
):
    review, user = other
    url = reverse("written_review:review", args=[review.pk]) + "?roster=all"
    pages = {
        "owner": client_for(client, user).get(url).content.decode(),
        "supervisor": client_for(client, supervisor).get(url).content.decode(),
        "inspector": client_for(client, inspector).get(url).content.decode(),
    }
    assert FULL_ID not in pages["owner"] and MASKED_ID in pages["owner"]
    assert FULL_ID not in pages["supervisor"] and MASKED_ID in pages["supervisor"]
    assert FULL_ID in pages["inspector"]
    employer_page = client_for(client, inspector).get(
        reverse("employers:detail", args=[review.employer_id])
    )
    assert FULL_ID not in employer_page.content.decode()


def test_roster_upload_page_all_or_nothing(client, review, owner, inspector):
    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    c = client_for(client, owner)
    url = reverse("written_review:roster_upload", args=[review.pk])
    with open(DATA / "roster_bad_id.csv", "rb") as f:
        response = c.post(url, {"file": f})
    assert response.status_code == 400
    body = response.content.decode()
    assert "row 3, id_number: 身份证号码“410425199002041070”校验位不正确" in body
    assert not RosterEntry.objects.filter(review=review).exists()
    with open(DATA / "roster_good_gb18030.csv", "rb") as f:
        response = c.post(url, {"file": f})
    assert response.status_code == 302
    assert RosterEntry.objects.filter(review=review).count() == 7


def test_declaration_form_saves_a_draft(client, review, owner, inspector):
    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    c = client_for(client, owner)
    url = reverse("written_review:declare", args=[review.pk])
    assert "劳动保障监察书面审查表" in c.get(url).content.decode()
    response = c.post(url, {"contact_name": "李会计", "headcount": "7", "hours_systems": ["standard",
                      "comprehensive"], "payroll_concealed": "0", "sanctioned": "1",
                      "payday": "15"})  # fmt: skip
    assert response.status_code == 302
    d = review.declaration.__class__.objects.get(review=review)
    assert (d.contact_name, d.headcount, d.hours_systems, d.payroll_concealed, d.sanctioned) == (
        "李会计", 7, ["standard", "comprehensive"], False, True,
    )  # fmt: skip
    page = c.get(reverse("written_review:review", args=[review.pk])).content.decode()
    assert "实行综合计算工时制的，应填写审批文号" in page
    assert c.post(url, {"payday": "32"}).status_code == 200  # shown again with the error


def test_documents_upload_by_checklist_field_names(client, review, owner, inspector):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.notify_review(actor=inspector, review=review, today=D(2026, 3, 2))
    declare(review, owner, documents=False)
    worker = review.roster.filter(sampled=True).first()
    c = client_for(client, owner)
    pdf = b"%PDF-1.4\n%%EOF\n"
    response = c.post(
        reverse("written_review:documents_upload", args=[review.pk]),
        {
            "unit-license": SimpleUploadedFile("执照.pdf", pdf),
            f"worker-{worker.pk}-labor_contract": SimpleUploadedFile("合同.pdf", pdf),
        },
    )
    assert response.status_code == 302
    assert sorted(review.documents.values_list("doc_type", "worker_id")) == [
        ("labor_contract", worker.pk),
        ("license", None),
    ]
    not_drawn = review.roster.filter(sampled=False).first()
    c.post(
        reverse("written_review:documents_upload", args=[review.pk]),
        {f"worker-{not_drawn.pk}-labor_contract": SimpleUploadedFile("合同.pdf", pdf)},
    )
    assert review.documents.count() == 2


def test_plan_pages(client, inspector, jx, django_capture_on_commit_callbacks):
    EmployerFactory(jurisdiction=jx, industry="construction", name="郏县建工集团")
    c = client_for(client, inspector)
    response = c.post(reverse("written_review:plan_create"), {
        "jurisdiction": jx.pk, "year": 2025, "ratio_a": "5", "ratio_b": "50", "ratio_c": "95",
        "ratio_d": "95", "ratio_ungraded": "10", "workers_base": 5, "workers_mid": 10,
        "workers_high": 20, "mid_above": 100, "high_above": 1000})  # fmt: skip
    assert "A级抽取比例不得高于 3%（填写的是 5%）" in response.content.decode()
    response = c.post(reverse("written_review:plan_create"), {
        "jurisdiction": jx.pk, "year": 2025, "ratio_a": "3", "ratio_b": "50", "ratio_c": "95",
        "ratio_d": "95", "ratio_ungraded": "0", "workers_base": 5, "workers_mid": 10,
        "workers_high": 20, "mid_above": 100, "high_above": 1000})  # fmt: skip
    assert response.status_code == 302
    plan_url = response["Location"]
    plan_id = int(plan_url.rstrip("/").split("/")[-1])
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("written_review:plan_draw", args=[plan_id]), {"seed": "123"})
    page = c.get(plan_url).content.decode()
    assert "郏县建工集团" in page and "重点行业" in page and "123" in page
    progress = c.get(reverse("written_review:plan_draw_progress", args=[plan_id])).json()
    assert progress["status"] == "drawn" and progress["percent"] == 100
    assert "合计" in c.get(reverse("written_review:plan_progress", args=[plan_id])).content.decode()
    for what in ("sample", "overdue", "problems"):
        response = c.get(reverse("written_review:plan_export", args=[plan_id, what]))
        assert response.status_code == 200 and response.content.startswith(b"PK")
    xlsx = c.get(reverse("written_review:plan_progress", args=[plan_id]) + "?format=xlsx")
    assert xlsx.content.startswith(b"PK")


def test_progress_counts_by_street(client, plan, review, owner, inspector, supervisor, other):
    submitted(review, inspector=inspector, owner=owner)
    proposed(review, inspector=inspector, problems=[PROBLEM_CONTRACT])
    services.decide(actor=supervisor, review=review, approve=True, today=D(2026, 4, 1))
    c = client_for(client, inspector)
    from written_review import selectors

    data = selectors.progress(plan.reviews.all(), D(2026, 4, 2))
    # sampled, notified, declared, returned, reviewed, approved, problems, rectified, overdue
    assert data["total"] == [2, 2, 1, 0, 1, 1, 1, 0, 1]
    page = c.get(reverse("written_review:plan_progress", args=[plan.pk])).content.decode()
    assert "wr-progress-data" in page


def test_overdue_list_and_queues(client, plan, review, inspector, owner, other):
    services.notify_review(actor=inspector, review=review, today=D(2024, 3, 1))
    c = client_for(client, inspector)
    body = c.get(reverse("written_review:overdue")).content.decode()
    assert "郏县书审测试机械有限公司" in body
    keys = {q.key for q in queues_for(inspector)}
    assert {"written_review.to_review", "written_review.overdue"} <= keys
    overdue_queue = next(q for q in queues_for(inspector) if q.key == "written_review.overdue")
    assert overdue_queue.count(inspector) == 2  # both notified in the past
    declare_queue = next(q for q in queues_for(owner) if q.key == "written_review.declare")
    assert [i.subject for i in declare_queue.items(owner)] == ["郏县书审测试机械有限公司"]


def test_employer_page_panel(client, review, owner):
    body = client_for(client, owner).get(reverse("employers:mine"), follow=True)
    assert "written-review-panel" in body.content.decode()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_suggestion_pdf(client, review, owner, inspector, supervisor, tmp_path):
    submitted(review, inspector=inspector, owner=owner)
    proposed(review, inspector=inspector, problems=[PROBLEM_CONTRACT])
    services.decide(actor=supervisor, review=review, approve=True, today=D(2026, 4, 1))
    response = client_for(client, owner).get(
        reverse("written_review:suggestion_pdf", args=[review.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "s.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    text = "".join(text.split())
    for expected in ("劳动保障监察书面审查处理建议书", "郏县人社监书审建〔2026〕1号",
                     "郏县书审测试机械有限公司", "《劳动合同法》第十七条", "2026年12月31日前",
                     "第1页共1页"):  # fmt: skip
        assert expected in text
