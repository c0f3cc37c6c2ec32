"""An employer file imported through the page is held to the importer's jurisdiction, as the
employer form is: no new employer elsewhere, no change to another jurisdiction's employer."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credit_records.models import AuditEntry
from employers.choices import Role
from employers.models import Employer
from employers.services import import_employers
from tests.factories import EmployerFactory, UserFactory, jurisdiction

pytestmark = pytest.mark.django_db

HEADER = "uscc,name,kind,jurisdiction\n"


@pytest.fixture
def xiqing_inspector():
    return UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))


def test_an_existing_employer_of_another_jurisdiction_is_not_touched(xiqing_inspector):
    victim = EmployerFactory(name="郏县原名有限公司", jurisdiction=jurisdiction("jiaxian"))
    # Renaming it and moving it into the importer's own jurisdiction are both refused.
    data = f"{HEADER}{victim.uscc},被改的名称,enterprise,xiqing\n".encode()
    report = import_employers(data=data, filename="x.csv", actor=xiqing_inspector)
    assert [str(p) for p in report.problems] == [
        f"row 2, uscc: 用人单位“{victim.uscc}”不在您的管辖范围内"
    ]
    victim.refresh_from_db()
    assert (victim.name, victim.jurisdiction.code) == ("郏县原名有限公司", "jiaxian")
    assert not AuditEntry.objects.filter(action="employers.import").exists()


def test_a_new_employer_in_another_jurisdiction_is_refused(xiqing_inspector):
    own = EmployerFactory.build(jurisdiction=jurisdiction("xiqing"))
    other = EmployerFactory.build()
    data = (
        f"{HEADER}{own.uscc},西青新单位有限公司,enterprise,xiqing\n"
        f"{other.uscc},郏县新单位有限公司,enterprise,jiaxian\n"
    ).encode()
    report = import_employers(data=data, filename="x.csv", actor=xiqing_inspector)
    assert [str(p) for p in report.problems] == [
        "row 3, jurisdiction: 辖区“郏县”不在您的管辖范围内"
    ]
    assert not Employer.objects.exists()  # all or nothing: the xiqing row is not written either


def test_own_jurisdiction_imports_and_the_command_line_is_unrestricted(xiqing_inspector):
    mine = EmployerFactory(name="西青旧名有限公司", jurisdiction=jurisdiction("xiqing"))
    data = f"{HEADER}{mine.uscc},西青新名有限公司,enterprise,xiqing\n".encode()
    assert import_employers(data=data, filename="x.csv", actor=xiqing_inspector).ok
    mine.refresh_from_db()
    assert mine.name == "西青新名有限公司"
    other = EmployerFactory.build()
    data = f"{HEADER}{other.uscc},郏县新单位有限公司,enterprise,jiaxian\n".encode()
    assert import_employers(data=data, filename="x.csv").ok  # actor None: the system


def test_the_import_page_shows_the_refusal(
    client, xiqing_inspector, django_capture_on_commit_callbacks
):
    victim = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    client.force_login(xiqing_inspector)
    upload = SimpleUploadedFile(
        "x.csv", f"{HEADER}{victim.uscc},改名,enterprise,jiaxian\n".encode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("employers:import"), {"file": upload})
    page = client.get(response.url)
    assert page.status_code == 200 and "确认导入" not in page.content.decode()
    assert "不在您的管辖范围内" in page.content.decode()
