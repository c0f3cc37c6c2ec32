"""Browser: an employer downloads the certificate of its published grade, and anyone — without
logging in — verifies it with the code printed on it (SPEC §12; seed 002 四(三))."""

import re
import shutil
import subprocess

import pytest
from django.core.cache import cache

from employers.choices import Role
from exchange.models import Certificate
from grading.choices import CycleStatus
from publication import documents
from publication import services as publication

from ..factories import PASSWORD, UserFactory, jurisdiction
from ..publication.conftest import make_cycle
from .conftest import open_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fake_pdf(html, path):
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")  # the published list's PDF is not under test here
    return path


def test_employer_downloads_a_certificate_and_the_public_verifies_it(
    live_server, page, browser, login, monkeypatch, tmp_path
):
    monkeypatch.setattr(documents, "_write_pdf", _fake_pdf)
    cache.clear()
    cycle = make_cycle(
        grades=[("A", ["jiaxian.A.1"]), ("B", ["jiaxian.B.1"])],
        names=["郏县龙山建筑工程有限公司", "郏县安良镇食品加工厂"],
        status=CycleStatus.FINAL,
    )
    publisher = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("jiaxian"))
    publication.publish(cycle=cycle, actor=publisher)
    employer = cycle.test_employers[0]
    UserFactory(username="employer_e2e", role=Role.EMPLOYER, employer=employer, jurisdiction=None)

    login("employer_e2e", PASSWORD)
    open_menu(page, "数据交换", "等级证明")
    assert "郏县人力资源和社会保障局" in page.inner_text("#certificates")
    with page.expect_download() as download_info:
        page.click("[data-certificate-download]")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    path = tmp_path / "certificate.pdf"
    download.save_as(path)
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF")

    certificate = Certificate.objects.get(employer=employer)
    grouped = "-".join(certificate.code[i : i + 4] for i in range(0, 20, 4))
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
        ).stdout.decode("utf-8")
        found = re.search(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){4}", text)
        assert found and found.group(0) == grouped  # the code as printed on the certificate
        assert "郏县龙山建筑工程有限公司" in text and "A级" in text

    # Anyone, not logged in, types the code as printed (lower case is fine).
    public = browser.new_context(locale="zh-CN")
    visitor = public.new_page()
    visitor.goto(f"{live_server.url}/verify/")
    visitor.fill("#id_code", grouped.lower())
    visitor.click("#verify-button")
    visitor.wait_for_selector("#verify-result")
    assert visitor.get_attribute("#verify-result", "data-result") == "current"
    result = visitor.inner_text("#verify-result")
    assert "核验通过" in result and "A 级为现行有效的公布等级" in result
    facts = visitor.inner_text("#verify-facts")
    assert "郏县龙山建筑工程有限公司" in facts and employer.uscc in facts
    assert "张三丰" not in visitor.content()

    # A forged code is not confirmed.
    visitor.fill("#id_code", "AAAA-BBBB-CCCC-DDDD-EEEE")
    visitor.click("#verify-button")
    visitor.wait_for_selector("#verify-result")
    assert visitor.get_attribute("#verify-result", "data-result") == "not-found"
    public.close()
