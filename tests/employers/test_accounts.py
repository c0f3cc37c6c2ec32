"""Separation of duties for accounts (三员分立, issue 14 item 4): the sysadmin can ask for an
account, a role or a password reset, but cannot act with a role it created or reset without a
second person, and never learns a password; what it does is in the auditor's log."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from credit_records.models import AuditEntry
from credit_records.selectors import visible_audit_entries
from employers import services
from employers.choices import AccountRequestStatus, Role
from employers.models import AccountRequest, User
from employers.workbench import queues_for
from tests.factories import PASSWORD, EmployerFactory, UserFactory, jurisdiction

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Labour-Credit-2026!"
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


@pytest.fixture
def admin_user():
    return UserFactory(role=Role.SYSADMIN, jurisdiction=None, is_staff=True, username="sysadmin")


@pytest.fixture
def boss():
    return UserFactory(role=Role.SUPERVISOR, jurisdiction=jurisdiction("jiaxian"), username="boss")


@pytest.fixture
def auditor():
    return UserFactory(role=Role.AUDITOR, jurisdiction=jurisdiction("jiaxian"), username="aud")


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def new_inspector_request(maker, username="newcomer"):
    return services.request_new_account(
        actor=maker,
        username=username,
        display_name="新监察员",
        role=Role.INSPECTOR,
        jurisdiction=jurisdiction("jiaxian"),
        reason="新入职",
    )


def test_a_requested_account_does_not_exist_until_a_second_person_approves(admin_user, boss):
    request = new_inspector_request(admin_user)
    assert not User.objects.filter(username="newcomer").exists()
    with pytest.raises(PermissionDenied, match="不能审批自己提出的申请"):
        services.approve_account_request(actor=admin_user, request=request)
    approval = services.approve_account_request(actor=boss, request=request)
    user = approval.user
    assert (user.role, user.jurisdiction.code) == (Role.INSPECTOR, "jiaxian")
    # Nobody knows a password: the account cannot log in until its user activates it.
    assert not user.has_usable_password()
    assert CODE.fullmatch(approval.activation_code)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (AccountRequestStatus.APPROVED, boss)


def test_the_sysadmin_cannot_log_in_with_an_account_it_created(client, admin_user, boss):
    """Through the pages: the sysadmin asks, fails to approve its own request, the supervisor
    approves and alone sees the code, and only the code's holder can set the password."""
    client.force_login(admin_user)
    response = client.post(
        reverse("accounts:create"),
        {
            "username": "newcomer",
            "display_name": "新监察员",
            "role": Role.INSPECTOR,
            "jurisdiction": jurisdiction("jiaxian").pk,
            "reason": "新入职",
        },
    )
    request = AccountRequest.objects.get(username="newcomer")
    assert response.status_code == 302
    # The maker's own approval is refused (it is not an approver at all).
    assert client.post(reverse("accounts:approve", args=[request.pk])).status_code == 403
    request.refresh_from_db()
    assert request.status == AccountRequestStatus.PENDING
    sysadmin_pages = client.get(reverse("accounts:request", args=[request.pk])).content.decode()
    client.logout()

    client.force_login(boss)
    page = client.post(reverse("accounts:approve", args=[request.pk]))
    assert page.status_code == 200
    code = CODE.search(page.content.decode()).group(0)
    assert code not in sysadmin_pages
    client.logout()

    # Whatever the sysadmin tries as a password, the account has none.
    for guess in (PASSWORD, "newcomer", ""):
        assert login(client, "newcomer", guess).status_code == 200
    assert not client.session.get("_auth_user_id")

    response = client.post(
        reverse("accounts:activate"),
        {
            "username": "newcomer",
            "code": "AAAA-BBBB-CCCC-DDDD",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200 and "激活码不正确" in response.content.decode()
    response = client.post(
        reverse("accounts:activate"),
        {
            "username": "newcomer",
            "code": code.lower(),
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert login(client, "newcomer", NEW_PASSWORD).status_code == 302
    # The code works once.
    with pytest.raises(ValidationError):
        services.activate_account(username="newcomer", code=code, password="Another-Pass-2026!")


def test_a_password_reset_takes_effect_only_after_approval_and_the_user_sets_it(
    admin_user, auditor, boss
):
    request = services.request_password_reset(actor=admin_user, user=auditor, reason="忘记密码")
    auditor.refresh_from_db()
    assert auditor.check_password(PASSWORD)  # nothing changed yet
    with pytest.raises(PermissionDenied):
        services.approve_account_request(actor=admin_user, request=request)
    with pytest.raises(PermissionDenied, match="涉及自己账号"):
        services.approve_account_request(actor=auditor, request=request)
    approval = services.approve_account_request(actor=boss, request=request)
    auditor.refresh_from_db()
    assert not auditor.has_usable_password() and not auditor.check_password(PASSWORD)
    services.activate_account(username="aud", code=approval.activation_code, password=NEW_PASSWORD)
    auditor.refresh_from_db()
    assert auditor.check_password(NEW_PASSWORD)


def test_a_reset_ends_the_sessions_of_the_account(client, admin_user, auditor, boss):
    client.force_login(auditor)
    assert client.get(reverse("credit_records:audit")).status_code == 200
    request = services.request_password_reset(actor=admin_user, user=auditor, reason="离职交接")
    services.approve_account_request(actor=boss, request=request)
    assert client.get(reverse("credit_records:audit")).status_code == 302  # back to login


def test_a_role_change_needs_an_approver_covering_the_account(admin_user, boss, auditor):
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    request = services.request_access_change(
        actor=admin_user,
        user=inspector,
        role=Role.AUDITOR,
        jurisdiction=jurisdiction("jiaxian"),
        reason="岗位调整",
    )
    inspector.refresh_from_db()
    assert inspector.role == Role.INSPECTOR
    elsewhere = UserFactory(role=Role.SUPERVISOR, jurisdiction=jurisdiction("xiqing"))
    with pytest.raises(PermissionDenied, match="不在您的辖区范围内"):
        services.approve_account_request(actor=elsewhere, request=request)
    with pytest.raises(PermissionDenied, match="只有监察机构负责人或审计员"):
        services.approve_account_request(
            actor=UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian")),
            request=request,
        )
    services.approve_account_request(actor=auditor, request=request)
    inspector.refresh_from_db()
    assert inspector.role == Role.AUDITOR
    with pytest.raises(ValidationError, match="已处理"):
        services.approve_account_request(actor=boss, request=request)


def test_a_move_between_jurisdictions_needs_an_approver_covering_both(admin_user, boss):
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"))
    request = services.request_access_change(
        actor=admin_user,
        user=inspector,
        role=Role.INSPECTOR,
        jurisdiction=jurisdiction("jiaxian"),
        reason="调动",
    )
    with pytest.raises(PermissionDenied, match="不在您的辖区范围内"):
        services.approve_account_request(actor=boss, request=request)


def test_a_sysadmin_account_is_approved_by_an_auditor_only(admin_user, boss, auditor):
    request = services.request_new_account(
        actor=admin_user, username="second_admin", role=Role.SYSADMIN, reason="备份管理员"
    )
    with pytest.raises(PermissionDenied, match="只能由审计员审批"):
        services.approve_account_request(actor=boss, request=request)
    approval = services.approve_account_request(actor=auditor, request=request)
    assert approval.user.is_staff and approval.user.user_permissions.exists()


def test_the_sysadmin_cannot_promote_itself_without_a_second_person(admin_user, auditor):
    request = services.request_access_change(
        actor=admin_user,
        user=admin_user,
        role=Role.AUDITOR,
        jurisdiction=jurisdiction("jiaxian"),
        reason="自己改自己",
    )
    with pytest.raises(PermissionDenied):
        services.approve_account_request(actor=admin_user, request=request)
    admin_user.refresh_from_db()
    assert admin_user.role == Role.SYSADMIN
    # Visible to the auditor, although the sysadmin's account has no jurisdiction.
    assert (
        visible_audit_entries(auditor)
        .filter(action="accounts.request_change_access", object_id=str(request.pk))
        .exists()
    )


def test_a_stale_request_is_refused(admin_user, boss):
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    request = services.request_access_change(
        actor=admin_user,
        user=inspector,
        role=Role.PUBLISHER,
        jurisdiction=jurisdiction("jiaxian"),
        reason="岗位调整",
    )
    User.objects.filter(pk=inspector.pk).update(role=Role.SUPERVISOR)
    with pytest.raises(ValidationError, match="已过时"):
        services.approve_account_request(actor=boss, request=request)


def test_only_the_maker_withdraws_and_one_open_request_per_account(admin_user, boss):
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    request = services.request_password_reset(actor=admin_user, user=inspector, reason="忘记")
    with pytest.raises(ValidationError, match="待审批的申请"):
        services.request_password_reset(actor=admin_user, user=inspector, reason="再来一次")
    with pytest.raises(PermissionDenied):
        services.withdraw_account_request(actor=boss, request=request)
    services.withdraw_account_request(actor=admin_user, request=request)
    with pytest.raises(ValidationError):
        services.approve_account_request(actor=boss, request=request)


def test_a_maker_who_could_approve_is_still_refused_its_own_request(boss):
    # A superuser holding the auditor's role (the bootstrap account, say) makes a request…
    maker = UserFactory(
        role=Role.AUDITOR, jurisdiction=jurisdiction("jiaxian"), is_superuser=True, is_staff=True
    )
    request = new_inspector_request(maker)
    with pytest.raises(PermissionDenied, match="不能审批自己提出的申请"):
        services.approve_account_request(actor=maker, request=request)
    services.approve_account_request(actor=boss, request=request)


def test_only_the_sysadmin_makes_requests(boss):
    with pytest.raises(PermissionDenied):
        new_inspector_request(boss)


def test_an_employer_account_is_approved_in_the_employers_jurisdiction(admin_user, boss):
    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    request = services.request_new_account(
        actor=admin_user, username="firm", role=Role.EMPLOYER, employer=employer, reason="申请"
    )
    approval = services.approve_account_request(actor=boss, request=request)
    assert approval.user.employer == employer and approval.user.jurisdiction is None


def test_everything_the_sysadmin_does_to_accounts_is_in_the_auditors_log(
    client, admin_user, boss, auditor
):
    request = new_inspector_request(admin_user)
    services.approve_account_request(actor=boss, request=request)
    # The sysadmin changes its own password and its own name in the admin.
    client.force_login(admin_user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    client.logout()
    client.force_login(auditor)
    page = client.get(reverse("credit_records:audit")).content.decode()
    visible = set(visible_audit_entries(auditor).values_list("action", flat=True))
    assert {
        "accounts.request_create",
        "accounts.approve",
        "accounts.create",
        "accounts.password_changed",
    } <= visible
    assert "accounts.password_changed" in page and "accounts.request_create" in page
    # …and nobody else reads the log.
    assert not visible_audit_entries(admin_user).exists()
    entry = AuditEntry.objects.get(action="accounts.password_changed")
    assert entry.actor == admin_user


def test_approvers_see_their_queue_on_the_workbench(admin_user, boss, auditor):
    request = new_inspector_request(admin_user)
    queue = next(q for q in queues_for(boss) if q.key == "accounts.pending_requests")
    assert queue.count(boss) == 1
    [item] = queue.items(boss)
    assert item.url == reverse("accounts:request", args=[request.pk])
    assert "accounts.pending_requests" not in {q.key for q in queues_for(admin_user)}
    outsider = UserFactory(role=Role.SUPERVISOR, jurisdiction=jurisdiction("xiqing"))
    assert queue.count(outsider) == 0


def test_the_pages_for_maker_and_approver(client, admin_user, boss):
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    client.force_login(admin_user)
    listing = client.get(reverse("accounts:users"))
    assert listing.status_code == 200 and inspector.username in listing.content.decode()
    response = client.post(
        reverse("accounts:change", args=[inspector.pk]),
        {"role": Role.SUPERVISOR, "jurisdiction": jurisdiction("jiaxian").pk, "reason": "升任"},
    )
    assert response.status_code == 302
    response = client.post(reverse("accounts:reset", args=[inspector.pk]), {"reason": "忘记"})
    assert response.status_code == 200 and "待审批的申请" in response.content.decode()
    client.logout()
    client.force_login(boss)
    queue = client.get(reverse("accounts:requests"))
    assert queue.status_code == 200 and inspector.username in queue.content.decode()
    request = AccountRequest.objects.get(target=inspector)
    detail = client.get(reverse("accounts:request", args=[request.pk])).content.decode()
    assert "批准" in detail and "驳回" in detail
    response = client.post(reverse("accounts:reject", args=[request.pk]), {"note": ""})
    request.refresh_from_db()
    assert request.status == AccountRequestStatus.PENDING  # a rejection needs a reason
    response = client.post(reverse("accounts:approve", args=[request.pk]), {"note": "同意"})
    assert response.status_code == 302
    inspector.refresh_from_db()
    assert inspector.role == Role.SUPERVISOR


def test_the_first_approvers_are_created_from_the_command_line(client):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "create_account", "first_auditor", role=Role.AUDITOR, jurisdiction="jiaxian", stdout=out
    )
    code = CODE.search(out.getvalue()).group(0)
    user = User.objects.get(username="first_auditor")
    assert not user.has_usable_password()
    services.activate_account(username="first_auditor", code=code, password=NEW_PASSWORD)
    assert login(client, "first_auditor", NEW_PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(action="accounts.create", actor=None).exists()
