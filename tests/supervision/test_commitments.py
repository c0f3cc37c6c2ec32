"""Commitment letters (seed 003 一(一), 附件1): signed online by the agency's user, one
``credit_commitment`` record exactly, a PDF, and reminders to those that have not signed."""

import datetime
import shutil
import subprocess
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from credit_records.models import AuditEntry, CreditRecord
from employers.choices import EmployerKind, Role
from objections.models import Notification
from supervision import letters, selectors, services
from supervision.models import CommitmentLetter, CommitmentReminder

from ..factories import EmployerFactory, UserFactory, jurisdiction

D = datetime.date
TODAY = D(2025, 3, 4)


@pytest.fixture
def agency(db):
    return EmployerFactory(
        name="许昌鑫源人力资源服务有限公司",
        kind=EmployerKind.HR_AGENCY,
        jurisdiction=jurisdiction("xuchang-weidu"),
        legal_rep="李建华",
    )


@pytest.fixture
def agency_user(agency):
    return UserFactory(
        role=Role.EMPLOYER, employer=agency, jurisdiction=None, email="hr@example.com"
    )


def sign(agency_user, agency, name="李建华", today=TODAY):
    return services.sign_commitment(
        actor=agency_user, employer=agency, legal_rep_name=name, agreed=True, today=today
    )


@pytest.mark.django_db
def test_signing_adds_one_credit_commitment_record(agency, agency_user):
    letter = sign(agency_user, agency)
    record = letter.record
    assert (record.kind, record.date, record.employer) == ("credit_commitment", TODAY, agency)
    assert "李建华" in record.summary and "2025年度" in record.summary
    assert letter.text == letters.letter_text(
        unit_name=agency.name, legal_rep_name="李建华", signed_on=TODAY
    )
    assert "我代表许昌鑫源人力资源服务有限公司，" in letter.text
    assert "坚持诚信服务　杜绝欺诈行为" in letter.text and "2025年3月4日" in letter.text
    entry = AuditEntry.objects.get(action="supervision.commitment_sign")
    assert entry.actor == agency_user and entry.after["registry_legal_rep_matches"] is True


@pytest.mark.django_db
def test_a_double_submit_adds_exactly_one_record(agency, agency_user):
    first = sign(agency_user, agency)
    with pytest.raises(services.AlreadySigned) as info:
        sign(agency_user, agency)
    assert info.value.letter == first
    assert CreditRecord.objects.filter(employer=agency, kind="credit_commitment").count() == 1
    assert CommitmentLetter.objects.count() == 1
    # next year is another letter
    sign(agency_user, agency, today=D(2026, 1, 5))
    assert CommitmentLetter.objects.filter(employer=agency).count() == 2


@pytest.mark.django_db
def test_the_form_sent_twice_signs_once(agency, agency_user, client):
    client.force_login(agency_user)
    data = {"legal_rep_name": "李建华", "agreed": "on"}
    first = client.post(reverse("supervision:commitment_sign"), data)
    second = client.post(reverse("supervision:commitment_sign"), data)
    assert first.status_code == second.status_code == 302
    assert CreditRecord.objects.filter(employer=agency, kind="credit_commitment").count() == 1
    page = client.get(reverse("supervision:commitment_sign")).content.decode()
    assert "签署本年度诚信承诺书（承诺人：李建华）" in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submits_at_the_same_moment_sign_once(agency, agency_user):
    """Two requests at once (two tabs): the employer row lock serialises them; the second finds
    the letter and adds nothing."""
    results, barrier = [], threading.Barrier(2)

    def submit():
        try:
            barrier.wait()
            results.append(sign(agency_user, agency))
        except services.AlreadySigned as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(r).__name__ for r in results) == ["AlreadySigned", "CommitmentLetter"]
    assert CreditRecord.objects.filter(employer=agency, kind="credit_commitment").count() == 1


@pytest.mark.django_db
def test_only_the_agency_itself_signs_and_only_an_agency(agency, agency_user):
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xuchang"))
    other = UserFactory(role=Role.EMPLOYER, employer=EmployerFactory(), jurisdiction=None)
    for actor in (inspector, other):
        with pytest.raises(PermissionDenied):
            sign(actor, agency)
    enterprise_user = other
    with pytest.raises(ValidationError, match="人力资源服务机构"):
        sign(enterprise_user, enterprise_user.employer)
    with pytest.raises(ValidationError) as info:
        services.sign_commitment(
            actor=agency_user, employer=agency, legal_rep_name=" ", agreed=False, today=TODAY
        )
    assert set(info.value.message_dict) == {"legal_rep_name", "agreed"}
    assert not CreditRecord.objects.exists()


@pytest.mark.django_db
def test_a_job_agency_signs_too_a_dispatch_firm_does_not():
    job = EmployerFactory(kind=EmployerKind.JOB_AGENCY)
    dispatch = EmployerFactory(kind=EmployerKind.LABOR_DISPATCH)
    assert selectors.is_agency(job) and not selectors.is_agency(dispatch)


@pytest.mark.django_db
def test_reminders_reach_unsigned_agencies_once_a_day(agency, agency_user, mailoutbox):
    signed = EmployerFactory(kind=EmployerKind.HR_AGENCY, jurisdiction=jurisdiction("xuchang"))
    signed_user = UserFactory(role=Role.EMPLOYER, employer=signed, jurisdiction=None)
    sign(signed_user, signed)
    no_account = EmployerFactory(kind=EmployerKind.HR_AGENCY, jurisdiction=jurisdiction("xuchang"))
    elsewhere = EmployerFactory(kind=EmployerKind.HR_AGENCY, jurisdiction=jurisdiction("jiaxian"))
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xuchang"))
    unsigned = set(selectors.unsigned_agencies(inspector, 2025))
    assert unsigned == {agency, no_account}  # not the signed one, not jiaxian's
    assert elsewhere not in unsigned
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        result = services.remind_unsigned(actor=inspector, year=2025, today=TODAY)
    assert (result.reminded, result.without_account, result.already_today) == (1, 1, 0)
    note = Notification.objects.get(recipient=agency_user)
    assert "2025年度" in note.subject and note.url == reverse("supervision:commitment_sign")
    assert [m.to for m in mail.outbox] == [["hr@example.com"]]
    again = services.remind_unsigned(actor=inspector, year=2025, today=TODAY)
    assert (again.reminded, again.already_today) == (0, 2)
    assert CommitmentReminder.objects.count() == 2
    assert AuditEntry.objects.filter(action="supervision.commitment_remind").count() == 1
    annotated = {
        e.pk: (e.reminders, e.last_reminded) for e in selectors.unsigned_agencies(inspector, 2025)
    }
    assert annotated[agency.pk] == (1, TODAY)


@pytest.mark.django_db
def test_the_letter_pdf(agency, agency_user, client, tmp_path):
    letter = sign(agency_user, agency)
    client.force_login(agency_user)
    response = client.get(reverse("supervision:commitment_pdf", args=[letter.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "letter.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        for expected in (
            "人力资源服务机构诚信承诺书",
            agency.name,
            "李建华",
            "2025年3月4日",
            "第1页共1页",
        ):
            assert expected in text, expected
    # Staff of another jurisdiction do not get it.
    client.force_login(UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian")))
    assert client.get(reverse("supervision:commitment_pdf", args=[letter.pk])).status_code == 404
