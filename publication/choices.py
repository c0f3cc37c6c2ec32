"""Every choice of the publication app in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待推送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("推送失败")


class StubFailureMode(models.TextChoices):
    # "after" stores the message and then answers with an error, as when the platform applied a
    # message but the answer was lost: the sender retries and the platform must not apply it twice.
    BEFORE = "before", _("处理前失败（未保存）")
    AFTER = "after", _("保存后失败（应答丢失）")
    MIXED = "mixed", _("两者随机")


class DocumentKind(models.TextChoices):
    LIST_PDF = "list_pdf", _("公布名单（PDF）")
    LIST_XLSX = "list_xlsx", _("评价结果明细（XLSX）")
    ANNEX2_XLSX = "annex2_xlsx", _("附件2 人力资源服务机构信用等级评价汇总表（XLSX）")
    REPORT_PDF = "report_pdf", _("上报报告（PDF）")
    REPORT_XLSX = "report_xlsx", _("上报报告统计表（XLSX）")
    WRITTEN_NOTICE = "written_notice", _("书面告知书（PDF）")


class JobKind(models.TextChoices):
    WRITTEN_NOTICES = "written_notices", _("生成书面告知书")
    PUBLICATION = "publication", _("生成公布文件")
    PUBLISH = "publish", _("公布评价结果")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
