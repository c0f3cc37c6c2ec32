"""Every choice of the supervision app in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAWING = "drawing", _("抽取中")
    DRAWN = "drawn", _("已抽取")
    FAILED = "failed", _("抽取失败")


class TaskState(models.TextChoices):
    """Derived, never stored: a task is done once its patrol_inspection record is in."""

    DONE = "done", _("已完成")
    OPEN = "open", _("进行中")
    OVERDUE = "overdue", _("已逾期")


class TaskReason(models.TextChoices):
    RATIO = "ratio", _("按等级比例抽取")
