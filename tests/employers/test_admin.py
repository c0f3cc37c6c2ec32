"""The sysadmin in the Django admin (三员分立): accounts and jurisdictions, the registry read-only;
no way round the audited import, no self-promotion."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from credit_records.models import AuditEntry
from employers.choices import Role
from tests.factories import EmployerFactory, UserFactory, jurisdiction

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin_with_demo_permissions():
    """The sysadmin as manage.py seed_demo sets it up: users, jurisdictions, employers read-only."""
    user = UserFactory(role=Role.SYSADMIN, jurisdiction=None, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="employers", content_type__model__in=["user", "jurisdiction"]
        )
        | Permission.objects.filter(content_type__app_label="employers", codename="view_employer")
    )
    return user


def _form_data(form) -> dict:
    """The admin change form's current values, as a browser would post them back."""
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if value is None:
            value = ""
        elif hasattr(value, "all"):
            value = [v.pk for v in value.all()]
        elif isinstance(value, list | tuple):
            value = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            value = value.pk
        data[name] = value
    return data


def test_the_admin_offers_no_employer_import(client, sysadmin_with_demo_permissions):
    victim = EmployerFactory(name="原名称有限公司", jurisdiction=jurisdiction("jiaxian"))
    client.force_login(sysadmin_with_demo_permissions)
    assert client.get("/admin/employers/employer/").status_code == 200  # the registry, to read
    assert client.get("/admin/employers/employer/import/").status_code == 403
    upload = SimpleUploadedFile(
        "x.csv", f"uscc,name,kind,jurisdiction\n{victim.uscc},改名,enterprise,xiqing\n".encode()
    )
    response = client.post(
        "/admin/employers/employer/import/", {"import_file": upload, "format": "0"}
    )
    assert response.status_code == 403
    victim.refresh_from_db()
    assert (victim.name, victim.jurisdiction.code) == ("原名称有限公司", "jiaxian")


def test_the_sysadmin_cannot_promote_itself(client, sysadmin_with_demo_permissions):
    me = sysadmin_with_demo_permissions
    client.force_login(me)
    page = client.get(f"/admin/employers/user/{me.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = _form_data(form)
    data.update(
        {
            "username": me.username,
            "role": Role.INSPECTOR,
            "jurisdiction": jurisdiction("jiaxian").pk,
            "is_superuser": "on",
            "is_staff": "on",
            "is_active": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
        }
    )
    response = client.post(f"/admin/employers/user/{me.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    me.refresh_from_db()
    assert (me.role, me.jurisdiction_id, me.is_superuser) == (Role.SYSADMIN, None, False)


def test_the_sysadmin_edits_other_accounts_audited_but_not_their_role(
    client, sysadmin_with_demo_permissions
):
    other = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    client.force_login(sysadmin_with_demo_permissions)
    page = client.get(f"/admin/employers/user/{other.pk}/change/")
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields
    # 三员分立: role and scope only through a request a second person approves (accounts pages).
    assert "role" not in form.fields and "jurisdiction" not in form.fields
    data = _form_data(form)
    data.update(
        {
            "username": other.username,
            "display_name": "新姓名",
            "role": Role.SUPERVISOR,
            "is_active": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
        }
    )
    response = client.post(f"/admin/employers/user/{other.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    other.refresh_from_db()
    assert (other.role, other.display_name) == (Role.INSPECTOR, "新姓名")
    assert AuditEntry.objects.filter(action="admin.change", object_id=str(other.pk)).exists()


def test_the_sysadmin_cannot_add_accounts_or_set_passwords_in_the_admin(
    client, sysadmin_with_demo_permissions
):
    other = UserFactory(role=Role.AUDITOR, jurisdiction=jurisdiction("jiaxian"))
    client.force_login(sysadmin_with_demo_permissions)
    assert client.get("/admin/employers/user/add/").status_code == 403
    response = client.post(
        "/admin/employers/user/add/",
        {"username": "mine", "password1": "Known-Pass-2026!", "password2": "Known-Pass-2026!"},
    )
    assert response.status_code == 403
    assert client.get(f"/admin/employers/user/{other.pk}/password/").status_code == 403
    response = client.post(
        f"/admin/employers/user/{other.pk}/password/",
        {"password1": "Known-Pass-2026!", "password2": "Known-Pass-2026!"},
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert not other.check_password("Known-Pass-2026!")


def test_the_admin_carries_the_systems_name(client):
    from django.urls import reverse

    from employers.choices import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.SYSADMIN, jurisdiction=None, is_staff=True))
    html = client.get(reverse("admin:index")).content.decode()
    assert "劳动保障守法诚信等级评价系统" in html and "系统管理" in html
    assert "Django" not in html.split("<body")[1]
