"""The written review (书面审查, SPEC §10; seed 002 三, seed 001 二(二)).

- ``ReviewPlan``: one per (jurisdiction, review year): the ratios per grade (held to the legal
  bounds), the seed, the worker-sample parameters; ``PlanCandidate`` is the candidate list stored
  with it at the draw and ``ManualAddition`` the employers added by hand — with the seed, the
  inputs of the draw (``written_review.sampling.draw``), so anyone can repeat it.
- ``Review``: one sampled employer of a plan, moving sampled → notified → submitted (↔ returned)
  → proposed → approved → closed (``services.TRANSITIONS``; history in ``ReviewTransition``).
- ``Declaration``: what the employer declares (basic information, employment, the 审查表 of
  seed 002 附件); ``RosterEntry``: its 职工花名册, with the workers drawn for paper review;
  ``ReviewDocument``: the papers it uploads (per drawn worker and per unit) and rectification
  evidence.
- ``Problem``: one line of the 问题清单 (area, what, legal basis), with its ledger record,
  handling (建议书 / 立案) and rectification; ``RectificationReport``: the employer's report and
  the inspector's decision; ``LateOrder``: an order to declare by a new date (seed 002 五).
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit_records.choices import Severity, WrittenReviewResult
from credit_records.models import AppendOnlyModel, AppendOnlyQuerySet, evidence_storage

from .choices import (
    Area,
    AreaFinding,
    DocType,
    Handling,
    HoursSystem,
    PlanStatus,
    RectificationStatus,
    ReviewStatus,
    SampleReason,
)


def document_path(instance, filename):
    # Unguessable and free of the uploader's file name; served only through a checked view.
    return f"written_review/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


def _ratio(label, default):
    return models.DecimalField(label, max_digits=5, decimal_places=2, default=default)


class ReviewPlan(models.Model):
    jurisdiction = models.ForeignKey(
        "employers.Jurisdiction",
        verbose_name=_("辖区"),
        on_delete=models.PROTECT,
        related_name="review_plans",
    )
    year = models.PositiveSmallIntegerField(
        _("审查年度"), help_text=_("被审查的年度（次年实施），如 2025 年度书面审查于 2026 年实施")
    )
    title = models.CharField(_("计划名称"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    # Seed 002 三(一)1: A 不高于3%、B 不高于50%、C 不低于95% (percent; D held like C).
    ratio_a = _ratio(_("A级抽取比例（%）"), 3)
    ratio_b = _ratio(_("B级抽取比例（%）"), 50)
    ratio_c = _ratio(_("C级抽取比例（%）"), 95)
    ratio_d = _ratio(_("D级抽取比例（%）"), 95)
    ratio_ungraded = _ratio(_("未评级单位抽取比例（%）"), 10)
    enterprises_only = models.BooleanField(
        _("仅抽取企业"),
        default=False,
        help_text=_("江津等只评价企业的辖区：候选单位只含企业"),
    )
    # Workers drawn for paper review, by headcount (SPEC §10.3).
    workers_base = models.PositiveSmallIntegerField(_("抽查职工人数（一般）"), default=5)
    workers_mid = models.PositiveSmallIntegerField(_("抽查职工人数（百人以上）"), default=10)
    workers_high = models.PositiveSmallIntegerField(_("抽查职工人数（千人以上）"), default=20)
    mid_above = models.PositiveIntegerField(_("百人以上的界限"), default=100)
    high_above = models.PositiveIntegerField(_("千人以上的界限"), default=1000)

    seed = models.BigIntegerField(_("随机种子"), null=True, blank=True)
    contact = models.CharField(_("联系人及电话"), max_length=200, blank=True)
    paper_address = models.CharField(_("书面材料报送地址"), max_length=200, blank=True)

    candidate_count = models.PositiveIntegerField(_("候选单位数"), default=0)
    sample_count = models.PositiveIntegerField(_("抽中单位数"), default=0)
    draw_done = models.PositiveIntegerField(_("已处理候选单位"), default=0)
    draw_total = models.PositiveIntegerField(_("候选单位总数"), default=0)
    draw_error = models.TextField(_("抽取错误"), blank=True)
    notices_running = models.BooleanField(_("正在发送通知"), default=False)
    suggestion_seq = models.PositiveIntegerField(_("建议书序号"), default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编制人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抽取人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("书面审查计划")
        verbose_name_plural = _("书面审查计划")
        ordering = ["-year", "jurisdiction__path"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="review_plan_once")
        ]

    def __str__(self):
        return self.title or _("%(j)s%(y)s年度书面审查") % {
            "j": self.jurisdiction.name,
            "y": self.year,
        }

    @property
    def ratios(self) -> dict:
        """{grade letter or "" (ungraded): percent} — the draw's ratio input."""
        return {
            "A": self.ratio_a,
            "B": self.ratio_b,
            "C": self.ratio_c,
            "D": self.ratio_d,
            "": self.ratio_ungraded,
        }

    @property
    def worker_params(self) -> dict:
        return {
            "base": self.workers_base,
            "mid": self.workers_mid,
            "high": self.workers_high,
            "mid_above": self.mid_above,
            "high_above": self.high_above,
        }

    @property
    def draw_percent(self) -> int:
        if self.status == PlanStatus.DRAWN:
            return 100
        return int(100 * self.draw_done / self.draw_total) if self.draw_total else 0


