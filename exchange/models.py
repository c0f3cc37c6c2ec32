"""Inter-agency exchange and proof (SPEC §12): partner tokens and the calls made with them, the
gap-free published sequence, grade certificates, sister units and their consultation before public
notice, and the distribution files made on publication.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publication.models import BackgroundJob

from .choices import (
    ApiErrorCode,
    Department,
    FileFormat,
    ItemKind,
    ReplyStatus,
    UnitKind,
)

# --- partner API -------------------------------------------------------------------------------


class PartnerToken(models.Model):
    """A partner department's key to the query API (SPEC §9 ``partner_token``, §12).

    Only the SHA-256 of the token is stored: the token itself is shown once, when it is made. A
    token reads the published grades of one jurisdiction and everything below it, until it
    expires or is revoked. Names are unique among the tokens not revoked."""

    name = models.CharField(_("名称"), max_length=64)
    department = models.CharField(_("协同部门"), max_length=100, blank=True)
    jurisdiction = models.ForeignKey(
        "employers.Jurisdiction",
        verbose_name=_("可查询辖区"),
        on_delete=models.PROTECT,
        related_name="partner_tokens",
    )
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("令牌前缀"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(revoked_at__isnull=True),
                name="exchange_token_name_active_once",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired


class ApiCall(models.Model):
    """One call of the partner API: which token, what was asked, how it was answered."""

    token = models.ForeignKey(
        PartnerToken,
        verbose_name=_("接口令牌"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
    )
    token_name = models.CharField(_("令牌名称"), max_length=64, blank=True)
    # The token's jurisdiction path, for the auditor's scope ("" when no valid token was shown).
    jurisdiction_path = models.CharField(_("辖区路径"), max_length=400, blank=True, db_index=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    method = models.CharField(_("方法"), max_length=8)
    endpoint = models.CharField(_("接口"), max_length=32)
    path = models.CharField(_("路径"), max_length=300)
    query = models.CharField(_("查询参数"), max_length=500, blank=True)
    uscc = models.CharField(_("查询的统一社会信用代码"), max_length=40, blank=True, db_index=True)
    status = models.PositiveSmallIntegerField(_("状态码"))
    error_code = models.CharField(
        _("错误"), max_length=32, blank=True, choices=ApiErrorCode.choices
    )
    items = models.PositiveIntegerField(_("返回条数"), default=0)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("接口调用记录")
        verbose_name_plural = _("接口调用记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["token", "-at"], name="exchange_call_token_at")]

    def __str__(self):
        return f"{self.token_name or '—'} {self.method} {self.path} {self.status}"


# --- the published sequence --------------------------------------------------------------------


class SequenceCounter(models.Model):
    """The last number handed out by a gap-free sequence (one row per sequence).

    Not a PostgreSQL sequence: a sequence value taken by a transaction that rolls back is lost,
    which leaves a gap. This row is locked ``FOR UPDATE`` by the transaction that publishes, so
    numbers are handed out in commit order and a rollback hands them back."""

    name = models.CharField(_("名称"), max_length=32, primary_key=True)
    last = models.PositiveBigIntegerField(_("最后编号"), default=0)

    class Meta:
        verbose_name = _("序号计数器")
        verbose_name_plural = _("序号计数器")

    def __str__(self):
        return f"{self.name}: {self.last}"


class PublishedItem(models.Model):
    """A published result or a published adjustment, numbered in the order it was published
    (``seq``: 1, 2, 3 … without gaps), so a partner syncs with ``published?after=N``."""

    seq = models.PositiveBigIntegerField(_("公布序号"), primary_key=True)
    kind = models.CharField(_("类型"), max_length=16, choices=ItemKind.choices)
    result = models.ForeignKey(
        "publication.PublishedResult",
        verbose_name=_("公布结果"),
        on_delete=models.PROTECT,
        related_name="exchange_items",
    )
    adjustment = models.OneToOneField(
        "publication.PublishedAdjustment",
        verbose_name=_("结果调整"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_item",
    )
    jurisdiction_path = models.CharField(_("辖区路径"), max_length=400, db_index=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公布序列")
        verbose_name_plural = _("公布序列")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["result"],
                condition=Q(kind="result"),
                name="exchange_item_result_once",
            )
        ]

    def __str__(self):
        return f"#{self.seq} {self.get_kind_display()} {self.uscc}"


# --- certificates ------------------------------------------------------------------------------


class Certificate(models.Model):
    """A grade certificate (等级证明) of one published result, with an unguessable verification
    code (seed 002 四(三): 评价结果作为企业评先、评优和上市等劳动保障守法诚信的证明事项). The grade it
    states is the one in force when it was issued (``adjustment``: the adjustment then in force);
    a later adjustment makes a new certificate, and the verification page says the old one no
    longer states the grade in force."""

    code = models.CharField(_("核验码"), max_length=32, unique=True, editable=False)
    result = models.ForeignKey(
        "publication.PublishedResult",
        verbose_name=_("公布结果"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    adjustment = models.ForeignKey(
        "publication.PublishedAdjustment",
        verbose_name=_("所依据的调整"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    grade = models.CharField(_("证明等级"), max_length=1)
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申领人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("等级证明")
        verbose_name_plural = _("等级证明")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["result"],
                condition=Q(adjustment__isnull=True),
                name="exchange_certificate_once_per_result",
            ),
            models.UniqueConstraint(
                fields=["result", "adjustment"], name="exchange_certificate_once_per_adjustment"
            ),
        ]

    def __str__(self):
        return f"{self.result.name} {self.result.year} {self.grade}"


# --- consultation before public notice ---------------------------------------------------------


class SisterUnit(models.Model):
    """A sister unit (征求意见单位) of a jurisdiction's human-resources bureau, or the trade union."""

    jurisdiction = models.ForeignKey(
        "employers.Jurisdiction",
        verbose_name=_("辖区"),
        on_delete=models.PROTECT,
        related_name="sister_units",
    )
    kind = models.CharField(_("类别"), max_length=32, choices=UnitKind.choices)
    name = models.CharField(_("单位名称"), max_length=100)
    active = models.BooleanField(_("参与征求意见"), default=True)

    class Meta:
        verbose_name = _("征求意见单位")
        verbose_name_plural = _("征求意见单位")
        ordering = ["jurisdiction__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="exchange_unit_name_once")
        ]

    def __str__(self):
        return self.name


