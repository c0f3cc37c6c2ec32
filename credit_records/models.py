"""The ledger: append-only credit records (SPEC §3) and the system-wide audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from employers.models import Employer

from .choices import (
    Category,
    EntryType,
    HarmoniousLevel,
    Performance,
    Procedure,
    RecordKind,
    Rectification,
    Severity,
    Source,
)


class CreditRecord(models.Model):
    """One entry of the append-only ledger.

    A fix never edits a row: a ``correction`` entry supersedes the original (``supersedes``
    points at it) and a ``void`` entry cancels it. A record is *effective* when it is not a void
    entry and no later entry supersedes it (see ``CreditRecordQuerySet.effective``).
    """

    employer = models.ForeignKey(
        Employer, verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="credit_records"
    )
    kind = models.CharField(_("记录类型"), max_length=40, choices=RecordKind.choices)
    entry_type = models.CharField(
        _("条目类型"), max_length=16, choices=EntryType.choices, default=EntryType.ORIGINAL
    )
    supersedes = models.ForeignKey(
        "self", verbose_name=_("更正/作废的记录"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="superseded_by",
    )
    reason = models.TextField(_("更正/作废理由"), blank=True)

    date = models.DateField(_("日期"))
    end_date = models.DateField(_("截止日期"), null=True, blank=True)
    case_no = models.CharField(_("监察案件编号"), max_length=64, blank=True)
    document_no = models.CharField(_("文书号"), max_length=100, blank=True)
    source = models.CharField(_("信息来源"), max_length=32, choices=Source.choices, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    department = models.CharField(_("记录部门"), max_length=100, blank=True)

    severity = models.CharField(_("情节"), max_length=16, choices=Severity.choices, blank=True)
    category = models.CharField(_("违法类别"), max_length=32, choices=Category.choices, blank=True)
    rectification = models.CharField(
        _("整改情况"), max_length=16, choices=Rectification.choices, blank=True
    )
    performance = models.CharField(
        _("履行情况"), max_length=16, choices=Performance.choices, blank=True
    )
    procedure = models.CharField(_("处罚程序"), max_length=16, choices=Procedure.choices, blank=True)
    incident = models.BooleanField(
        _("引发群体性事件、极端事件或严重不良社会影响"), null=True, blank=True
    )
    level = models.CharField(
        _("和谐企业级别"), max_length=16, choices=HarmoniousLevel.choices, blank=True
    )
    value = models.CharField(_("值"), max_length=32, blank=True)
    result = models.CharField(_("结论"), max_length=32, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["employer_id", "date", "id"]
        indexes = [
            models.Index(fields=["employer", "kind", "date"]),
            models.Index(fields=["supersedes"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class AuditEntry(models.Model):
    """Who changed what, when, from where — for every write in the system (append-only)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_repr = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    jurisdiction_path = models.CharField(_("辖区路径"), max_length=400, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"
