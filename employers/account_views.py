"""Account pages (三员分立): the sysadmin asks, a second person approves, the user activates.

- the sysadmin: the list of accounts, and requests to create one, change its role or scope, or
  reset its password (``employers.services``: nothing changes until approved);
- supervisors and auditors: the queue of requests they may decide, and the decision (the
  activation code of an approved new account or reset is shown to the approver, once);
- anyone: the activation page where a user sets its own password with that code.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .choices import ACCOUNT_APPROVER_ROLES, AccountRequestStatus, Role
from .forms import (
    AccessChangeForm,
    AccountCreateForm,
    AccountReasonForm,
    ActivationForm,
    DecisionForm,
    UserFilterForm,
)
from .models import AccountRequest, User
from .permissions import role_required

MAKERS = (Role.SYSADMIN,)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@role_required(*MAKERS)
def user_list(request):
    users = User.objects.select_related("jurisdiction", "employer").order_by("username")
    form = UserFilterForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["q"]:
            q = form.cleaned_data["q"].strip()
            users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        if form.cleaned_data["role"]:
            users = users.filter(role=form.cleaned_data["role"])
    page = Paginator(users, 25).get_page(request.GET.get("page"))
    pending = set(
        AccountRequest.objects.filter(
            status=AccountRequestStatus.PENDING, target__in=[u.pk for u in page]
        ).values_list("target_id", flat=True)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "employers/accounts/user_list.html",
        {"form": form, "page": page, "pending": pending, "query": query.urlencode()},
    )


@role_required(*MAKERS)
@require_http_methods(["GET", "POST"])
def request_create(request):
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.request_new_account(
                actor=request.user,
                username=data["username"],
                display_name=data["display_name"],
                email=data["email"],
                role=data["role"],
                jurisdiction=data["jurisdiction"],
                employer=data["employer_uscc"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已提交新建账号申请，待监察机构负责人或审计员审批后生效。"))
            return redirect("accounts:request", pk=made.pk)
    return render(request, "employers/accounts/request_form.html", {"form": form, "target": None})


@role_required(*MAKERS)
@require_http_methods(["GET", "POST"])
def request_change(request, pk):
    target = get_object_or_404(User.objects.select_related("jurisdiction", "employer"), pk=pk)
    form = AccessChangeForm(request.POST or None, user=target)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.request_access_change(
                actor=request.user,
                user=target,
                role=data["role"],
                jurisdiction=data["jurisdiction"],
                employer=data["employer_uscc"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已提交变更申请，审批通过后生效。"))
            return redirect("accounts:request", pk=made.pk)
    return render(request, "employers/accounts/request_form.html", {"form": form, "target": target})


@role_required(*MAKERS)
@require_http_methods(["GET", "POST"])
def request_reset(request, pk):
    target = get_object_or_404(User.objects.select_related("jurisdiction", "employer"), pk=pk)
    form = AccountReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.request_password_reset(
                actor=request.user, user=target, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("已提交重置密码申请。审批通过后，审批人将激活码交给该用户，由其本人设置新密码。"),
            )
            return redirect("accounts:request", pk=made.pk)
    return render(
        request,
        "employers/accounts/request_form.html",
        {"form": form, "target": target, "reset": True},
    )


def _visible_requests(user):
    """The sysadmin sees every request; an approver those it may decide and those it decided."""
    requests = AccountRequest.objects.select_related(
        "target", "requested_by", "decided_by", "jurisdiction", "employer"
    )
    if user.has_role(*MAKERS):
        return requests
    if user.has_role(*ACCOUNT_APPROVER_ROLES):
        mine = services.pending_for_approver(user).values_list("pk", flat=True)
        return requests.filter(Q(pk__in=list(mine)) | Q(decided_by=user))
    return requests.none()


@role_required(*MAKERS, *ACCOUNT_APPROVER_ROLES)
def request_list(request):
    status = request.GET.get("status") or AccountRequestStatus.PENDING
    if status not in AccountRequestStatus.values:
        status = AccountRequestStatus.PENDING
    requests = _visible_requests(request.user).filter(status=status)
    page = Paginator(requests.order_by("-requested_at", "-pk"), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "employers/accounts/request_list.html",
        {
            "page": page,
            "status": status,
            "statuses": AccountRequestStatus.choices,
            "query": f"status={status}",
        },
    )


@role_required(*MAKERS, *ACCOUNT_APPROVER_ROLES)
def request_detail(request, pk):
    account_request = get_object_or_404(_visible_requests(request.user), pk=pk)
    refusal = services.approval_refusal(request.user, account_request)
    return render(
        request,
        "employers/accounts/request_detail.html",
        {
            "req": account_request,
            "can_decide": account_request.status == AccountRequestStatus.PENDING and not refusal,
            "refusal": refusal if request.user.has_role(*ACCOUNT_APPROVER_ROLES) else "",
            "can_withdraw": account_request.status == AccountRequestStatus.PENDING
            and account_request.requested_by_id == request.user.pk,
            "form": DecisionForm(),
        },
    )


@never_cache
@role_required(*ACCOUNT_APPROVER_ROLES)
@require_POST
def request_approve(request, pk):
    account_request = get_object_or_404(_visible_requests(request.user), pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        approval = services.approve_account_request(
            actor=request.user, request=account_request, note=form.cleaned_data.get("note", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)
        return redirect("accounts:request", pk=account_request.pk)
    if approval.activation_code:
        # Shown once, here, to the approver; stored only hashed.
        return render(
            request,
            "employers/accounts/activation_code.html",
            {"approval": approval, "req": approval.request},
        )
    messages.success(request, _("已批准，变更已生效。"))
    return redirect("accounts:request", pk=account_request.pk)


@role_required(*ACCOUNT_APPROVER_ROLES)
@require_POST
def request_reject(request, pk):
    account_request = get_object_or_404(_visible_requests(request.user), pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        services.reject_account_request(
            actor=request.user, request=account_request, note=form.cleaned_data.get("note", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)
    else:
        messages.success(request, _("已驳回该申请。"))
    return redirect("accounts:request", pk=account_request.pk)


@role_required(*MAKERS)
@require_POST
def request_withdraw(request, pk):
    account_request = get_object_or_404(_visible_requests(request.user), pk=pk)
    try:
        services.withdraw_account_request(actor=request.user, request=account_request)
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)
    else:
        messages.success(request, _("已撤回该申请。"))
    return redirect("accounts:request", pk=account_request.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request):
    """A user sets its own password with the one-time code its approver handed over."""
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activate_account(
                username=data["username"], code=data["code"], password=data["new_password1"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error("new_password1" if field == "password" else field, message)
        else:
            messages.success(request, _("密码已设置，请用新密码登录。"))
            return redirect("login")
    return render(request, "employers/accounts/activate.html", {"form": form})
