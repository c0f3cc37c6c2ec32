"""Publication (SPEC §8): the cycle's status history, the published results and their dated
adjustments, the documents of a cycle, the transactional outbox to the shared credit platform and
the platform stub.

The outbox follows Sentry's ``hybridcloud/models/outbox.py``: a row is written in the same
transaction as the fact it reports, so a fact that rolls back is never sent; a background task
claims due rows with ``select_for_update(skip_locked=True)``, sends them with the row's
``message_id`` as idempotency key and backs off exponentially on failure (SPEC §8).
"""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit_records.models import AppendOnlyModel, AppendOnlyQuerySet
from grading.choices import CycleStatus

from .choices import DocumentKind, JobKind, JobStatus, OutboxStatus, StubFailureMode


class CycleTransition(AppendOnlyModel):
    """The status history of a cycle (django-oscar's order status history): who moved it from
    which status to which, when and why. The allowed moves are declared in
    ``publication.services.TRANSITIONS``."""

    cycle = models.ForeignKey(
        "grading.Cycle",
        verbose_name=_("评价周期"),
        on_delete=models.PROTECT,
        related_name="transitions",
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=CycleStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=CycleStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("周期状态变更")
        verbose_name_plural = _("周期状态变更")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.cycle_id}: {self.from_status} → {self.to_status}"


