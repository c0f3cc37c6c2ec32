"""Every choice of the ledger in one place (SPEC §3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    VIOLATION = "violation", _("劳动保障违法行为被查处")
    ADMINISTRATIVE_DECISION = "administrative_decision", _("行政处理决定")
    ADMINISTRATIVE_PENALTY = "administrative_penalty", _("行政处罚决定")
    WAGE_ARREARS_BLACKLIST = "wage_arrears_blacklist", _("列入拖欠农民工工资失信联合惩戒对象名单")
    ARBITRATION_LOSS = "arbitration_loss", _("劳动人事争议仲裁败诉")
    CRIMINAL_LIABILITY = "criminal_liability", _("因劳动保障违法行为被追究刑事责任")
    OBSTRUCTION = "obstruction", _("无理抗拒、阻挠劳动保障监察")
    HARMONIOUS_ENTERPRISE = "harmonious_enterprise", _("劳动关系和谐企业")
    COMMENDATION = "commendation", _("评比达标表彰")
    CREDIT_COMMITMENT = "credit_commitment", _("签署信用承诺书")
    COMMITMENT_BREACH = "commitment_breach", _("未履行信用承诺")
    FALSE_MATERIALS = "false_materials", _("隐瞒有关情况或提供虚假材料")
    REPORTING_FAILURE = (
        "reporting_failure",
        _("未按规定开展行政许可、备案、年度报告、书面报告、统计、接受监督检查"),
    )
    ANNUAL_REPORT_MISSING = "annual_report_missing", _("未进行年度报告")
    ESTABLISHMENT_UNMET = "establishment_unmet", _("从业人员、场所等变化未达到设立条件")
    ENTERPRISE_CREDIT_PENALTY = (
        "enterprise_credit_penalty",
        _("国家企业信用信息公示系统中有行政处罚记录"),
    )
    BUSINESS_ABNORMAL_LIST = "business_abnormal_list", _("列入经营异常名录")
    LOST_CONTACT = "lost_contact", _("机构失联")
    FUND_FRAUD = "fund_fraud", _("欺诈、骗取就业补助资金、社会保险基金或职业技能培训评价补贴资金")
    LICENSE_REVOKED = "license_revoked", _("吊销人力资源服务许可")
    PUBLIC_CREDIT_RATING = "public_credit_rating", _("公共信用综合评价结果")
    SERIOUS_DISHONESTY_LIST = "serious_dishonesty_list", _("列入严重失信主体名单")
    DISHONEST_JUDGMENT_DEBTOR = "dishonest_judgment_debtor", _("失信被执行人")
    PATROL_INSPECTION = "patrol_inspection", _("日常巡视检查")
    WRITTEN_REVIEW = "written_review", _("书面审查结论")
    COMPLAINT = "complaint", _("投诉举报")
    INTERVIEW = "interview", _("约谈")


class EntryType(models.TextChoices):
    ORIGINAL = "original", _("原始记录")
    CORRECTION = "correction", _("更正")
    VOID = "void", _("作废")
    # SPEC §7 [r2]: an approved credit repair; the same content, plus the approval date from
    # which the record no longer counts in grades (``repaired_on``).
    REPAIR = "repair", _("信用修复")


class Source(models.TextChoices):
    PATROL = "patrol", _("日常巡查")
    COMPLAINT = "complaint", _("投诉举报")
    WRITTEN_REVIEW = "written_review", _("书面审查")
    SPECIAL_INSPECTION = "special_inspection", _("专项检查")
    SUPPLEMENT = "supplement", _("违法信息补录")
    TRANSFER = "transfer", _("外地移送")
    EXTERNAL = "external", _("外部平台")


class Severity(models.TextChoices):
    MINOR = "minor", _("轻微")
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("严重")
    MAJOR = "major", _("重大")


class Category(models.TextChoices):
    LABOR_CONTRACT = "labor_contract", _("劳动合同")
    WAGES = "wages", _("工资支付")
    MINIMUM_WAGE = "minimum_wage", _("最低工资")
    WORKING_HOURS = "working_hours", _("工作时间和休息休假")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    CHILD_LABOR = "child_labor", _("使用童工")
    FORCED_LABOR = "forced_labor", _("强迫劳动")
    FEMALE_MINOR_PROTECTION = "female_minor_protection", _("女职工和未成年工特殊保护")
    LABOR_DISPATCH = "labor_dispatch", _("劳务派遣")
    INTERNAL_RULES = "internal_rules", _("内部劳动保障规章制度")
    HR_MARKET = "hr_market", _("人力资源市场")
    OTHER = "other", _("其他")


class Rectification(models.TextChoices):
    RECTIFIED = "rectified", _("已整改")
    IN_PROGRESS = "in_progress", _("整改中")
    NOT_RECTIFIED = "not_rectified", _("逾期未整改")


class Performance(models.TextChoices):
    PERFORMED = "performed", _("已履行")
    PENDING = "pending", _("未履行完毕")
    REFUSED = "refused", _("拒不履行")


class Procedure(models.TextChoices):
    GENERAL = "general", _("一般程序")
    SIMPLIFIED = "simplified", _("简易程序")


class Mitigation(models.TextChoices):
    """SPEC §3 [r2]: the 但书 of seed 004 第五条（二）— a general-procedure penalty is not
    dishonesty information when the violation was minor or its harm actively removed or reduced."""

    NONE = "none", _("无")
    MINOR = "minor", _("违法行为轻微")
    REMEDIED = "remedied", _("主动消除或者减轻违法行为危害后果")


class HarmoniousLevel(models.TextChoices):
    COUNTY = "county", _("县级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("国家级")


class InfoClass(models.TextChoices):
    """Information class (seed 004 第五、六条; SPEC §3)."""

    BASIC = "basic", _("基础信息")
    GOOD = "good", _("良好(增信)信息")
    DISHONEST_GENERAL = "dishonest_general", _("失信信息—一般")
    DISHONEST_SERIOUS = "dishonest_serious", _("失信信息—严重")


class PatrolResult(models.TextChoices):
    NO_ISSUE = "no_issue", _("未发现问题")
    ISSUE_FOUND = "issue_found", _("发现问题")


class WrittenReviewResult(models.TextChoices):
    QUALIFIED = "qualified", _("合格")
    BASICALLY_QUALIFIED = "basically_qualified", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class ComplaintResult(models.TextChoices):
    VERIFIED = "verified", _("查证属实")
    UNFOUNDED = "unfounded", _("查无实据")


class InterviewResult(models.TextChoices):
    REMINDER = "reminder", _("提示约谈")
    WARNING = "warning", _("警示约谈")


class CreditRating(models.TextChoices):
    A = "A", _("A级")
    B = "B", _("B级")
    C = "C", _("C级")
    D = "D", _("D级")
