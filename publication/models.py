"""Publication: the transactional outbox to the shared credit platform and the platform stub.

The outbox follows Sentry's ``hybridcloud/models/outbox.py``: a row is written in the same
transaction as the fact it reports, so a fact that rolls back is never sent; a background task
claims due rows with ``select_for_update(skip_locked=True)``, sends them with the row's
``message_id`` as idempotency key and backs off exponentially on failure (SPEC §8).
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OutboxStatus, StubFailureMode


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
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

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
