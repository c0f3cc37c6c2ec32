import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import (
    CREDIT_WRITER_ROLES,
    STAFF_ROLES,
    AccountRequestKind,
    AccountRequestStatus,
    EmployerKind,
    EmployerStatus,
    ExportFormat,
    ExportJobStatus,
    ImportJobStatus,
    Industry,
    JurisdictionLevel,
    Role,
)
from .paths import below, subtree_q
from .uscc import validate_uscc


class Jurisdiction(models.Model):
    """A node of the administrative tree: city → district/county → street/town (SPEC §2).

    ``path`` is the chain of codes from the root ("xuchang/weidu/ximen"), so a subtree is one
    indexed prefix query.
    """

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=JurisdictionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=400, unique=True, editable=False)
    authority = models.CharField(
        _("评价单位"),
        max_length=100,
        blank=True,
        help_text=_("出现在公布名单和告知书上的人社部门名称"),
    )

    class Meta:
        verbose_name = _("辖区")
        verbose_name_plural = _("辖区")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path}/{self.code}" if self.parent_id else self.code
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        names = []
        node = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))

    def subtree(self):
        return Jurisdiction.objects.filter(subtree_q("path", self.path))

    def grading_root(self):
        """The nearest node (self or an ancestor) that is a grading jurisdiction (not a street)."""
        node = self
        while node.level == JurisdictionLevel.STREET and node.parent_id:
            node = node.parent
        return node


