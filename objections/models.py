"""Working-day calendar (SPEC §6), objections, re-evaluation and credit repair (SPEC §7)."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    OPEN_STATUSES,
    Action,
    CalendarSource,
    CaseStatus,
    DayKind,
    ObjectionGround,
    ObjectionKind,
    Outcome,
    RecordRemedy,
    RepairOutcome,
)


class CalendarYear(models.Model):
    """A year whose State Council holiday notice is in the database.

    A year that is not loaded is never guessed (SPEC §6): a computation that reaches it raises
    ``objections.calendar.CalendarNotLoaded``.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    loaded = models.BooleanField(_("已载入"), default=True)
    source = models.CharField(
        _("来源"),
        max_length=32,
        choices=CalendarSource.choices,
        default=CalendarSource.STATE_COUNCIL_NOTICE,
    )
    notice_reference = models.CharField(
        _("通知文号"),
        max_length=200,
        blank=True,
        help_text=_("例如：国办发明电〔2024〕12号"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """A date that differs from the Monday–Friday rule: a holiday or a make-up workday (调休上班).

    Ordinary weekdays and weekends are not stored.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    kind = models.CharField(_("类型"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("节假日/调休日")
        verbose_name_plural = _("节假日/调休日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


# --------------------------------------------------------------------------------------------
# Objections, re-evaluation and credit repair (SPEC §7)
# --------------------------------------------------------------------------------------------


class CaseBase(models.Model):
    """What an objection and a repair application share: the workflow status, the deadline and
    who did what. The allowed transitions are declared once in ``objections.workflow``."""

    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=CaseStatus.choices,
        default=CaseStatus.SUBMITTED,
        db_index=True,
    )
    reasons = models.TextField(_("申请理由"))
    received_on = models.DateField(_("收到日期"))
    # Working days from receipt (start day not counted, SPEC §6); due_date is None while the
    # calendar lacks the year it reaches (due_pending_year): "期限待国务院公布节假日安排后复核".
    due_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    due_date = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    due_pending_year = models.PositiveSmallIntegerField(_("待载入年份"), null=True, blank=True)
    overdue = models.BooleanField(_("已逾期"), default=False)

    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reasons = models.TextField(_("处理意见及理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    # The ledger entry (void or correction) written when the decision took effect.
    ledger_entry = models.ForeignKey(
        "credit_records.CreditRecord",
        verbose_name=_("更正/作废条目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Seed 000 第二十条: the corrected information reaches the platform within 5 working days.
    platform_due_date = models.DateField(_("推送平台期限"), null=True, blank=True)

    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def due_pending(self) -> bool:
        return self.due_date is None and self.due_pending_year is not None


class Objection(CaseBase):
    """An objection (异议) against a credit record or a grade in public notice, or a
    re-evaluation (复评) request against a published grade (seed 000 第十九、二十条; seed 003 二(四))."""

    kind = models.CharField(_("类型"), max_length=16, choices=ObjectionKind.choices)
    ground = models.CharField(_("异议事由"), max_length=16, choices=ObjectionGround.choices)
    record = models.ForeignKey(
        "credit_records.CreditRecord",
        verbose_name=_("信用记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    # Grade objections and re-evaluations: the disputed grade (grading.Grade) and its label.
    grade_id_ref = models.PositiveBigIntegerField(_("等级结果编号"), null=True, blank=True)
    grade_label = models.CharField(_("被异议的等级"), max_length=100, blank=True)
    # The corrected grade of an upheld (or partly upheld) grade decision; on approval it becomes
    # an approved override of the cycle grade while the cycle is in public notice (seed 002
    # 四(二)). Blank: no change of the cycle grade.
    new_grade = models.CharField(_("调整后的等级"), max_length=2, blank=True)
    needs_verification = models.BooleanField(_("需向相关部门核查"), default=False)
    outcome = models.CharField(_("处理结果"), max_length=16, choices=Outcome.choices, blank=True)
    remedy = models.CharField(
        _("记录处理方式"), max_length=16, choices=RecordRemedy.choices, blank=True
    )
    corrections = models.JSONField(_("更正内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A double submit cannot open two objections on the same record.
            models.UniqueConstraint(
                fields=["record"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="objection_one_open_per_record",
            ),
            # Nor two on the same grade (grade objections and re-evaluations).
            models.UniqueConstraint(
                fields=["grade_id_ref"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="objection_one_open_per_grade",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class RepairApplication(CaseBase):
    """A credit repair application (信用修复) for one dishonesty record (SPEC §7; seed 004
    第十一条; seed 000 第二十一条; 人社部令第45号 第十二条)."""

    record = models.ForeignKey(
        "credit_records.CreditRecord",
        verbose_name=_("失信记录"),
        on_delete=models.PROTECT,
        related_name="repair_applications",
    )
    corrected_on = models.DateField(_("纠正失信行为、履行义务的日期"))
    commitment_signed = models.BooleanField(_("已签署信用承诺书"), default=False)
    eligibility = models.JSONField(_("条件核验"), default=dict, blank=True)
    outcome = models.CharField(
        _("处理结果"), max_length=16, choices=RepairOutcome.choices, blank=True
    )
    # An approved repair ends the record's publicity on this date; the record stays in the ledger.
    publicity_ends_on = models.DateField(_("停止公示日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="repair_one_open_per_record",
            ),
        ]

    def __str__(self):
        return f"{_('信用修复申请')} #{self.pk}"


class CaseTransition(models.Model):
    """The status history: who moved which case from what to what, when and why."""

    objection = models.ForeignKey(
        Objection, null=True, blank=True, on_delete=models.CASCADE, related_name="transitions"
    )
    repair = models.ForeignKey(
        RepairApplication,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    action = models.CharField(_("操作"), max_length=24, choices=Action.choices)
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=CaseStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(objection__isnull=False, repair__isnull=True)
                | models.Q(objection__isnull=True, repair__isnull=False),
                name="case_transition_one_case",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.from_status}→{self.to_status}"


def _attachment_path(instance, filename):
    return f"objections/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class CaseAttachment(models.Model):
    objection = models.ForeignKey(
        Objection, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    repair = models.ForeignKey(
        RepairApplication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("文件"), upload_to=_attachment_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class Notification(models.Model):
    """An in-application message (the result told to the employer, deadline reminders).

    ``key`` makes each message once per recipient, so the nightly reminder task can run twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="objection_notifications",
    )
    key = models.CharField(_("消息键"), max_length=120)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
        ]

    def __str__(self):
        return self.subject


class PublicityEnd(models.Model):
    """The end of a dishonesty record's publicity at its maximum period (SPEC §7 [r2]): general
    1 year, serious 3 years, the blacklist at its expiry — recorded by the nightly task, which
    tells the platform once (one row per record: running it twice changes nothing)."""

    record = models.OneToOneField(
        "credit_records.CreditRecord",
        verbose_name=_("失信记录"),
        on_delete=models.PROTECT,
        related_name="publicity_end",
    )
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    info_class = models.CharField(_("信息类别"), max_length=32)
    last_day = models.DateField(_("最长公示期届满日"))
    ended_on = models.DateField(_("停止公示日期"))
    policy = models.CharField(_("依据"), max_length=100)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示期满停止公示")
        verbose_name_plural = _("公示期满停止公示")
        ordering = ["-ended_on", "-id"]

    def __str__(self):
        return f"{self.record_id} {self.ended_on}"
