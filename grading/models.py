"""Grades and how they came to be (SPEC §4–§5, §8).

- ``RuleSetAssignment``: which rule set (code, version) grades which kinds of employer of a
  jurisdiction, from when to when — reference data loaded by migration (SPEC §5.5).
- ``GradingRun`` / ``GradingChunk``: one computation (an annual cycle or live grades as of a day)
  over many employers, processed in chunks by primary-key range; current only when complete.
- ``Grade``: the result of a cycle run for one employer and rule set, with the rule-set version,
  every fired rule and the facts it was computed from, so it can be explained as it was.
- ``CurrentGrade`` / ``GradeChange``: the live grade of each employer (nightly and after every
  ledger change) and its history.
- ``Cycle``: an annual cycle of a jurisdiction and rule set (open → computed → under review →
  public notice → final → published); ``GradeOverride``: manual review; ``ExemplaryAgency``:
  xuchang's 诚信机构典型.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from employers.choices import EmployerKind

from .choices import (
    ChunkStatus,
    CycleStatus,
    GradeLetter,
    OverrideStatus,
    RunKind,
    RunMode,
    RunStatus,
)


class RuleSetAssignment(models.Model):
    """A jurisdiction grades employers of a kind (blank = every kind) with a rule set version.

    The employers graded are those whose jurisdiction is this one or below it (streets,
    districts of a city); the nearest assigned ancestor wins.
    """

    jurisdiction = models.ForeignKey(
        "employers.Jurisdiction",
        verbose_name=_("辖区"),
        on_delete=models.PROTECT,
        related_name="ruleset_assignments",
    )
    employer_kind = models.CharField(
        _("单位类型"),
        max_length=32,
        choices=EmployerKind.choices,
        blank=True,
        help_text=_("留空表示所有类型"),
    )
    ruleset_code = models.CharField(_("评价办法"), max_length=32)
    ruleset_version = models.CharField(_("版本"), max_length=16)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("评价办法适用")
        verbose_name_plural = _("评价办法适用")
        ordering = ["jurisdiction__path", "ruleset_code", "effective_from"]

    def __str__(self):
        kind = self.get_employer_kind_display() if self.employer_kind else _("所有类型")
        from .labels import ruleset_name

        return f"{self.jurisdiction} · {kind} · {ruleset_name(self.ruleset_code, self.ruleset_version)}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from . import rulesets

        if (self.ruleset_code, self.ruleset_version) not in rulesets.REGISTRY:
            raise ValidationError(
                {
                    "ruleset_version": _("评价办法 %(code)s 没有版本 %(version)s")
                    % {"code": self.ruleset_code, "version": self.ruleset_version}
                }
            )
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("失效日期不能早于生效日期")})

    def in_force(self, day) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class GradingRun(models.Model):
    jurisdiction = models.ForeignKey(
        "employers.Jurisdiction",
        verbose_name=_("范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空表示所有辖区"),
    )
    kind = models.CharField(_("类型"), max_length=8, choices=RunKind.choices)
    cycle_year = models.PositiveSmallIntegerField(_("评价年度"), null=True, blank=True)
    as_of = models.DateField(_("评价基准日"))
    window_start = models.DateField(_("评价期间起"))
    window_end = models.DateField(_("评价期间止"))
    ruleset_versions = models.JSONField(_("评价办法版本"), default=dict)
    # The jurisdictions whose employers the run grades (None = every employer).
    jurisdiction_ids = models.JSONField(_("辖区范围"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    counts = models.JSONField(_("统计"), default=dict)
    chunk_size = models.PositiveIntegerField(_("每批单位数"), default=0)
    chunks_total = models.PositiveIntegerField(_("批次数"), default=0)
    chunks_done = models.PositiveIntegerField(_("已完成批次"), default=0)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    duration = models.DurationField(_("耗时"), null=True, blank=True)
    is_current = models.BooleanField(_("当前结果"), default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    error = models.TextField(_("错误"), blank=True)
    # The run lifecycle after a crash (services.take_over_run): the driver (the command line or
    # the Celery finaliser chain) shows it is alive through heartbeat_at (and, for the command
    # line on PostgreSQL, an advisory lock); a run whose driver is gone is resumed from scratch
    # (resumed_at) or, when a newer run covers it, superseded and never made current.
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    driver_token = models.CharField(_("驱动标识"), max_length=32, blank=True)
    resumed_at = models.DateTimeField(_("续算时间"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("取代它的运行"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Incremental nightly runs (grading.incremental): what a later run starts from.
    mode = models.CharField(
        _("评价方式"), max_length=12, choices=RunMode.choices, default=RunMode.FULL
    )
    basis_run = models.ForeignKey(
        "self",
        verbose_name=_("增量评价的基础运行"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ledger_watermark = models.BigIntegerField(_("开始时信用记录最大编号"), null=True, blank=True)
    fingerprint = models.CharField(_("评价办法及辖区指纹"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("评价运行")
        verbose_name_plural = _("评价运行")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "status", "is_current"])]

    def __str__(self):
        if self.kind == RunKind.CYCLE:
            label = _("%(year)s年度评价") % {"year": self.cycle_year}
        else:
            label = _("%(date)s 动态评价") % {"date": date_format(self.as_of, "DATE_FORMAT")}
        scope = self.jurisdiction.name if self.jurisdiction_id else _("全部辖区")
        return f"#{self.pk} {label} · {scope}"

    @property
    def basis_at(self):
        """When the results it keeps began to be computed: its start, or its last resumption
        (a resumed run grades every chunk again). The newer run is the one with the later
        basis."""
        return self.resumed_at or self.started_at

    @property
    def progress_percent(self) -> int:
        if not self.chunks_total:
            return 100 if self.status == RunStatus.COMPLETE else 0
        return int(100 * self.chunks_done / self.chunks_total)


class GradingChunk(models.Model):
    """Employers with ``first_id <= id <= last_id`` of one run; redone until done (idempotent)."""

    run = models.ForeignKey(GradingRun, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    # An incremental run's chunk: only these employers of the range (None: every one).
    employer_ids = models.JSONField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=ChunkStatus.choices, default=ChunkStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    employers = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    dispatched_at = models.DateTimeField(null=True, blank=True)  # last sent to the broker
    taken_at = models.DateTimeField(null=True, blank=True)  # last begun by a worker
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("评价批次")
        verbose_name_plural = _("评价批次")
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="grading_chunk_once_per_run")
        ]

    def __str__(self):
        return f"{self.run_id}/{self.number} [{self.first_id}, {self.last_id}]"


class Grade(models.Model):
    """One employer's result of a cycle run under one rule set.

    A million rows per run are written with COPY, so the foreign keys are not database
    constraints (a deferred check per row per key would double the write): the engine takes
    every id from the employers it has just read, and Django still enforces on_delete.
    """

    run = models.ForeignKey(
        GradingRun,
        on_delete=models.CASCADE,
        related_name="grades",
        db_constraint=False,
        db_index=False,  # the unique (run, employer, ruleset_code) index starts with it
    )
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="grades",
        db_constraint=False,
    )
    # The jurisdiction that graded it (holds the rule-set assignment): the result belongs to
    # that jurisdiction's cycle even if the employer moves later.
    jurisdiction = models.ForeignKey(
        "employers.Jurisdiction",
        verbose_name=_("评价辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    ruleset_code = models.CharField(_("评价办法"), max_length=32)
    ruleset_version = models.CharField(_("版本"), max_length=16)
    as_of = models.DateField(_("评价基准日"))
    cycle_year = models.PositiveSmallIntegerField(_("评价年度"), null=True, blank=True)
    grade = models.CharField(_("等级"), max_length=1, choices=GradeLetter.choices, blank=True)
    rules = models.JSONField(_("适用条款"), default=list)
    facts = models.JSONField(_("评价依据"), default=dict)

    class Meta:
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")
        ordering = ["run", "employer"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "employer", "ruleset_code"], name="grading_grade_once_per_run"
            )
        ]

    def __str__(self):
        return f"{self.employer} {self.ruleset_code} {self.grade or '未评级'}"


class CurrentGrade(models.Model):
    """The live grade (动态调整) of an employer under a rule set, upserted idempotently (the
    nightly job upserts every employer: keys are not database constraints, as for Grade)."""

    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.CASCADE,
        related_name="current_grades",
        db_constraint=False,
        db_index=False,  # the unique (employer, ruleset_code) index starts with it
    )
    ruleset_code = models.CharField(_("评价办法"), max_length=32)
    ruleset_version = models.CharField(_("版本"), max_length=16)
    as_of = models.DateField(_("评价基准日"))
    window_start = models.DateField(_("评价期间起"))
    grade = models.CharField(_("等级"), max_length=1, choices=GradeLetter.choices, blank=True)
    rules = models.JSONField(_("适用条款"), default=list)
    facts = models.JSONField(_("评价依据"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"))
    run = models.ForeignKey(
        GradingRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        verbose_name = _("当前等级")
        verbose_name_plural = _("当前等级")
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "ruleset_code"], name="grading_current_once_per_ruleset"
            )
        ]

    def __str__(self):
        return f"{self.employer} {self.ruleset_code} {self.grade or '未评级'}"


class GradeChange(models.Model):
    """A change of an employer's live grade: date, old → new, and what caused it."""

    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.CASCADE,
        related_name="grade_changes",
    )
    ruleset_code = models.CharField(_("评价办法"), max_length=32)
    date = models.DateField(_("日期"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    # None = the employer had no grade under this rule set before.
    old_grade = models.CharField(_("原等级"), max_length=1, null=True, blank=True)
    new_grade = models.CharField(_("新等级"), max_length=1, blank=True)
    old_rules = models.JSONField(_("原适用条款"), default=list)
    new_rules = models.JSONField(_("新适用条款"), default=list)
    record = models.ForeignKey(
        "credit_records.CreditRecord",
        verbose_name=_("引起变化的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    run = models.ForeignKey(
        GradingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("等级变化")
        verbose_name_plural = _("等级变化")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["employer", "-at"])]

    def __str__(self):
        return f"{self.employer} {self.old_grade or '—'} → {self.new_grade or '未评级'}"


class Cycle(models.Model):
    """An annual cycle (jurisdiction, rule set, year), SPEC §8. The grading engine moves it
    open → computed (a ``regrade --cycle`` run) and into under_review on the first override;
    ``publication.services`` moves it on from there and sets the notice/final/published fields."""

    jurisdiction = models.ForeignKey(
        "employers.Jurisdiction",
        verbose_name=_("辖区"),
        on_delete=models.PROTECT,
        related_name="cycles",
    )
    ruleset_code = models.CharField(_("评价办法"), max_length=32)
    year = models.PositiveSmallIntegerField(_("评价年度"))
    status = models.CharField(
        _("状态"), max_length=16, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    run = models.ForeignKey(
        GradingRun,
        verbose_name=_("评价运行"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cycles",
    )
    computed_at = models.DateTimeField(_("自动评级时间"), null=True, blank=True)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("确定时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("评价周期")
        verbose_name_plural = _("评价周期")
        ordering = ["-year", "jurisdiction__path", "ruleset_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "ruleset_code", "year"], name="grading_cycle_once"
            )
        ]

    def __str__(self):
        from .labels import ruleset_name

        return _("%(jurisdiction)s %(year)s年度（%(ruleset)s）") % {
            "jurisdiction": self.jurisdiction.name,
            "year": self.year,
            "ruleset": ruleset_name(self.ruleset_code),
        }


class GradeOverride(models.Model):
    """Manual review (seed 002 四（一）): an inspector proposes another grade with a reason, a
    supervisor (监察机构负责人) approves or rejects. The computed grade stays as it was."""

    grade = models.ForeignKey(
        Grade, verbose_name=_("评价结果"), on_delete=models.PROTECT, related_name="overrides"
    )
    proposed_grade = models.CharField(
        _("建议等级"), max_length=1, choices=GradeLetter.choices, blank=True
    )
    reason = models.TextField(_("理由"))
    # SPEC §8 [r2]: the rules (codes of the grade's rule-set version, at the proposed grade) the
    # override rests on — the basis a written notice states for the final proposed grade.
    cited_rules = models.JSONField(_("依据条款"), default=list, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=OverrideStatus.choices, default=OverrideStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("人工复核")
        verbose_name_plural = _("人工复核")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["grade"],
                condition=Q(status=OverrideStatus.PENDING),
                name="grading_override_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.grade} → {self.proposed_grade or '未评级'} ({self.get_status_display()})"


class ExemplaryAgency(models.Model):
    """诚信机构典型 (seed 003 五（七）): an A-grade HR agency chosen by hand, with a reason."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("评价周期"), on_delete=models.PROTECT, related_name="exemplary"
    )
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("选树原因"))
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("选树人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    chosen_at = models.DateTimeField(_("选树时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("诚信机构典型")
        verbose_name_plural = _("诚信机构典型")
        ordering = ["cycle", "employer__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "employer"], name="grading_exemplary_once")
        ]

    def __str__(self):
        return f"{self.cycle} {self.employer}"
