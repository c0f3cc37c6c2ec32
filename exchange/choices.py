"""Every choice of the exchange app in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# A distribution job is a background job of a cycle like publication's document jobs: the same
# statuses, the same base model (publication.models.BackgroundJob).
from publication.choices import JobStatus  # noqa: F401


class UnitKind(models.TextChoices):
    """The sister units consulted before public notice (seed 002 四(二): 征求同级劳动关系、基金监督、
    劳动争议仲裁、就业、社会保险等有关业务机构意见，并注意听取有关部门和工会组织的意见建议)."""

    LABOUR_RELATIONS = "labour_relations", _("劳动关系")
    FUND_SUPERVISION = "fund_supervision", _("基金监督")
    ARBITRATION = "arbitration", _("劳动争议仲裁")
    EMPLOYMENT = "employment", _("就业")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    TRADE_UNION = "trade_union", _("工会")
    OTHER = "other", _("其他部门")


class ReplyStatus(models.TextChoices):
    PENDING = "pending", _("待答复")
    NO_OBJECTION = "no_objection", _("无异议")
    OBJECTIONS = "objections", _("有意见")


class ItemKind(models.TextChoices):
    RESULT = "result", _("公布结果")
    ADJUSTMENT = "adjustment", _("结果调整")


class Department(models.TextChoices):
    """Receiving departments of the distribution files (seed 002 四(四)1: 抄送同级市场监管、发展改革、
    城乡建设、交通、水利等主管部门; 川渝守法诚信等级评价结果信息共享)."""

    MARKET_REGULATION = "market_regulation", _("市场监管部门")
    DEVELOPMENT_REFORM = "development_reform", _("发展改革部门")
    CONSTRUCTION = "construction", _("城乡建设部门")
    TRANSPORT = "transport", _("交通运输部门")
    WATER = "water", _("水利部门")
    CHUANYU = "chuanyu", _("川渝信息共享")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    MANIFEST = "manifest", _("清单（manifest）")


class ApiErrorCode(models.TextChoices):
    """The codes of the partner API's JSON errors (documented on the developers' page)."""

    INVALID_USCC = "invalid_uscc", _("统一社会信用代码不正确")
    INVALID_PARAMETER = "invalid_parameter", _("参数不正确")
    TOKEN_MISSING = "token_missing", _("缺少令牌")
    TOKEN_INVALID = "token_invalid", _("令牌无效")
    TOKEN_EXPIRED = "token_expired", _("令牌已过期")
    TOKEN_REVOKED = "token_revoked", _("令牌已吊销")
    OUT_OF_SCOPE = "out_of_scope", _("超出令牌辖区")
    NOT_FOUND = "not_found", _("单位不存在")
    RATE_LIMITED = "rate_limited", _("请求过于频繁")
    ERROR = "error", _("其他错误")
