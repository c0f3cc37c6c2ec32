"""Writes to the employer registry and accounts. Each writes its audit entry in the same
transaction (STYLE.md: services, Zulip's do_* actions)."""

import datetime
import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import snapshot, write_audit

from .choices import (
    ACCOUNT_APPROVER_ROLES,
    ACCOUNT_MAKER_ROLES,
    SYSTEM_WIDE_ROLES,
    AccountRequestKind,
    AccountRequestStatus,
    ImportJobStatus,
    Role,
)
from .models import AccountActivation, AccountRequest, Employer, ImportJob, User
from .paths import in_subtree
from .resources import EMPLOYER_COLUMNS, EMPLOYER_REQUIRED, EmployerResource
from .tabular import (
    ImportFileError,
    ImportReport,
    RowProblem,
    dataset_of,
    open_table,
    spreadsheet_row,
)


def problems_from_result(result, dataset) -> list[RowProblem]:
    """Turn django-import-export's result into ``row N, column: message`` problems."""
    problems = []
    for invalid in result.invalid_rows:
        row = spreadsheet_row(dataset, invalid.number)
        for column, messages in invalid.error_dict.items():
            column = "-" if column == "__all__" else column
            for message in messages:
                problems.append(RowProblem(row, column, str(message)))
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(RowProblem(spreadsheet_row(dataset, number), "-", str(error.error)))
    for error in result.base_errors:
        problems.append(RowProblem(0, "-", str(error.error)))
    problems.sort(key=lambda p: (p.row, p.column))
    return problems


IMPORT_BATCH = 2000


def import_employers(
    *,
    data: bytes | None = None,
    path=None,
    filename: str,
    actor=None,
    dry_run: bool = False,
    progress=None,
) -> ImportReport:
    """Validate the whole file, then write all of it or nothing (SPEC §9). With an ``actor``
    (the import page), every row must be an employer of the actor's jurisdiction subtree.

    The file (``path``, or ``data`` in memory) is read as a stream and handed to the
    django-import-export resource ``IMPORT_BATCH`` rows at a time, all inside one transaction:
    memory does not grow with the file, and the first problem turns the rest of the file into a
    dry run (every problem is still listed) and the transaction is rolled back."""
    source = path if path is not None else data
    report = ImportReport(dry_run=dry_run)
    seen_uscc: dict = {}
    with transaction.atomic():
        try:
            with open_table(
                source, filename, required=EMPLOYER_REQUIRED, known=EMPLOYER_COLUMNS
            ) as table:
                batch = []
                for numbered in table.rows():
                    batch.append(numbered)
                    if len(batch) >= IMPORT_BATCH:
                        _import_employer_batch(table.headers, batch, actor, report, seen_uscc)
                        batch = []
                        if progress:
                            progress(report.total, "check")
                _import_employer_batch(table.headers, batch, actor, report, seen_uscc)
        except ImportFileError as exc:
            report.file_problem(exc)
        if progress:
            progress(report.total, "check")
        if report.problems:
            report.problems.sort(key=lambda p: (p.row, p.column))
            report.created = report.updated = report.skipped = 0
            transaction.set_rollback(True)
            return report
        if dry_run:
            transaction.set_rollback(True)
        elif report.created or report.updated:
            write_audit(
                actor=actor,
                action="employers.import",
                object_type="employers.Employer",
                object_repr=_("导入用人单位文件 %(name)s") % {"name": filename},
                after={
                    "file": filename,
                    "sha256": _sha256(source),
                    "created": report.created,
                    "updated": report.updated,
                    "skipped": report.skipped,
                },
            )
    return report


