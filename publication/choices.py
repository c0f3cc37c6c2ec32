"""Every choice of the publication app in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待推送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("推送失败")


class StubFailureMode(models.TextChoices):
    # "after" stores the message and then answers with an error, as when the platform applied a
    # message but the answer was lost: the sender retries and the platform must not apply it twice.
    BEFORE = "before", _("处理前失败（未保存）")
    AFTER = "after", _("保存后失败（应答丢失）")
    MIXED = "mixed", _("两者随机")
