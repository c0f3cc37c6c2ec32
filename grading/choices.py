"""Every choice of the grading app in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GradeLetter(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    UNGRADED = "", _("未评级")


class RunKind(models.TextChoices):
    CYCLE = "cycle", _("年度评价")
    LIVE = "live", _("动态评价")


class RunMode(models.TextChoices):
    """A live run grades every employer (full) or only those whose grade may have changed since
    the last run (incremental, ``grading.incremental``)."""

    FULL = "full", _("全量")
    INCREMENTAL = "incremental", _("增量")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    COMPLETE = "complete", _("已完成")
    FAILED = "failed", _("失败")
    # A newer run of the same scope was started: this one stops and is never made current.
    SUPERSEDED = "superseded", _("已被取代")


class ChunkStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class CycleStatus(models.TextChoices):
    """SPEC §8: open → computed → under review → public notice → final → published."""

    OPEN = "open", _("未计算")
    COMPUTED = "computed", _("已自动评级")
    UNDER_REVIEW = "under_review", _("人工复核中")
    PUBLIC_NOTICE = "public_notice", _("公示中")
    FINAL = "final", _("已确定")
    PUBLISHED = "published", _("已公布")


# A cycle may be (re)computed only before anyone has reviewed it.
RECOMPUTABLE_CYCLE_STATUSES = (CycleStatus.OPEN, CycleStatus.COMPUTED)
# Overrides may be proposed and decided while the grades are still under review.
REVIEWABLE_CYCLE_STATUSES = (CycleStatus.COMPUTED, CycleStatus.UNDER_REVIEW)


class OverrideStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