class Employer(models.Model):
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("单位名称"), max_length=200, db_index=True)
    kind = models.CharField(_("单位类型"), max_length=32, choices=EmployerKind.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("管辖辖区"),
        on_delete=models.PROTECT,
        related_name="employers",
    )
    street = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("乡镇街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="street_employers",
    )
    industry = models.CharField(
        _("行业"), max_length=32, choices=Industry.choices, default=Industry.OTHER
    )
    employees = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    legal_rep = models.CharField(_("法定代表人"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    status = models.CharField(
        _("经营状态"),
        max_length=16,
        choices=EmployerStatus.choices,
        default=EmployerStatus.OPERATING,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Registry freshness (seed 001 一(三)): the last time staff confirmed the registry data still
    # correct without changing it ("确认无变化", supervision.services.confirm_registry). A change
    # moves ``updated_at``; fresh = either within the last 12 months.
    registry_confirmed_at = models.DateTimeField(
        _("登记信息确认时间"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = pgettext_lazy("plural", "用人单位")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["jurisdiction", "kind"]),
            models.Index(fields=["street"]),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.uscc = validate_uscc(self.uscc)
        if self.street_id and self.jurisdiction_id:
            if not below(self.street.path, self.jurisdiction.path):
                raise ValidationError(
                    {
                        "street": _("乡镇街道“%(street)s”不属于“%(j)s”")
                        % {"street": self.street.name, "j": self.jurisdiction.name}
                    }
                )

    @property
    def masked_legal_rep(self):
        return mask_name(self.legal_rep)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)


def mask_name(name: str) -> str:
    """张三丰 → 张**: personal data of individuals is never shown in full where not needed."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) <= 4:
        return "*" * len(phone)
    return (
        phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) >= 8 else phone[:2] + "****"
    )


class User(AbstractUser):
    """A person using the system, with exactly one role (SPEC §1)."""

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("所属辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("监察员、负责人、发布管理员和审计员只能看到本辖区及下级辖区"),
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("所属用人单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    must_change_password = models.BooleanField(
        _("须修改初始密码"),
        default=True,
        help_text=_("首次登录时强制修改管理员设定的初始密码"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username

    def clean(self):
        super().clean()
        if self.role in STAFF_ROLES and not self.jurisdiction_id:
            raise ValidationError({"jurisdiction": _("该角色必须指定所属辖区")})
        if self.role == Role.EMPLOYER and not self.employer_id:
            raise ValidationError({"employer": _("用人单位账号必须绑定一个用人单位")})
        if self.role != Role.EMPLOYER and self.employer_id:
            raise ValidationError({"employer": _("只有用人单位账号可以绑定用人单位")})

    @property
    def is_staff_role(self):
        return self.role in STAFF_ROLES

    @property
    def is_employer_user(self):
        return self.role == Role.EMPLOYER

    @property
    def can_write_credit(self):
        """三员分立: the sysadmin and the auditor can never write credit records or grades."""
        return self.is_active and self.role in CREDIT_WRITER_ROLES

    def has_role(self, *roles):
        return self.is_active and self.role in roles


class AccountRequest(models.Model):
    """A change to an account that waits for a second person (三员分立): a new account, a new
    role or scope, a password reset. The sysadmin makes it; a supervisor or auditor whose
    jurisdiction covers the account approves it (``employers.services.approve_account_request``);
    the maker never can. Nothing changes before the approval, and an approved new account or
    reset gets no password anyone knows: its user sets one with a one-time activation code that
    only the approver sees."""

    kind = models.CharField(_("申请类型"), max_length=16, choices=AccountRequestKind.choices)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=AccountRequestStatus.choices,
        default=AccountRequestStatus.PENDING,
        db_index=True,
    )
    target = models.ForeignKey(
        "User",
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_requests",
    )
    # The proposed account (create) or access (change_access).
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("所属辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("所属用人单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    before = models.JSONField(_("申请时的账号"), null=True, blank=True)
    # Jurisdiction paths the approver must cover: the new scope, and the old one for a change.
    scope_paths = models.JSONField(_("涉及辖区"), default=list, blank=True)
    reason = models.TextField(_("申请理由"))
    requested_by = models.ForeignKey(
        "User", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        "User",
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("账号变更申请")
        verbose_name_plural = _("账号变更申请")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "requested_at"])]
        constraints = [
            # One open request per account, and per proposed user name.
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(status="pending", target__isnull=False),
                name="account_request_one_pending_per_user",
            ),
            models.UniqueConstraint(
                fields=["username"],
                condition=Q(status="pending", kind="create"),
                name="account_request_one_pending_per_username",
            ),
        ]

    def __str__(self):
        who = self.target.username if self.target_id else self.username
        return f"{self.get_kind_display()} {who}"


class AccountActivation(models.Model):
    """A one-time code with which a user sets its own password (after an approved new account
    or password reset). Stored hashed; shown once, to the approver; expires."""

    user = models.ForeignKey(
        "User", verbose_name=_("账号"), on_delete=models.CASCADE, related_name="activations"
    )
    request = models.ForeignKey(
        AccountRequest,
        verbose_name=_("账号变更申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activations",
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("账号激活码")
        verbose_name_plural = _("账号激活码")
        indexes = [models.Index(fields=["user", "used_at"])]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class LoginThrottle(models.Model):
    """Failed sign-ins counted per user name (or per user name on a known device), for the brief,
    growing lock of ``employers.login_throttle``. The long lock per client address is django-axes'."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locks = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")

    def __str__(self):
        return self.key


class ImportJob(models.Model):
    """One uploaded spreadsheet on its way into the system (employers or credit records): the
    check (a full dry run) and the write run as background tasks (``employers.import_jobs``),
    with progress; the user confirms in between. The file waits in ``IMPORT_UPLOAD_ROOT`` (never
    under MEDIA_ROOT) and is deleted once imported, cancelled or expired."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("导入类型"), max_length=32)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ImportJobStatus.choices,
        default=ImportJobStatus.UPLOADED,
    )
    filename = models.CharField(_("文件名"), max_length=200)
    stored_name = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    rows_estimate = models.PositiveIntegerField(_("估计行数"), null=True, blank=True)
    created_by = models.ForeignKey(
        "User", verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    report = models.JSONField(_("结果"), default=dict, blank=True)
    problems_name = models.CharField(max_length=100, blank=True, editable=False)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["created_by", "created_at"]),
        ]

    def __str__(self):
        return self.filename


def export_path(instance, filename):
    # A random directory: the stored path cannot be guessed (private storage, served by a view).
    import secrets

    return f"exports/{secrets.token_hex(16)}/{filename}"


class ExportJob(models.Model):
    """An export of the employer registry written in the background (issue 15: 444k rows took
    56 s in the request): the filters as the user set them, progress counted in employers, and
    the file in private storage (``config.storage``) for its requester to download when done."""

    kind = models.CharField(_("导出类型"), max_length=32, default="employers")
    format = models.CharField(_("格式"), max_length=8, choices=ExportFormat.choices)
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=ExportJobStatus.choices, default=ExportJobStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("总量"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    file = models.FileField(_("文件"), upload_to=export_path, blank=True)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.ForeignKey(
        "User", verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_format_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ExportJobStatus.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0
