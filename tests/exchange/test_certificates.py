"""Grade certificates and their public verification (seed 002 四(三); SPEC §12)."""

import re
import shutil
import subprocess

import pytest
from django.utils import timezone

from credit_records.models import AuditEntry
from employers.choices import Role
from exchange import services
from exchange.models import Certificate
from publication import services as publication
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE32 = re.compile(r"^[A-Z2-7]{20}$")


@pytest.fixture
def result(published):
    return published.published_results.get(employer=published.test_employers[1])  # B


@pytest.fixture
def owner(result):
    return UserFactory(role=Role.EMPLOYER, employer=result.employer, jurisdiction=None)


def test_a_certificate_has_an_unguessable_code_and_is_issued_once_per_grade(result, owner):
    first = services.issue_certificate(result=result, actor=owner)
    assert BASE32.match(first.code)
    assert services.issue_certificate(result=result, actor=owner) == first
    assert (first.grade, first.adjustment) == ("B", None)
    entry = AuditEntry.objects.get(action="exchange.certificate_issued")
    assert first.code not in str(entry.after)  # the code is the proof: not in the audit log
    codes = {services.new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(BASE32.match(c) for c in codes)


def test_only_the_employers_own_user_obtains_its_certificate(client, published, result, owner):
    other = UserFactory(role=Role.EMPLOYER, employer=published.test_employers[0], jurisdiction=None)
    client.force_login(other)
    assert client.post(f"/exchange/certificates/results/{result.pk}/").status_code == 404
    inspector = UserFactory(role=Role.INSPECTOR)
    with pytest.raises(Exception, match="只能申领本单位"):
        services.issue_certificate(result=result, actor=inspector)
    client.force_login(owner)
    response = client.post(f"/exchange/certificates/results/{result.pk}/")
    certificate = Certificate.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/exchange/certificates/{certificate.pk}/pdf/"
    )
    client.force_login(other)
    assert client.get(f"/exchange/certificates/{certificate.pk}/pdf/").status_code == 404


def test_the_certificate_pdf_states_the_grade_and_the_code(client, result, owner):
    client.force_login(owner)
    client.post(f"/exchange/certificates/results/{result.pk}/")
    certificate = Certificate.objects.get()
    response = client.get(f"/exchange/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    grouped = "-".join(certificate.code[i : i + 4] for i in range(0, 20, 4))
    for expected in (
        "劳动保障守法诚信等级证明",
        result.name,
        result.uscc,
        "B级",
        "2024年度",
        "郏县人力资源和社会保障局",
        grouped,
    ):
        assert expected in text, expected
    assert "张三丰" not in text


def test_a_code_verifies_and_a_forged_one_does_not(client, result, owner):
    certificate = services.issue_certificate(result=result, actor=owner)
    page = client.get(f"/verify/{certificate.code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-result="current"' in text and "核验通过" in text
    assert result.name in text and result.uscc in text and "2024年度" in text
    assert "张三丰" not in text and "13812345678" not in text
    # Typed by hand: lower case, with dashes and spaces.
    typed = "-".join(certificate.code[i : i + 4] for i in range(0, 20, 4)).lower()
    assert client.get("/verify/", {"code": f" {typed} "}).status_code == 200
    forged = ("A" if certificate.code[0] != "A" else "B") + certificate.code[1:]
    response = client.get(f"/verify/{forged}/")
    assert response.status_code == 404
    assert 'data-result="not-found"' in response.content.decode()


def test_an_adjusted_grade_shows_its_adjustment(client, result, owner, publisher):
    old = services.issue_certificate(result=result, actor=owner)
    publication.adjust_published_result(
        result=result,
        new_grade="C",
        effective_date=timezone.localdate(),
        public_note="发现新的违法行为，重新评价",
        reason="监察执法",
        actor=publisher,
    )
    text = client.get(f"/verify/{old.code}/").content.decode()
    assert 'data-result="adjusted"' in text
    assert "证明所载为 B 级，现行等级为 C 级" in text
    assert "发现新的违法行为，重新评价" in text
    new = services.issue_certificate(result=result, actor=owner)
    assert new != old and new.grade == "C" and new.adjustment is not None
    text = client.get(f"/verify/{new.code}/").content.decode()
    assert 'data-result="current"' in text


def test_verification_attempts_are_rate_limited_per_address(
    client, result, owner, settings, monkeypatch
):
    from types import SimpleNamespace

    from exchange import ratelimit

    settings.EXCHANGE_VERIFY_RATE_PER_MINUTE = 3
    # One fixed-window minute for every attempt: they must not straddle a minute's edge.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_020.0))
    certificate = services.issue_certificate(result=result, actor=owner)
    for _ in range(3):
        client.get("/verify/", {"code": "AAAABBBBCCCCDDDDEEEE"})
    limited = client.get(f"/verify/{certificate.code}/")
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert "核验次数过多" in limited.content.decode()
    # Another address is not held back; the empty form does not count.
    assert client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.get("/verify/").status_code == 200


def test_the_employer_downloads_from_its_own_page(client, result, owner):
    client.force_login(owner)
    page = client.get("/employers/mine/", follow=True).content.decode()
    assert "下载等级证明" in page and f"/exchange/certificates/results/{result.pk}/" in page
    page = client.get("/exchange/certificates/").content.decode()
    assert "下载等级证明" in page
