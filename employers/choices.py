from django.db import models
from django.utils.translation import gettext_lazy as _


class EmployerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")
    HR_AGENCY = "hr_agency", _("人力资源服务机构")
    LABOR_DISPATCH = "labor_dispatch", _("劳务派遣单位")
    TRAINING_INSTITUTION = "training_institution", _("职业培训机构")
    JOB_AGENCY = "job_agency", _("职业介绍机构")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位/社会组织")
    OTHER = "other", _("其他")


class Industry(models.TextChoices):
    # The first four are the key industries of seed 002 三(一)1.
    HR_SERVICES = "hr_services", _("人力资源服务")
    CONSTRUCTION = "construction", _("建筑")
    TRANSPORT = "transport", _("交通运输")
    INTERNET_PLATFORM = "internet_platform", _("互联网平台")
    MANUFACTURING = "manufacturing", _("制造业")
    CATERING = "catering", _("餐饮")
    RETAIL = "retail", _("零售")
    OTHER = "other", _("其他")


class EmployerStatus(models.TextChoices):
    OPERATING = "operating", _("正常经营")
    LOST_CONTACT = "lost_contact", _("失联")
    DEREGISTERED = "deregistered", _("已注销")


class JurisdictionLevel(models.TextChoices):
    PROVINCE = "province", _("省/直辖市")
    CITY = "city", _("市")
    DISTRICT = "district", _("区/县")
    STREET = "street", _("乡镇/街道")


class Role(models.TextChoices):
    INSPECTOR = "inspector", _("劳动保障监察员")
    SUPERVISOR = "supervisor", _("监察机构负责人")
    PUBLISHER = "publisher", _("发布管理员")
    EMPLOYER = "employer", _("用人单位")
    AUDITOR = "auditor", _("审计员")
    SYSADMIN = "sysadmin", _("系统管理员")
    # SPEC §12 [r2]: a sister unit (劳动关系、基金监督、劳动争议仲裁、就业、社会保险、工会) answering a
    # consultation before public notice; its unit is exchange.UnitMember.
    CONSULTEE = "consultee", _("征求意见单位")


# Roles that work inside a jurisdiction subtree.
STAFF_ROLES = {Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR}
# Roles allowed to write credit records and grades (三员分立: never the sysadmin).
CREDIT_WRITER_ROLES = {Role.INSPECTOR, Role.SUPERVISOR}


# --- separation of duties for accounts (三员分立) -----------------------------------------------


class AccountRequestKind(models.TextChoices):
    CREATE = "create", _("新建账号")
    CHANGE_ACCESS = "change_access", _("变更角色或范围")
    RESET_PASSWORD = "reset_password", _("重置密码")


class AccountRequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


# Who makes account requests, and who approves them (the second person, never the maker).
ACCOUNT_MAKER_ROLES = {Role.SYSADMIN}
ACCOUNT_APPROVER_ROLES = {Role.SUPERVISOR, Role.AUDITOR}
# Accounts without a jurisdiction that reach the whole system: only an auditor approves them.
SYSTEM_WIDE_ROLES = {Role.SYSADMIN}


class ImportJobStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传，等待校验")
    CHECKING = "checking", _("校验中")
    READY = "ready", _("校验通过，待确认导入")
    INVALID = "invalid", _("文件有错误")
    WRITING = "writing", _("导入中")
    DONE = "done", _("已导入")
    FAILED = "failed", _("处理失败")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已过期清理")


IMPORT_JOB_RUNNING = {ImportJobStatus.UPLOADED, ImportJobStatus.CHECKING, ImportJobStatus.WRITING}


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导出中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
