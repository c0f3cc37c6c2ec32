"""Every choice of the objections app in one place (SPEC §6, §7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班日")


class CalendarSource(models.TextChoices):
    CHINESECALENDAR = "chinesecalendar", _("内置节假日数据")
    STATE_COUNCIL_NOTICE = "notice", _("国务院办公厅通知（人工录入）")


class ObjectionKind(models.TextChoices):
    RECORD = "record", _("对信用记录的异议")
    GRADE = "grade", _("对公示期间等级的异议")
    RE_EVALUATION = "re_evaluation", _("复评申请")


class ObjectionGround(models.TextChoices):
    """Seed 000 第十九条: 错误、遗漏, or 侵犯商业秘密、个人隐私和其他个人信息."""

    ERROR = "error", _("信息错误")
    OMISSION = "omission", _("信息遗漏")
    TRADE_SECRET = "trade_secret", _("侵犯商业秘密")
    PRIVACY = "privacy", _("侵犯个人隐私或其他个人信息")
    OTHER = "other", _("其他")


class CaseStatus(models.TextChoices):
    """One status set for objections, re-evaluations and repair applications (SPEC §7)."""

    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    VERIFYING = "verifying", _("部门核查中")
    DECIDED = "decided", _("待负责人审批")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.ACCEPTED,
    CaseStatus.VERIFYING,
    CaseStatus.DECIDED,
)


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("异议成立")
    PARTLY_UPHELD = "partly_upheld", _("部分成立")
    REJECTED = "rejected", _("不予支持")


class RecordRemedy(models.TextChoices):
    """What an upheld objection against a record does in the ledger."""

    NONE = "", _("不变更记录")
    VOID = "void", _("作废该记录")
    CORRECT = "correct", _("更正该记录")


class RepairOutcome(models.TextChoices):
    APPROVED = "approved", _("准予修复")
    REJECTED = "rejected", _("不予修复")


class Action(models.TextChoices):
    """Transition names, also the values of the transition log."""

    FILE = "file", _("提交")
    ACCEPT = "accept", _("受理")
    NEEDS_VERIFICATION = "needs_verification", _("转相关部门核查")
    DECIDE = "decide", _("作出处理意见")
    APPROVE = "approve", _("审批通过")
    RETURN = "return", _("退回重新处理")
    WITHDRAW = "withdraw", _("撤回")
