"""Every choice of the written review (书面审查, SPEC §10) in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    DRAWING = "drawing", _("正在抽取")
    DRAWN = "drawn", _("已抽取")


class SampleReason(models.TextChoices):
    """Why an employer is in the sample (the ``reason`` column of ``draw_sample``)."""

    RATIO = "ratio", _("按等级比例抽取")
    KEY_INDUSTRY = "key_industry", _("重点行业")
    MANUAL = "manual", _("人工增加")


class ReviewStatus(models.TextChoices):
    SAMPLED = "sampled", _("已抽中（待通知）")
    NOTIFIED = "notified", _("已通知（待申报）")
    SUBMITTED = "submitted", _("已申报（待审查）")
    RETURNED = "returned", _("已退回补正")
    PROPOSED = "proposed", _("已提出审查意见（待审批）")
    APPROVED = "approved", _("已审批（整改中）")
    CLOSED = "closed", _("已办结")


# The employer may edit its declaration only in these states.
DECLARING = (ReviewStatus.NOTIFIED, ReviewStatus.RETURNED)
# A declaration deadline runs in these states.
AWAITING_DECLARATION = (ReviewStatus.NOTIFIED, ReviewStatus.RETURNED)


class HoursSystem(models.TextChoices):
    STANDARD = "standard", _("标准工时制")
    COMPREHENSIVE = "comprehensive", _("综合计算工时制")
    FLEXIBLE = "flexible", _("不定时工作制")


class Area(models.TextChoices):
    """The four areas of seed 002 三(一)3."""

    LABOR_CONTRACT = "labor_contract", _("劳动合同")
    WAGES = "wages", _("工资支付")
    WORKING_HOURS = "working_hours", _("工作时间")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")


# The ledger category of a violation found in each area (credit_records.choices.Category).
AREA_CATEGORY = {
    Area.LABOR_CONTRACT: "labor_contract",
    Area.WAGES: "wages",
    Area.WORKING_HOURS: "working_hours",
    Area.SOCIAL_INSURANCE: "social_insurance",
}


class AreaFinding(models.TextChoices):
    NO_PROBLEM = "no_problem", _("未发现问题")
    PROBLEM = "problem", _("存在问题")


class Handling(models.TextChoices):
    """Seed 002 三(一)4: a minor violation gets the 处理建议书; one that calls for administrative
    handling is filed as a case (立案)."""

    SUGGESTION = "suggestion", _("下达处理建议书，督促整改")
    CASE = "case", _("立案调查处理")


class RectificationStatus(models.TextChoices):
    PENDING = "pending", _("待整改")
    REPORTED = "reported", _("已报告（待核验）")
    REJECTED = "rejected", _("整改未通过")
    ACCEPTED = "accepted", _("已整改")
    OVERDUE = "overdue", _("逾期未整改")


OPEN_RECTIFICATION = (
    RectificationStatus.PENDING,
    RectificationStatus.REPORTED,
    RectificationStatus.REJECTED,
)


class DocType(models.TextChoices):
    # per sampled worker (seed 002 三(一)2, items 4–6)
    LABOR_CONTRACT = "labor_contract", _("劳动合同")
    PAYROLL_MAY = "payroll_may", _("5月工资发放表")
    PAYROLL_OCT = "payroll_oct", _("10月工资发放表")
    ATTENDANCE_MAY = "attendance_may", _("5月考勤记录")
    ATTENDANCE_OCT = "attendance_oct", _("10月考勤记录")
    # per unit (items 2, 3, 7)
    LICENSE = "license", _("登记证照")
    INTERNAL_RULES = "internal_rules", _("劳动用工规章制度")
    INSURANCE_MAY = "insurance_may", _("5月社会保险缴纳凭证")
    INSURANCE_OCT = "insurance_oct", _("10月社会保险缴纳凭证")
    # evidence of a rectification report
    RECTIFICATION = "rectification", _("整改佐证材料")


WORKER_DOCS = (
    DocType.LABOR_CONTRACT,
    DocType.PAYROLL_MAY,
    DocType.PAYROLL_OCT,
    DocType.ATTENDANCE_MAY,
    DocType.ATTENDANCE_OCT,
)
UNIT_DOCS = (
    DocType.LICENSE,
    DocType.INTERNAL_RULES,
    DocType.INSURANCE_MAY,
    DocType.INSURANCE_OCT,
)