def _import_employer_batch(headers, batch, actor, report: ImportReport, seen_uscc: dict) -> None:
    if not batch:
        return
    dataset = dataset_of(headers, batch)
    report.total += len(dataset)
    resource = EmployerResource(actor=actor, seen_uscc=seen_uscc)
    # After a problem the rest is only checked: nothing more is written to a rolled-back file.
    result = resource.import_data(
        dataset,
        dry_run=bool(report.problems) or report.dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    problems = problems_from_result(result, dataset)
    report.add_problems(problems)
    totals = result.totals
    created, updated = totals.get("new", 0), totals.get("update", 0)
    report.created += created
    report.updated += updated
    report.skipped += len(dataset) - created - updated - len({p.row for p in problems})


def _sha256(source) -> str:
    digest = hashlib.sha256()
    if isinstance(source, bytes | bytearray):
        digest.update(source)
    else:
        with open(source, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


EDITABLE_FIELDS = [
    "name",
    "kind",
    "jurisdiction",
    "street",
    "industry",
    "employees",
    "legal_rep",
    "address",
    "phone",
    "status",
]


@transaction.atomic
def save_employer(*, employer: Employer, actor) -> Employer:
    """Create or update one employer from a validated form instance, with its audit entry."""
    before = None
    if employer.pk:
        before = snapshot(Employer.objects.get(pk=employer.pk))
    employer.full_clean()
    employer.save()
    write_audit(
        actor=actor,
        action="employers.update" if before else "employers.create",
        obj=employer,
        jurisdiction_path=employer.jurisdiction.path,
        before=before,
        after=snapshot(employer),
    )
    return employer


# --- accounts: separation of duties (三员分立) ---------------------------------------------------
#
# The sysadmin manages accounts but must never be able to act with one: a new account, a new
# role or scope and a password reset are requests that a second person approves — a supervisor
# or an auditor whose jurisdiction covers the account, never the one who asked, never the account
# itself. An approved new account or reset has no password anyone knows: a one-time activation
# code, shown once to the approver (who hands it to the user), lets the user set its own. Every
# step is in the audit log, where every auditor sees what the sysadmin did (its own account too).

ACTIVATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _access(user: User) -> dict:
    return {
        "role": user.role,
        "jurisdiction_id": user.jurisdiction_id,
        "employer_id": user.employer_id,
    }


def _paths(role, jurisdiction, employer) -> list[str]:
    if employer is not None:
        return [employer.jurisdiction.path]
    if jurisdiction is not None:
        return [jurisdiction.path]
    return []


def _check_maker(actor) -> None:
    if actor is None or not (actor.is_superuser or actor.has_role(*ACCOUNT_MAKER_ROLES)):
        raise PermissionDenied(_("只有系统管理员可以提出账号申请"))


def _validated_access(*, username: str, role, jurisdiction, employer, instance=None) -> None:
    probe = User(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        employer=employer,
        pk=getattr(instance, "pk", None),
    )
    probe.clean()


def _no_pending(user: User) -> None:
    if AccountRequest.objects.filter(target=user, status=AccountRequestStatus.PENDING).exists():
        raise ValidationError(_("该账号已有一项待审批的申请，请等待审批或撤回后再提出新的申请"))


def _audit_request(actor, request: AccountRequest, action: str, **extra) -> None:
    write_audit(
        actor=actor,
        action=action,
        obj=request,
        object_repr=str(request)[:300],
        jurisdiction_path=(request.scope_paths or [""])[0],
        **extra,
    )


def _request_snapshot(request: AccountRequest) -> dict:
    return {
        "kind": request.kind,
        "username": request.username or (request.target.username if request.target_id else ""),
        "role": request.role,
        "jurisdiction_id": request.jurisdiction_id,
        "employer_id": request.employer_id,
        "reason": request.reason,
    }


@transaction.atomic
def request_new_account(
    *, actor, username, role, reason, display_name="", email="", jurisdiction=None, employer=None
) -> AccountRequest:
    """The sysadmin asks for a new account; nothing exists until a second person approves."""
    _check_maker(actor)
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("用户名不能为空")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名“%(name)s”已被使用") % {"name": username}})
    if AccountRequest.objects.filter(
        kind=AccountRequestKind.CREATE, status=AccountRequestStatus.PENDING, username=username
    ).exists():
        raise ValidationError({"username": _("已有新建该用户名的申请在等待审批")})
    _validated_access(username=username, role=role, jurisdiction=jurisdiction, employer=employer)
    request = AccountRequest.objects.create(
        kind=AccountRequestKind.CREATE,
        username=username,
        display_name=display_name or "",
        email=email or "",
        role=role,
        jurisdiction=jurisdiction,
        employer=employer,
        scope_paths=_paths(role, jurisdiction, employer),
        reason=(reason or "").strip(),
        requested_by=actor,
    )
    _audit_request(actor, request, "accounts.request_create", after=_request_snapshot(request))
    return request


@transaction.atomic
def request_access_change(
    *, actor, user: User, role, reason, jurisdiction=None, employer=None
) -> AccountRequest:
    """The sysadmin asks to change an account's role or scope (its own too)."""
    _check_maker(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    _no_pending(user)
    proposed = {
        "role": role,
        "jurisdiction_id": getattr(jurisdiction, "pk", None),
        "employer_id": getattr(employer, "pk", None),
    }
    if proposed == _access(user):
        raise ValidationError(_("申请的角色和范围与账号现状相同，无需变更"))
    _validated_access(
        username=user.username,
        role=role,
        jurisdiction=jurisdiction,
        employer=employer,
        instance=user,
    )
    old_paths = _paths(user.role, user.jurisdiction, user.employer)
    new_paths = _paths(role, jurisdiction, employer)
    request = AccountRequest.objects.create(
        kind=AccountRequestKind.CHANGE_ACCESS,
        target=user,
        role=role,
        jurisdiction=jurisdiction,
        employer=employer,
        before=_access(user),
        scope_paths=list(dict.fromkeys(new_paths + old_paths)),
        reason=(reason or "").strip(),
        requested_by=actor,
    )
    _audit_request(
        actor,
        request,
        "accounts.request_change_access",
        before=request.before,
        after=_request_snapshot(request),
    )
    return request


@transaction.atomic
def request_password_reset(*, actor, user: User, reason) -> AccountRequest:
    """The sysadmin asks for a password reset; the user then sets its own with a code the
    approver hands over. The sysadmin never learns a password."""
    _check_maker(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    _no_pending(user)
    request = AccountRequest.objects.create(
        kind=AccountRequestKind.RESET_PASSWORD,
        target=user,
        before=_access(user),
        scope_paths=_paths(user.role, user.jurisdiction, user.employer),
        reason=(reason or "").strip(),
        requested_by=actor,
    )
    _audit_request(
        actor, request, "accounts.request_reset_password", after=_request_snapshot(request)
    )
    return request


def _covers(approver: User, path: str) -> bool:
    own = approver.jurisdiction.path if approver.jurisdiction_id else None
    return in_subtree(path, own)


def approval_refusal(approver, request: AccountRequest) -> str:
    """Why ``approver`` may not decide ``request`` ("" when it may): the second person must be a
    supervisor or auditor covering every jurisdiction the change touches, and neither the one who
    asked nor the account concerned."""
    if approver is not None and approver.pk == request.requested_by_id:
        return _("不能审批自己提出的申请：账号变更须由另一人审批")
    if approver is not None and request.target_id and approver.pk == request.target_id:
        return _("不能审批涉及自己账号的申请")
    if approver is None or not approver.has_role(*ACCOUNT_APPROVER_ROLES):
        return _("只有监察机构负责人或审计员可以审批账号申请")
    roles = {request.role, (request.before or {}).get("role")}
    if not request.scope_paths or roles & SYSTEM_WIDE_ROLES:
        if not approver.has_role(Role.AUDITOR):
            return _("系统管理员账号的申请只能由审计员审批")
        return ""
    if not all(_covers(approver, path) for path in request.scope_paths):
        return _("该账号不在您的辖区范围内")
    return ""


def pending_for_approver(approver):
    """The pending requests ``approver`` may decide (a scoped, indexed query)."""
    if approver is None or not approver.has_role(*ACCOUNT_APPROVER_ROLES):
        return AccountRequest.objects.none()
    pending = AccountRequest.objects.filter(status=AccountRequestStatus.PENDING).exclude(
        requested_by=approver
    )
    pending = pending.exclude(target=approver)
    ids = [r.pk for r in pending.only("pk", "scope_paths", "role", "before", "requested_by", "target")
           if not approval_refusal(approver, r)]  # fmt: skip
    return AccountRequest.objects.filter(pk__in=ids)


def _sysadmin_permissions():
    from django.contrib.auth.models import Permission

    # The sysadmin manages users and jurisdictions; never credit data (三员分立).
    return Permission.objects.filter(
        content_type__app_label="employers",
        content_type__model__in=["user", "jurisdiction"],
    ) | Permission.objects.filter(content_type__app_label="employers", codename="view_employer")


def _apply_role_extras(user: User) -> None:
    is_sysadmin = user.role == Role.SYSADMIN
    if user.is_staff != is_sysadmin:
        user.is_staff = is_sysadmin
        user.save(update_fields=["is_staff"])
    if is_sysadmin:
        user.user_permissions.set(_sysadmin_permissions())
    else:
        user.user_permissions.clear()


def _activation_hash(code: str) -> str:
    from django.utils.crypto import salted_hmac

    normal = code.replace("-", "").replace(" ", "").upper()
    return salted_hmac("employers.account_activation", normal).hexdigest()


def _issue_activation(user: User, request: AccountRequest | None) -> str:
    import secrets

    from django.conf import settings

    now = timezone.now()
    AccountActivation.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    raw = "".join(secrets.choice(ACTIVATION_ALPHABET) for _i in range(16))
    code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
    days = getattr(settings, "ACCOUNT_ACTIVATION_DAYS", 7)
    AccountActivation.objects.create(
        user=user,
        request=request,
        code_hash=_activation_hash(code),
        expires_at=now + datetime.timedelta(days=days),
    )
    return code


def _decidable(actor, request: AccountRequest) -> AccountRequest:
    request = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != AccountRequestStatus.PENDING:
        raise ValidationError(
            _("该申请已处理（%(status)s），不能再次审批") % {"status": request.get_status_display()}
        )
    refusal = approval_refusal(actor, request)
    if refusal:
        raise PermissionDenied(refusal)
    return request


@dataclass
class Approval:
    request: AccountRequest
    user: User
    activation_code: str = ""  # shown once, to the approver


@transaction.atomic
def approve_account_request(*, actor, request: AccountRequest, note: str = "") -> Approval:
    request = _decidable(actor, request)
    code = ""
    if request.kind == AccountRequestKind.CREATE:
        if User.objects.filter(username__iexact=request.username).exists():
            raise ValidationError(_("用户名“%(name)s”已被使用") % {"name": request.username})
        user = User(
            username=request.username,
            display_name=request.display_name,
            email=request.email,
            role=request.role,
            jurisdiction=request.jurisdiction,
            employer=request.employer,
            must_change_password=False,
            is_active=True,
        )
        user.set_unusable_password()
        user.clean()
        user.save()
        _apply_role_extras(user)
        request.target = user
        code = _issue_activation(user, request)
        before, after = None, {**_access(user), "username": user.username}
    else:
        user = User.objects.select_for_update().get(pk=request.target_id)
        if _access(user) != request.before:
            raise ValidationError(
                _("账号在提出申请后已被修改，本申请已过时；请驳回，由系统管理员重新申请")
            )
        before = _access(user)
        if request.kind == AccountRequestKind.CHANGE_ACCESS:
            user.role = request.role
            user.jurisdiction = request.jurisdiction
            user.employer = request.employer
            user.clean()
            user.save(update_fields=["role", "jurisdiction", "employer"])
            _apply_role_extras(user)
            after = _access(user)
        else:
            # Unusable until the user sets its own: every session of the account ends now.
            user.set_unusable_password()
            user.must_change_password = False
            user.save(update_fields=["password", "must_change_password"])
            code = _issue_activation(user, request)
            after = {"password": "reset"}
    request.status = AccountRequestStatus.APPROVED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = (note or "").strip()
    request.save()
    _audit_request(actor, request, "accounts.approve", note=request.decision_note)
    write_audit(
        actor=actor,
        action=f"accounts.{request.kind}",
        obj=user,
        jurisdiction_path=(request.scope_paths or [""])[0],
        before=before,
        after=after,
        note=_("经审批生效：%(maker)s 申请，%(approver)s 批准")
        % {"maker": request.requested_by, "approver": actor},
    )
    return Approval(request=request, user=user, activation_code=code)


@transaction.atomic
def reject_account_request(*, actor, request: AccountRequest, note: str) -> AccountRequest:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("驳回时必须填写理由")})
    request = _decidable(actor, request)
    request.status = AccountRequestStatus.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save()
    _audit_request(actor, request, "accounts.reject", note=note)
    return request


@transaction.atomic
def withdraw_account_request(*, actor, request: AccountRequest) -> AccountRequest:
    request = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if actor is None or request.requested_by_id != actor.pk:
        raise PermissionDenied(_("只有申请人可以撤回申请"))
    if request.status != AccountRequestStatus.PENDING:
        raise ValidationError(_("该申请已处理，不能撤回"))
    request.status = AccountRequestStatus.WITHDRAWN
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    _audit_request(actor, request, "accounts.withdraw")
    return request


@transaction.atomic
def activate_account(*, username: str, code: str, password: str) -> User:
    """The user sets its own password with the one-time code (after an approved new account or
    password reset). Raises ValidationError with a message that does not say which part was
    wrong."""
    from django.contrib.auth.password_validation import validate_password

    invalid = ValidationError({"code": _("用户名或激活码不正确，或激活码已过期、已使用")})
    user = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if user is None:
        raise invalid
    activation = (
        AccountActivation.objects.select_for_update()
        .filter(
            user=user,
            code_hash=_activation_hash(code or ""),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if activation is None:
        raise invalid
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    activation.used_at = timezone.now()
    activation.save(update_fields=["used_at"])
    write_audit(
        actor=user,
        action="accounts.activate",
        obj=user,
        jurisdiction_path=(_paths(user.role, user.jurisdiction, user.employer) or [""])[0],
        after={"activation": activation.pk},
    )
    return user


# --- imports as jobs (employers.import_jobs) ---------------------------------------------------


def _queue_import(job_id, phase: str) -> None:
    from .tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.delay(str(job_id), phase))


def _estimate_rows(path, suffix: str) -> int | None:
    if suffix != ".csv":
        return None
    lines = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            lines += chunk.count(b"\n")
    return max(0, lines - 1)


@transaction.atomic
def start_import(*, kind: str, upload, actor) -> ImportJob:
    """Store an uploaded file outside MEDIA_ROOT and start its check in the background."""
    import uuid
    from pathlib import Path

    from .import_jobs import import_kind, upload_root

    spec = import_kind(kind)
    if actor is None or not actor.has_role(*spec.roles):
        raise PermissionDenied(_("您的角色不能导入该类文件"))
    suffix = Path(upload.name).suffix.lower()
    stored_name = f"{uuid.uuid4().hex}{suffix}"
    path = upload_root() / stored_name
    digest = hashlib.sha256()
    size = 0
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    job = ImportJob.objects.create(
        kind=kind,
        filename=Path(upload.name).name[-200:],
        stored_name=stored_name,
        size=size,
        sha256=digest.hexdigest(),
        rows_estimate=_estimate_rows(path, suffix),
        created_by=actor,
    )
    _queue_import(job.pk, "check")
    return job


def _own_job(job: ImportJob, actor) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if actor is None or job.created_by_id != actor.pk:
        raise PermissionDenied(_("只能操作自己上传的文件"))
    return job


@transaction.atomic
def confirm_import(*, job: ImportJob, actor) -> ImportJob:
    """The user confirms a checked file: the write starts in the background. A second confirm
    (a double click, another tab) finds the job already on its way and changes nothing."""
    job = _own_job(job, actor)
    retry = job.status == ImportJobStatus.FAILED and job.confirmed_at is not None
    if job.status != ImportJobStatus.READY and not retry:
        raise ValidationError(
            _("该文件当前状态为“%(status)s”，不能确认导入") % {"status": job.get_status_display()}
        )
    report = job.report or {}
    if not (report.get("created") or report.get("updated")):
        raise ValidationError(_("文件中的内容均已存在，无需导入"))
    job.status = ImportJobStatus.WRITING
    job.confirmed_at = timezone.now()
    job.error = ""
    job.save(update_fields=["status", "confirmed_at", "error", "updated_at"])
    _queue_import(job.pk, "write")
    return job


@transaction.atomic
def cancel_import(*, job: ImportJob, actor) -> ImportJob:
    from .import_jobs import problems_path, stored_path

    job = _own_job(job, actor)
    if job.status in (ImportJobStatus.WRITING, ImportJobStatus.DONE):
        raise ValidationError(_("导入已开始或已完成，不能取消"))
    job.status = ImportJobStatus.CANCELLED
    job.save(update_fields=["status", "updated_at"])
    paths = [stored_path(job), problems_path(job)]
    transaction.on_commit(lambda: [p.unlink(missing_ok=True) for p in paths if p is not None])
    return job