class UnitMember(models.Model):
    """A consultee account (role ``consultee``) answering for its unit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="sister_unit_membership",
        limit_choices_to={"role": "consultee"},
    )
    unit = models.ForeignKey(
        SisterUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        verbose_name = _("征求意见单位账号")
        verbose_name_plural = _("征求意见单位账号")

    def __str__(self):
        return f"{self.user} · {self.unit}"


class Consultation(models.Model):
    """The proposed list of a cycle sent to the sister units with a reply date (seed 002 四(二))."""

    cycle = models.OneToOneField(
        "grading.Cycle",
        verbose_name=_("评价周期"),
        on_delete=models.PROTECT,
        related_name="consultation",
    )
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_by = models.DateField(_("答复期限"))
    message = models.TextField(_("征求意见函"), blank=True)
    proposed_count = models.PositiveIntegerField(_("拟评价单位数"), default=0)

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return str(self.cycle)


class ConsultationReply(models.Model):
    """One unit's answer: pending until it records no objection or its objections."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("征求意见"), on_delete=models.PROTECT, related_name="replies"
    )
    unit = models.ForeignKey(
        SisterUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="replies"
    )
    status = models.CharField(
        _("答复情况"), max_length=16, choices=ReplyStatus.choices, default=ReplyStatus.PENDING
    )
    note = models.TextField(_("总体意见"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("征求意见答复")
        verbose_name_plural = _("征求意见答复")
        ordering = ["consultation", "unit__kind", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "unit"], name="exchange_reply_once_per_unit"
            )
        ]
        indexes = [models.Index(fields=["unit", "status"], name="exchange_reply_unit_status")]

    def __str__(self):
        return f"{self.unit} · {self.get_status_display()}"

    @property
    def is_answered(self) -> bool:
        return self.status != ReplyStatus.PENDING


class ConsultationObjection(models.Model):
    """A unit's objection to one employer's proposed grade, with its reason."""

    reply = models.ForeignKey(
        ConsultationReply,
        verbose_name=_("答复"),
        on_delete=models.CASCADE,
        related_name="objections",
    )
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="consultation_objections",
    )
    grade_ref = models.PositiveBigIntegerField(_("评价结果编号"))
    name = models.CharField(_("单位名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    proposed_grade = models.CharField(_("拟评等级"), max_length=1, blank=True)
    reason = models.TextField(_("意见和理由"))
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("对单位的意见")
        verbose_name_plural = _("对单位的意见")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reply", "employer"], name="exchange_objection_once_per_employer"
            )
        ]

    def __str__(self):
        return f"{self.name}: {self.reason[:30]}"


# --- distribution files ------------------------------------------------------------------------


class DistributionJob(BackgroundJob):
    """Making the distribution files (抄送) of a published cycle in the background."""

    cycle = models.ForeignKey(
        "grading.Cycle",
        verbose_name=_("评价周期"),
        on_delete=models.PROTECT,
        related_name="distribution_jobs",
    )

    class Meta:
        verbose_name = _("抄送文件生成任务")
        verbose_name_plural = _("抄送文件生成任务")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.cycle} #{self.pk}"


def distribution_path(instance, filename):
    # A random directory: stored names cannot be guessed (private files, issue 14).
    token = uuid.uuid4().hex
    return f"exchange/distribution/{instance.job.cycle_id}/{instance.job_id}/{token}/{filename}"


class DistributionFile(models.Model):
    """One file for one receiving department: the results as CSV or JSON, or the manifest that
    lists both with their row counts and SHA-256."""

    job = models.ForeignKey(
        DistributionJob, verbose_name=_("生成任务"), on_delete=models.CASCADE, related_name="files"
    )
    department = models.CharField(_("接收部门"), max_length=32, choices=Department.choices)
    format = models.CharField(_("格式"), max_length=16, choices=FileFormat.choices)
    file = models.FileField(_("文件"), upload_to=distribution_path, max_length=300)
    rows = models.PositiveIntegerField(_("条数"), default=0)
    size = models.PositiveBigIntegerField(_("字节数"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抄送文件")
        verbose_name_plural = _("抄送文件")
        ordering = ["department", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "department", "format"], name="exchange_file_once_per_job"
            )
        ]

    def __str__(self):
        return self.file.name.rsplit("/", 1)[-1]