class PlanCandidate(models.Model):
    """One employer of the candidate list as it stood at the draw: the draw's input, kept so
    the draw can be repeated whatever the registry says later."""

    plan = models.ForeignKey(ReviewPlan, on_delete=models.CASCADE, related_name="candidates")
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    name = models.CharField(_("单位名称"), max_length=200)
    grade = models.CharField(_("最近公布等级"), max_length=1, blank=True)
    industry = models.CharField(_("行业"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("候选单位")
        verbose_name_plural = _("候选单位")
        constraints = [
            models.UniqueConstraint(fields=["plan", "employer"], name="review_candidate_once")
        ]
        indexes = [models.Index(fields=["plan", "uscc"])]

    def __str__(self):
        return f"{self.name} {self.grade or '-'}"


class ManualAddition(models.Model):
    """An employer added by hand with a reason (seed 002 三(一)1: 根据监管需要增加系统未抽中的用人单位)."""

    plan = models.ForeignKey(ReviewPlan, on_delete=models.CASCADE, related_name="additions")
    employer = models.ForeignKey(
        "employers.Employer", verbose_name=_("用人单位"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("增加理由"), max_length=300)
    # As the employer stood when added (the draw's input must not move with the registry).
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    name = models.CharField(_("单位名称"), max_length=200, blank=True)
    grade = models.CharField(_("最近公布等级"), max_length=1, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    added_at = models.DateTimeField(_("增加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人工增加的单位")
        verbose_name_plural = _("人工增加的单位")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "employer"], name="review_addition_once")
        ]

    def __str__(self):
        return f"{self.name or self.employer_id}: {self.reason}"


class Review(models.Model):
    """The written review of one sampled employer."""

    plan = models.ForeignKey(
        ReviewPlan, verbose_name=_("审查计划"), on_delete=models.PROTECT, related_name="reviews"
    )
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="written_reviews",
    )
    reason = models.CharField(_("抽中方式"), max_length=16, choices=SampleReason.choices)
    grade = models.CharField(_("最近公布等级"), max_length=1, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.SAMPLED
    )

    # Declaration deadline (SPEC §6 counting): 10 working days from the notice, 5 from a return,
    # or the date of an order (LateOrder). due_date is None while the calendar lacks the year
    # it reaches (due_pending_year): "期限待国务院公布节假日安排后复核".
    notified_on = models.DateField(_("通知日期"), null=True, blank=True)
    due_from = models.DateField(_("期限起算日"), null=True, blank=True)
    due_days = models.PositiveSmallIntegerField(_("期限（工作日）"), null=True, blank=True)
    due_date = models.DateField(_("申报期限"), null=True, blank=True, db_index=True)
    due_pending_year = models.PositiveSmallIntegerField(_("待载入年份"), null=True, blank=True)
    submitted_on = models.DateField(_("申报日期"), null=True, blank=True)
    return_reasons = models.TextField(_("退回理由"), blank=True)
    returned_on = models.DateField(_("退回日期"), null=True, blank=True)

    # The inspector's judgement of the four areas (seed 002 三(一)3).
    finding_labor_contract = models.CharField(
        _("劳动合同"), max_length=16, choices=AreaFinding.choices, blank=True
    )
    finding_wages = models.CharField(
        _("工资支付"), max_length=16, choices=AreaFinding.choices, blank=True
    )
    finding_working_hours = models.CharField(
        _("工作时间"), max_length=16, choices=AreaFinding.choices, blank=True
    )
    finding_social_insurance = models.CharField(
        _("社会保险"), max_length=16, choices=AreaFinding.choices, blank=True
    )
    opinion = models.TextField(_("审查意见"), blank=True)
    proposed_result = models.CharField(
        _("建议审查结论"), max_length=32, choices=WrittenReviewResult.choices, blank=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("提出时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField(_("审批日期"), null=True, blank=True)
    approval_note = models.TextField(_("审批意见"), blank=True)
    result = models.CharField(
        _("审查结论"), max_length=32, choices=WrittenReviewResult.choices, blank=True
    )
    record = models.ForeignKey(
        "credit_records.CreditRecord",
        verbose_name=_("书面审查结论记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    suggestion_no = models.CharField(_("处理建议书文号"), max_length=100, blank=True)
    suggestion_file = models.FileField(
        _("处理建议书"),
        storage=evidence_storage,
        upload_to=document_path,
        max_length=200,
        blank=True,
    )
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    obstruction_record = models.ForeignKey(
        "credit_records.CreditRecord",
        verbose_name=_("阻挠监察记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("书面审查")
        verbose_name_plural = _("书面审查")
        ordering = ["plan", "employer__uscc"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "employer"], name="review_once_per_plan")
        ]
        indexes = [
            models.Index(fields=["plan", "status"]),
            models.Index(fields=["status", "due_date"]),
        ]

    def __str__(self):
        return _("%(plan)s · %(employer)s") % {"plan": self.plan, "employer": self.employer}

    @property
    def due_pending(self) -> bool:
        return self.due_date is None and self.due_pending_year is not None

    @property
    def is_open(self) -> bool:
        """Waiting for the employer's declaration (the deadline runs)."""
        return self.status in (ReviewStatus.NOTIFIED, ReviewStatus.RETURNED)

    def findings(self) -> list[tuple[str, str, str]]:
        """[(area code, area label, finding)] in the order of seed 002 三(一)3."""
        return [(a.value, a.label, getattr(self, f"finding_{a.value}")) for a in Area]


class ReviewTransition(AppendOnlyModel):
    """The status history of a review: who moved it, when, why."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(_("原状态"), max_length=16, choices=ReviewStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=ReviewStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("书面审查状态变更")
        verbose_name_plural = _("书面审查状态变更")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.review_id}: {self.from_status} → {self.to_status}"


class Declaration(models.Model):
    """The online declaration (seed 002 三(一)2 and 附件 审查表). Saved as a draft any number of
    times; ``services.submit`` checks it is complete."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="declaration")
    # basic information
    contact_name = models.CharField(_("填报联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("实际经营地址"), max_length=200, blank=True)
    # employment
    headcount = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    contracts_signed = models.PositiveIntegerField(_("已签订劳动合同人数"), null=True, blank=True)
    dispatched_workers = models.PositiveIntegerField(
        _("使用被派遣劳动者人数"), null=True, blank=True
    )
    hours_systems = models.JSONField(_("工时制度"), default=list, blank=True)
    comprehensive_approval_no = models.CharField(
        _("综合计算工时制审批文号"), max_length=100, blank=True
    )
    flexible_approval_no = models.CharField(_("不定时工作制审批文号"), max_length=100, blank=True)
    # 审查表 (seed 002 附件)
    pension_insured = models.PositiveIntegerField(_("养老保险参保人数"), null=True, blank=True)
    medical_insured = models.PositiveIntegerField(_("医疗保险参保人数"), null=True, blank=True)
    injury_insured = models.PositiveIntegerField(_("工伤保险参保人数"), null=True, blank=True)
    unemployment_insured = models.PositiveIntegerField(_("失业保险参保人数"), null=True, blank=True)
    payroll_concealed = models.BooleanField(_("有无瞒报工资总额和人数情况"), null=True, blank=True)
    wage_violation = models.BooleanField(_("有无违反工资支付规定的情况"), null=True, blank=True)
    hours_violation = models.BooleanField(_("有无违反工作时间规定的情况"), null=True, blank=True)
    sanctioned = models.BooleanField(
        _("是否受到过劳动保障监察行政处理或行政处罚"), null=True, blank=True
    )
    self_check_note = models.TextField(_("情况说明"), blank=True)
    payday = models.PositiveSmallIntegerField(_("每月支付工资日"), null=True, blank=True)
    # the roster file
    roster_name = models.CharField(_("花名册文件"), max_length=200, blank=True)
    roster_sha256 = models.CharField(max_length=64, blank=True)
    roster_uploaded_at = models.DateTimeField(_("花名册上传时间"), null=True, blank=True)
    roster_count = models.PositiveIntegerField(_("花名册人数"), default=0)
    saved_at = models.DateTimeField(_("保存时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")

    def __str__(self):
        return str(self.review)

    def hours_system_labels(self) -> list[str]:
        labels = dict(HoursSystem.choices)
        return [str(labels.get(code, code)) for code in self.hours_systems or ()]


class RosterEntry(models.Model):
    """One worker of the 职工花名册. The ID number is shown in full only on the inspector's
    review page (``mask_id_number`` elsewhere)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="roster")
    row = models.PositiveIntegerField(_("行号"))
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号码"), max_length=18)
    position = models.CharField(_("岗位"), max_length=100, blank=True)
    contract_start = models.DateField(_("劳动合同起始日期"), null=True, blank=True)
    contract_end = models.DateField(_("劳动合同终止日期"), null=True, blank=True)
    monthly_wage = models.DecimalField(_("月工资（元）"), max_digits=10, decimal_places=2)
    sampled = models.BooleanField(_("抽中审查"), default=False)

    class Meta:
        verbose_name = _("职工花名册")
        verbose_name_plural = _("职工花名册")
        ordering = ["review", "row"]
        constraints = [
            models.UniqueConstraint(fields=["review", "id_number"], name="roster_id_once")
        ]
        indexes = [models.Index(fields=["review", "sampled"])]

    def __str__(self):
        return f"{self.row} {self.masked_name}"

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_name(self) -> str:
        from employers.models import mask_name

        return mask_name(self.name)


def mask_id_number(value: str) -> str:
    """11010519491231002X → 110***********002X."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


class ReviewDocument(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(_("材料类型"), max_length=32, choices=DocType.choices)
    worker = models.ForeignKey(
        RosterEntry,
        verbose_name=_("职工"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    worker_id_number = models.CharField(max_length=18, blank=True)
    report = models.ForeignKey(
        "RectificationReport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    file = models.FileField(
        _("文件"), storage=evidence_storage, upload_to=document_path, max_length=200
    )
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
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
        verbose_name = _("审查材料")
        verbose_name_plural = _("审查材料")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["review", "doc_type"])]

    def __str__(self):
        return self.original_name


class Problem(models.Model):
    """One line of the 问题清单 (seed 002 三(一)4)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="problems")
    number = models.PositiveSmallIntegerField(_("序号"))
    area = models.CharField(_("审查事项"), max_length=32, choices=Area.choices)
    description = models.TextField(_("问题"))
    legal_basis = models.CharField(_("法律依据"), max_length=300)
    is_violation = models.BooleanField(
        _("认定为劳动保障违法行为"),
        default=True,
        help_text=_("审批通过后记入信用记录（违法行为被查处）"),
    )
    severity = models.CharField(
        _("情节"), max_length=16, choices=Severity.choices, default=Severity.MINOR
    )
    handling = models.CharField(
        _("处理方式"), max_length=16, choices=Handling.choices, default=Handling.SUGGESTION
    )
    case_no = models.CharField(_("立案编号"), max_length=64, blank=True)
    case_filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    record = models.ForeignKey(
        "credit_records.CreditRecord",
        verbose_name=_("违法行为记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rectification = models.CharField(
        _("整改状态"),
        max_length=16,
        choices=RectificationStatus.choices,
        default=RectificationStatus.PENDING,
    )
    rectified_on = models.DateField(_("整改验收日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题清单")
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="review_problem_number")
        ]
        indexes = [models.Index(fields=["rectification"])]

    def __str__(self):
        return f"{self.number}. {self.get_area_display()}"


class RectificationReport(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="reports")
    text = models.TextField(_("整改情况"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    submitted_at = models.DateTimeField(_("报告时间"), auto_now_add=True)
    accepted = models.BooleanField(_("核验结果"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    decision_note = models.TextField(_("核验意见"), blank=True)

    class Meta:
        verbose_name = _("整改报告")
        verbose_name_plural = _("整改报告")
        ordering = ["submitted_at", "id"]

    def __str__(self):
        return f"{self.problem} {self.submitted_at:%Y-%m-%d}"


class LateOrder(models.Model):
    """责令限期申报 (seed 002 五; 劳动保障监察条例 第三十条): a new date to declare by."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="orders")
    issued_on = models.DateField(_("下达日期"))
    new_due_date = models.DateField(_("限期申报日期"))
    document_no = models.CharField(_("文书号"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("责令限期申报")
        verbose_name_plural = _("责令限期申报")
        ordering = ["issued_on", "id"]

    def __str__(self):
        return f"{self.review_id} → {self.new_due_date}"
