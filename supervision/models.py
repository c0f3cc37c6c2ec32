"""Supervision planning (分类监管, SPEC §11).

- ``PatrolPlan`` / ``PatrolTask``: a random inspection plan by grade (双随机) for a jurisdiction
  and a period — the ratios, the seed and what the draw was made from are stored, so the draw can
  be repeated; each task (an employer and two inspectors) is closed by its ``patrol_inspection``
  record in the ledger.
- ``CommitmentLetter``: an HR agency's signed 人力资源服务机构诚信承诺书 (seed 003 一(一), 附件1),
  with the ``credit_commitment`` record it added; ``CommitmentReminder``: reminders sent to
  agencies that have not signed.

Registry freshness reads ``employers.Employer`` (``updated_at``, ``registry_confirmed_at``,
``created_at``) and has no table of its own.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .choices import PlanStatus, TaskReason

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _ratio(label):
    return models.DecimalField(label, max_digits=5, decimal_places=2, validators=PERCENT)


class PatrolPlan(models.Model):
    jurisdiction = models.ForeignKey(
        "employers.Jurisdiction",
        verbose_name=_("辖区"),
        on_delete=models.PROTECT,
        related_name="patrol_plans",
    )
    period_from = models.DateField(_("计划期间起"))
    period_to = models.DateField(_("计划期间止"))
    seed = models.BigIntegerField(_("随机种子"))
    ratio_a = _ratio(_("A级抽查比例（%）"))
    ratio_b = _ratio(_("B级抽查比例（%）"))
    ratio_c = _ratio(_("C级抽查比例（%）"))
    ratio_d = _ratio(_("D级抽查比例（%）"))
    ratio_ungraded = _ratio(_("未评级抽查比例（%）"))
    # The rule sets in force for the jurisdiction when the plan was made (A exemption, labels).
    ruleset_codes = models.JSONField(_("评价办法"), default=list)
    status = models.CharField(
        _("状态"), max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAWING
    )
    # [{grade, candidates, ratio, drawn}] in grade order, as drawn.
    counts = models.JSONField(_("抽取统计"), default=list)
    candidates_sha256 = models.CharField(_("候选名单摘要"), max_length=64, blank=True)
    inspectors_sha256 = models.CharField(_("检查人员名单摘要"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("制定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("巡查计划")
        verbose_name_plural = _("巡查计划")
        ordering = ["-period_from", "jurisdiction__path", "-id"]
        constraints = [
            # One plan per jurisdiction and period (overlaps are refused by the service under a
            # lock; this is the database's last word on the exact same period).
            models.UniqueConstraint(
                fields=["jurisdiction", "period_from", "period_to"],
                condition=~Q(status=PlanStatus.FAILED),
                name="supervision_plan_once_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_from__lte=F("period_to")), name="supervision_plan_period_order"
            ),
        ]

    def __str__(self):
        return _("%(j)s 巡查计划（%(start)s至%(end)s）") % {
            "j": self.jurisdiction.name,
            "start": formats.date_format(self.period_from, "DATE_FORMAT"),
            "end": formats.date_format(self.period_to, "DATE_FORMAT"),
        }

    def ratios(self) -> dict[str, Decimal]:
        return {
            "A": self.ratio_a,
            "B": self.ratio_b,
            "C": self.ratio_c,
            "D": self.ratio_d,
            "": self.ratio_ungraded,
        }


class PatrolTask(models.Model):
    """One drawn employer of a plan and its two inspectors; done once ``record`` is set."""

    plan = models.ForeignKey(
        PatrolPlan, verbose_name=_("巡查计划"), on_delete=models.PROTECT, related_name="tasks"
    )
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="patrol_tasks",
    )
    grade = models.CharField(_("抽取依据等级"), max_length=1, blank=True)
    ruleset_code = models.CharField(_("评价办法"), max_length=32, blank=True)
    reason = models.CharField(
        _("抽取原因"), max_length=16, choices=TaskReason.choices, default=TaskReason.RATIO
    )
    inspector_1 = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人员一"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspector_2 = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人员二"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("完成期限"))
    record = models.OneToOneField(
        "credit_records.CreditRecord",
        verbose_name=_("巡查记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("巡查任务")
        verbose_name_plural = _("巡查任务")
        ordering = ["plan", "employer__uscc"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "employer"], name="supervision_task_once"),
            # Never the same inspector twice for one employer.
            models.CheckConstraint(
                condition=~Q(inspector_1=F("inspector_2")), name="supervision_task_two_inspectors"
            ),
        ]
        indexes = [
            models.Index(fields=["inspector_1", "due_on"], name="supervision_task_insp1_due"),
            models.Index(fields=["inspector_2", "due_on"], name="supervision_task_insp2_due"),
        ]

    def __str__(self):
        return _("巡查任务：%(employer)s") % {"employer": self.employer.name}

    @property
    def is_done(self) -> bool:
        return self.record_id is not None

    def inspector_ids(self) -> set[int]:
        return {self.inspector_1_id, self.inspector_2_id}


class CommitmentLetter(models.Model):
    """An HR agency's signed 诚信承诺书 of a year (seed 003 一(一), 附件1): the exact text signed,
    who signed it, and the ``credit_commitment`` record it added to the ledger."""

    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="commitment_letters",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    unit_name = models.CharField(_("单位名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    legal_rep_name = models.CharField(_("承诺人（法定代表人）"), max_length=50)
    signed_on = models.DateField(_("签署日期"))
    signed_at = models.DateTimeField(_("签署时间"), auto_now_add=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签署账号"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("承诺书文本"))
    text_sha256 = models.CharField(_("文本摘要"), max_length=64)
    record = models.OneToOneField(
        "credit_records.CreditRecord",
        verbose_name=_("信用记录"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("诚信承诺书")
        verbose_name_plural = _("诚信承诺书")
        ordering = ["-year", "-signed_at"]
        constraints = [
            # Exactly one letter (and so one record) per agency and year, however often the
            # signing form is sent.
            models.UniqueConstraint(fields=["employer", "year"], name="supervision_letter_once"),
        ]

    def __str__(self):
        return _("%(name)s %(year)s年度诚信承诺书") % {"name": self.unit_name, "year": self.year}

    @property
    def verification_code(self) -> str:
        return self.text_sha256[:16].upper()


class CommitmentReminder(models.Model):
    """A reminder to sign sent to an agency (at most one a day)."""

    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    sent_on = models.DateField(_("提醒日期"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提醒人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("承诺书签署提醒")
        verbose_name_plural = _("承诺书签署提醒")
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "year", "sent_on"], name="supervision_reminder_once_a_day"
            )
        ]

    def __str__(self):
        return f"{self.employer} {self.year} {formats.date_format(self.sent_on, 'DATE_FORMAT')}"