class PublishedResult(AppendOnlyModel):
    """One employer's grade as published with its cycle — a snapshot that never changes
    (SPEC §8). Name and USCC are kept as published, whatever the registry says later. A later
    correction is a ``PublishedAdjustment``."""

    cycle = models.ForeignKey(
        "grading.Cycle",
        verbose_name=_("评价周期"),
        on_delete=models.PROTECT,
        related_name="published_results",
    )
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="published_results",
    )
    year = models.PositiveSmallIntegerField(_("评价年度"), db_index=True)
    ruleset_code = models.CharField(_("评价办法"), max_length=32)
    ruleset_version = models.CharField(_("版本"), max_length=16)
    name = models.CharField(_("单位名称"), max_length=200, db_index=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    grade = models.CharField(_("等级"), max_length=1)
    rules = models.JSONField(_("适用条款"), default=list)
    computed_grade = models.CharField(_("自动评级"), max_length=1, blank=True)
    grade_ref = models.PositiveBigIntegerField(_("评价结果编号"), null=True, blank=True)
    kind = models.CharField(_("单位类型"), max_length=32, blank=True)
    industry = models.CharField(_("行业"), max_length=32, blank=True)
    street_name = models.CharField(_("乡镇街道"), max_length=100, blank=True)
    published_at = models.DateTimeField(_("公布时间"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("公布结果")
        verbose_name_plural = _("公布结果")
        ordering = ["cycle", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "employer"], name="publication_result_once")
        ]

    def __str__(self):
        return f"{self.name} {self.year} {self.grade}"


class PublishedAdjustment(AppendOnlyModel):
    """A dated correction of a published result, itself published (SPEC §8): the original stays
    as it was, the adjustment says from when which grade holds instead, and why."""

    result = models.ForeignKey(
        PublishedResult,
        verbose_name=_("公布结果"),
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    effective_date = models.DateField(_("调整日期"))
    old_grade = models.CharField(_("调整前等级"), max_length=1)
    new_grade = models.CharField(_("调整后等级"), max_length=1)
    public_note = models.CharField(
        _("公告说明"), max_length=200, help_text=_("随调整公告公开，不得含个人信息")
    )
    reason = models.TextField(_("调整理由"))
    reference = models.CharField(_("依据文书或案件"), max_length=100, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("公布结果调整")
        verbose_name_plural = _("公布结果调整")
        ordering = ["effective_date", "id"]

    def __str__(self):
        return f"{self.result.name} {self.old_grade} → {self.new_grade} ({self.effective_date})"


class BackgroundJob(models.Model):
    """What every background job of a cycle shows: its status and progress (counted in the
    work's own units: employers, notices, files), who asked and when. Publication's document
    jobs and exchange's distribution jobs share it."""

    status = models.CharField(
        _("状态"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("总量"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    step = models.CharField(_("当前步骤"), max_length=100, blank=True)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class DocumentJob(BackgroundJob):
    """A background job making documents of a cycle, with its progress."""

    cycle = models.ForeignKey(
        "grading.Cycle",
        verbose_name=_("评价周期"),
        on_delete=models.PROTECT,
        related_name="document_jobs",
    )
    kind = models.CharField(_("类型"), max_length=16, choices=JobKind.choices)
    # Restartable work (issue 15): the worker renews its lease on every chunk; a job whose lease
    # ran out lost its worker and is taken over. ``cursor`` is the checkpoint written in the same
    # transaction as a chunk's rows (publishing: the last grade row written), so a re-run continues
    # after it and never writes a row twice. ``meta``: what the job was started with.
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    cursor = models.CharField(_("进度检查点"), max_length=64, blank=True)
    meta = models.JSONField(_("任务参数"), default=dict, blank=True)

    class Meta:
        verbose_name = _("文件生成任务")
        verbose_name_plural = _("文件生成任务")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


def document_path(instance, filename):
    # A random directory: the file keeps its readable name (the download's name) but its stored
    # path cannot be guessed from the cycle and the employer's USCC.
    return f"publication/{instance.cycle_id}/{secrets.token_hex(16)}/{filename}"


class CycleDocument(models.Model):
    """A file made for a cycle: a part of the list PDF, the XLSX, 附件2, the report, or the
    written notice to one employer. Served through views that check who may read it."""

    cycle = models.ForeignKey(
        "grading.Cycle",
        verbose_name=_("评价周期"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    job = models.ForeignKey(
        DocumentJob,
        verbose_name=_("生成任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    kind = models.CharField(_("类型"), max_length=16, choices=DocumentKind.choices)
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    part = models.PositiveSmallIntegerField(_("册"), default=1)
    parts = models.PositiveSmallIntegerField(_("共几册"), default=1)
    rows = models.PositiveIntegerField(_("条数"), default=0)
    file = models.FileField(_("文件"), upload_to=document_path, max_length=300)
    is_public = models.BooleanField(_("公开"), default=False)
    meta = models.JSONField(_("生成依据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("周期文件")
        verbose_name_plural = _("周期文件")
        ordering = ["kind", "part", "id"]
        indexes = [models.Index(fields=["cycle", "kind"])]

    def __str__(self):
        return self.file.name.rsplit("/", 1)[-1]


class OutboxMessage(models.Model):
    """One message for the shared credit platform (市信用信息共享平台), sent at least once."""

    message_id = models.UUIDField(_("消息编号"), default=uuid.uuid4, unique=True, editable=False)
    topic = models.CharField(_("主题"), max_length=64, db_index=True)
    key = models.CharField(_("业务键"), max_length=200)
    payload = models.JSONField(_("内容"), encoder=DjangoJSONEncoder)
    jurisdiction_path = models.CharField(_("辖区路径"), max_length=400, blank=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    response = models.JSONField(_("平台应答"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("平台推送消息")
        verbose_name_plural = _("平台推送消息")
        ordering = ["-created_at", "-id"]
        # (status, next_attempt_at, id): the drain and the pending tab read the due messages in
        # that order; with the id in the index a publication's million messages, which share one
        # next_attempt_at, are read in order instead of sorted on every batch (issue 15).
        indexes = [
            models.Index(fields=["status", "next_attempt_at", "id"], name="outbox_due_order_idx"),
            # The delivered and failed tabs, newest first (read backwards; issue 15: with
            # created_at alone, a million messages of one publication sorted by id took 0.3 s).
            models.Index(fields=["status", "created_at", "id"], name="outbox_status_created_idx"),
        ]

    def __str__(self):
        return f"{self.topic} {self.key}"


class PlatformStubMessage(models.Model):
    """What the stub of the shared credit platform has received, keyed by message id.

    A duplicate delivery is answered idempotently: the first one is applied, later ones only
    raise ``deliveries``.
    """

    message_id = models.CharField(_("消息编号"), max_length=64, unique=True)
    topic = models.CharField(_("主题"), max_length=64)
    key = models.CharField(_("业务键"), max_length=200)
    payload = models.JSONField(_("内容"))
    deliveries = models.PositiveIntegerField(_("收到次数"), default=1)
    received_at = models.DateTimeField(_("首次收到时间"), auto_now_add=True)
    last_received_at = models.DateTimeField(_("最近收到时间"), auto_now=True)

    class Meta:
        verbose_name = _("共享平台（模拟）收到的消息")
        verbose_name_plural = _("共享平台（模拟）收到的消息")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.topic} {self.key}"


class PlatformStubConfig(models.Model):
    """Run-time behaviour of the stub (one row). An empty field falls back to the
    ``CREDIT_PLATFORM_STUB_*`` settings."""

    failure_ratio = models.FloatField(
        _("失败比例"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("0 到 1 之间，例如 0.3 表示 30% 的请求失败；留空则使用系统设置"),
    )
    failure_mode = models.CharField(
        _("失败方式"),
        max_length=16,
        choices=StubFailureMode.choices,
        blank=True,
    )
    delay_ms = models.PositiveIntegerField(
        _("响应延迟（毫秒）"), null=True, blank=True, help_text=_("留空则使用系统设置")
    )

    class Meta:
        verbose_name = _("共享平台（模拟）设置")
        verbose_name_plural = _("共享平台（模拟）设置")

    def __str__(self):
        return str(_("共享平台（模拟）设置"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        if self.pk not in (None, 1):
            raise ValidationError(_("只能有一条设置"))


class PublicNotice(models.Model):
    """The public notice (公示) of a cycle's proposed grades (SPEC §8 [r2]; seed 002 四（二）
    拟评价结果公示不少于5个工作日): public at once on its page, with the title and 文号 the publisher
    enters, the period in working days, how and where to object, and a contact."""

    cycle = models.OneToOneField(
        "grading.Cycle",
        verbose_name=_("评价周期"),
        on_delete=models.PROTECT,
        related_name="public_notice",
    )
    title = models.CharField(_("公示标题"), max_length=200)
    document_no = models.CharField(_("文号"), max_length=100, blank=True)
    start = models.DateField(_("公示开始"))
    end = models.DateField(_("公示结束"))
    how_to_object = models.TextField(_("异议方式"))
    contact = models.CharField(_("联系方式"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评价结果公示")
        verbose_name_plural = _("评价结果公示")
        ordering = ["-start", "-id"]

    def __str__(self):
        return self.title


class WrittenNotice(models.Model):
    """A written notice (书面告知) to an employer proposed C (or D), issued when the public notice
    starts (SPEC §8 [r2]): its basis is the final proposed grade — after an approved override, the
    override's reason and cited articles — stated by article and text, never by internal code.
    A PDF, an online copy on the employer's page with a read receipt, and a mail through the
    outbox. A later change of the proposed grade issues a new notice; the old one stays, marked
    superseded."""

    cycle = models.ForeignKey(
        "grading.Cycle",
        verbose_name=_("评价周期"),
        on_delete=models.PROTECT,
        related_name="written_notices",
    )
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="written_notices",
    )
    grade = models.CharField(_("拟评等级"), max_length=1)
    grade_label = models.CharField(_("等级名称"), max_length=40)
    # Internal: the rule codes the basis rests on (to tell whether the notice still matches).
    rules = models.JSONField(_("依据规则"), default=list)
    # What the notice states: [{"article": …, "text": …}], the override's reason, measures.
    basis = models.JSONField(_("告知依据"), default=dict)
    document_no = models.CharField(_("告知书文号"), max_length=100)
    issued_on = models.DateField(_("告知日期"))
    document = models.ForeignKey(
        CycleDocument,
        verbose_name=_("告知书（PDF）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mail = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("邮寄消息"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_opened_at = models.DateTimeField(_("首次查阅时间"), null=True, blank=True)
    first_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首次查阅人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    superseded_at = models.DateTimeField(_("被取代时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    # SHA-256 of what the notice states (``notices.basis_hash``): a notice is made again only
    # when this changes.
    content_hash = models.CharField(_("内容摘要"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("书面告知书")
        verbose_name_plural = _("书面告知书")
        ordering = ["cycle", "employer", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "employer"],
                condition=models.Q(superseded_at__isnull=True),
                name="publication_one_current_notice",
            )
        ]

    def __str__(self):
        return self.document_no


class AdjustmentSource(models.TextChoices):
    REPAIR = "repair", _("信用修复")
    ARTICLE_21 = "article21", _("郏县办法第二十一条：D级单位纠正后调整")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认并公布")
    DISMISSED = "dismissed", _("不予调整")


class AdjustmentProposal(models.Model):
    """A dated adjustment of a cycle grade proposed by the system for the publisher to confirm
    (SPEC §7 [r2] after an approved repair; SPEC §5.1 [r2] jiaxian 第二十一条 with a due date).
    Confirming it publishes a ``PublishedAdjustment``."""

    source = models.CharField(_("来源"), max_length=16, choices=AdjustmentSource.choices)
    cycle = models.ForeignKey(
        "grading.Cycle",
        verbose_name=_("评价周期"),
        on_delete=models.PROTECT,
        related_name="adjustment_proposals",
    )
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_grade = models.CharField(_("现行等级"), max_length=1)
    proposed_grade = models.CharField(_("建议调整为"), max_length=1, blank=True)
    proposed_rules = models.JSONField(_("调整后适用条款"), default=list, blank=True)
    effective_date = models.DateField(_("调整日期"))
    due_date = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    due_pending_year = models.PositiveSmallIntegerField(_("待载入年份"), null=True, blank=True)
    basis = models.TextField(_("调整依据"))
    reference = models.CharField(_("依据文书或案件"), max_length=100)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    decision_note = models.TextField(_("办理意见"), blank=True)
    adjustment = models.ForeignKey(
        PublishedAdjustment,
        verbose_name=_("公布的调整"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("等级调整建议")
        verbose_name_plural = _("等级调整建议")
        ordering = ["due_date", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "employer", "source", "reference"],
                name="publication_proposal_once",
            )
        ]

    def __str__(self):
        return f"{self.employer} {self.current_grade} → {self.proposed_grade}"
