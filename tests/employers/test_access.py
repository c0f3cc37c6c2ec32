"""Who sees what: scoping is enforced in querysets, not only in templates (SPEC §1)."""

import pytest
from django.conf import settings
from django.urls import reverse

from employers.choices import Role
from employers.models import Employer
from employers.selectors import scope_by_employer, visible_employers

from ..factories import PASSWORD, EmployerFactory, UserFactory, jurisdiction


@pytest.fixture
def two_employers(db):
    a = EmployerFactory(
        name="甲公司", jurisdiction=jurisdiction("jiaxian"), street=jurisdiction("jiaxian-longshan")
    )
    b = EmployerFactory(name="乙公司", jurisdiction=jurisdiction("xiqing"))
    return a, b


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, two_employers):
    a, _ = two_employers
    for url in [
        reverse("home"),
        reverse("employers:list"),
        reverse("employers:detail", args=[a.pk]),
        reverse("employers:import"),
        reverse("employers:mine"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.django_db
def test_employer_a_cannot_open_b(client, two_employers):
    a, b = two_employers
    user = UserFactory(role=Role.EMPLOYER, employer=a, jurisdiction=None)
    client.force_login(user)
    assert client.get(reverse("employers:detail", args=[a.pk])).status_code == 200
    assert client.get(reverse("employers:detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("employers:list")).status_code == 403
    assert client.get(reverse("employers:edit", args=[a.pk])).status_code == 403
    assert client.get(reverse("employers:export", args=["csv"])).status_code == 403
    mine = client.get(reverse("employers:mine"))
    assert mine.status_code == 200 and mine.context["employer"] == a
    assert list(visible_employers(user)) == [a]


@pytest.mark.django_db
def test_xiqing_inspector_cannot_see_jiaxian(client, two_employers):
    a, b = two_employers
    user = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    client.force_login(user)
    assert client.get(reverse("employers:detail", args=[a.pk])).status_code == 404
    assert client.get(reverse("employers:edit", args=[a.pk])).status_code == 404
    assert client.get(reverse("employers:detail", args=[b.pk])).status_code == 200
    listing = client.get(reverse("employers:list")).content.decode()
    assert "乙公司" in listing and "甲公司" not in listing
    # Even a search naming the other employer's USCC finds nothing.
    found = client.get(reverse("employers:list"), {"q": a.uscc}).content.decode()
    assert "甲公司" not in found


@pytest.mark.django_db
def test_street_level_staff_see_only_their_street(two_employers):
    a, _ = two_employers
    other_street = EmployerFactory(
        jurisdiction=jurisdiction("jiaxian"), street=jurisdiction("jiaxian-anliang")
    )
    user = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian-longshan"))
    assert list(visible_employers(user)) == [a]
    assert other_street not in visible_employers(user)


@pytest.mark.django_db
def test_city_staff_see_the_whole_subtree():
    agency = EmployerFactory(
        jurisdiction=jurisdiction("xuchang"), street=jurisdiction("xuchang-weidu-xidajie")
    )
    user = UserFactory(role=Role.SUPERVISOR, jurisdiction=jurisdiction("xuchang"))
    assert list(visible_employers(user)) == [agency]


@pytest.mark.django_db
def test_sysadmin_sees_registry_but_no_credit_data(client, two_employers, sysadmin):
    a, _ = two_employers
    assert visible_employers(sysadmin).count() == 2
    assert not scope_by_employer(Employer.objects.all(), sysadmin, "").exists()
    assert not sysadmin.can_write_credit
    client.force_login(sysadmin)
    response = client.get(reverse("employers:detail", args=[a.pk]))
    assert response.status_code == 200 and response.context["panels"] == []
    assert client.get(reverse("employers:edit", args=[a.pk])).status_code == 403


@pytest.mark.django_db
def test_auditor_cannot_write_credit_or_edit():
    auditor = UserFactory(role=Role.AUDITOR)
    assert not auditor.can_write_credit
    inspector = UserFactory(role=Role.INSPECTOR)
    assert inspector.can_write_credit


@pytest.mark.django_db
def test_forged_post_to_other_jurisdiction_is_refused(client, two_employers):
    a, _ = two_employers
    user = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    client.force_login(user)
    response = client.post(reverse("employers:edit", args=[a.pk]), {"name": "篡改"})
    assert response.status_code == 404
    # Creating an employer in a jurisdiction outside one's own is refused by the form.
    response = client.post(
        reverse("employers:create"),
        {
            "uscc": "91410425MA9F0001XT",
            "name": "越权单位",
            "kind": "enterprise",
            "jurisdiction": jurisdiction("jiaxian").pk,
            "industry": "other",
            "status": "operating",
        },
    )
    assert response.status_code == 200
    assert "jurisdiction" in response.context["form"].errors
    assert not Employer.objects.filter(name="越权单位").exists()


@pytest.mark.django_db
def test_inspector_creates_employer_with_audit(client, inspector):
    from credit_records.models import AuditEntry

    client.force_login(inspector)
    response = client.post(
        reverse("employers:create"),
        {
            "uscc": "91410425mA9f0001xt",
            "name": "新建单位",
            "kind": "enterprise",
            "jurisdiction": jurisdiction("jiaxian").pk,
            "street": jurisdiction("jiaxian-longshan").pk,
            "industry": "construction",
            "status": "operating",
        },
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    created = Employer.objects.get(name="新建单位")
    assert created.uscc == "91410425MA9F0001XT"
    entry = AuditEntry.objects.get(action="employers.create")
    assert entry.actor == inspector and entry.ip_address == "10.1.2.3"
    assert entry.after["uscc"] == "91410425MA9F0001XT"


@pytest.mark.django_db
def test_create_with_bad_uscc_shows_error(client, inspector):
    client.force_login(inspector)
    response = client.post(
        reverse("employers:create"),
        {
            "uscc": "91410425MA9F0001XA",
            "name": "错误单位",
            "kind": "enterprise",
            "jurisdiction": jurisdiction("jiaxian").pk,
            "industry": "other",
            "status": "operating",
        },
    )
    assert response.status_code == 200
    assert "校验码错误" in str(response.context["form"].errors)
    assert not Employer.objects.filter(name="错误单位").exists()


@pytest.mark.django_db
def test_employer_page_masks_personal_data_for_other_viewers(client):
    # An employer user sees its own legal representative in full; staff see it in full too.
    employer = EmployerFactory(legal_rep="张三丰", phone="13812345678")
    user = UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    client.force_login(user)
    body = client.get(reverse("employers:mine")).content.decode()
    assert "张三丰" in body
    assert employer.masked_legal_rep == "张**"
    assert employer.masked_phone == "138****5678"


@pytest.mark.django_db
def test_list_is_paginated_and_filterable(client, inspector):
    for i in range(30):
        EmployerFactory(name=f"分页单位{i:02d}", kind="enterprise")
    EmployerFactory(name="人力公司", kind="hr_agency", industry="hr_services")
    client.force_login(inspector)
    page1 = client.get(reverse("employers:list"))
    assert page1.context["page"].paginator.count == 31
    assert len(page1.context["page"].object_list) == 25
    filtered = client.get(reverse("employers:list"), {"kind": "hr_agency"})
    assert [e.name for e in filtered.context["page"]] == ["人力公司"]


# --- login, lockout, password policy, idle timeout -------------------------------------------


@pytest.mark.django_db
def test_login_and_forced_password_change(client):
    user = UserFactory(role=Role.INSPECTOR, username="newbie", must_change_password=True)
    response = client.post(reverse("login"), {"username": "newbie", "password": PASSWORD})
    assert response.status_code == 302
    # Every page sends a user with an initial password to the change form.
    response = client.get(reverse("employers:list"))
    assert response.status_code == 302 and response.url == reverse("password_change")
    # Django's validators apply: too short and all numeric is refused.
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Labour-Credit-2026!",
            "new_password2": "Labour-Credit-2026!",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("employers:list")).status_code == 200


@pytest.mark.django_db
def test_repeated_failures_lock_the_account(client, settings):
    UserFactory(role=Role.INSPECTOR, username="target")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "target", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": "target", "password": PASSWORD})
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_message_is_chinese(client):
    UserFactory(username="someone")
    response = client.post(reverse("login"), {"username": "someone", "password": "nope"})
    assert "用户名或密码错误" in response.content.decode()


def test_idle_session_timeout_is_configured():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60


@pytest.mark.django_db
def test_dates_are_shown_in_chinese_format(client, inspector):
    import datetime

    from django.template import Context, Template
    from django.utils import translation

    with translation.override("zh-hans"):
        rendered = Template('{{ d|date:"DATE_FORMAT" }}').render(
            Context({"d": datetime.date(2024, 9, 27)})
        )
    assert rendered == "2024年9月27日"


@pytest.mark.django_db
def test_chinese_is_the_default_whatever_the_browser_asks(client, inspector):
    client.force_login(inspector)
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in body
