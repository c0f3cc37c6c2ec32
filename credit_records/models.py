"""The ledger: append-only credit records (SPEC §3) and their evidence files.

Append-only is enforced three times: here (no ORM update or delete, inserts only through the
ledger's own write path in ``ledger.py``), in the admin (read-only), and on PostgreSQL by
triggers that refuse UPDATE, DELETE and TRUNCATE (migrations 0004 and 0006), so even raw SQL
fails. The keyed hash chain (``prev_hash``/``entry_hash``, ``audit.chain``) and the daily signed
checkpoint make any change made with the protection switched off visible to
``manage.py verify_ledger``.

The audit log lives in the ``audit`` app; ``AuditEntry`` and the append-only base classes are
re-exported here for the code that imports them from ``credit_records.models``.
"""

import contextvars
import secrets
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from audit.chain import CURRENT_VERSION
from audit.models import (  # noqa: F401  (re-exported: other apps import them from here)
    AppendOnlyError,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    AuditEntry,
    ChainHead,
)
from config.storage import PrivateFileSystemStorage
from employers.models import Employer

from .choices import (
    Category,
    EntryType,
    HarmoniousLevel,
    Mitigation,
    Performance,
    Procedure,
    RecordKind,
    Rectification,
    Severity,
    Source,
)

_ledger_writer = contextvars.ContextVar("ledger_writer", default=False)


@contextmanager
def ledger_writing():
    """Open only by ``credit_records.ledger``: the one place that inserts ledger rows."""
    token = _ledger_writer.set(True)
    try:
        yield
    finally:
        _ledger_writer.reset(token)


def _refuse_outside_ledger():
    if not _ledger_writer.get():
        raise AppendOnlyError(
            "信用记录只能通过 credit_records.services（add_record / correct_record / "
            "void_record / import_records）写入"
        )


class LedgerQuerySet(AppendOnlyQuerySet):
    """Inserts only inside the ledger's write path (``ledger_writing``)."""

    def bulk_create(self, objs, *args, **kwargs):
        _refuse_outside_ledger()
        return super().bulk_create(objs, *args, **kwargs)

    def create(self, **kwargs):
        _refuse_outside_ledger()
        return super().create(**kwargs)

    def get_or_create(self, *args, **kwargs):
        raise AppendOnlyError("信用记录只能通过 credit_records.services 写入")


class CreditRecordQuerySet(LedgerQuerySet):
    def effective(self):
        """Entries that count: not a void entry, and superseded by no other entry (SPEC §3).

        Grading relies on exactly this meaning (it repeats it in raw SQL as
        ``entry_type <> 'void' AND NOT EXISTS (… supersedes_id = id)``).
        """
        superseded = CreditRecord.objects.filter(supersedes_id=OuterRef("pk"))
        return self.exclude(entry_type=EntryType.VOID).filter(~Exists(superseded))


class CreditRecord(AppendOnlyModel):
    """One entry of the append-only ledger.

    A fix never edits a row: a ``correction`` entry supersedes the original (``supersedes``
    points at it) and a ``void`` entry cancels it. A record is *effective* when it is not a void
    entry and no later entry supersedes it (see ``CreditRecordQuerySet.effective``).
    """

    employer = models.ForeignKey(
        Employer,
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    kind = models.CharField(_("记录类型"), max_length=40, choices=RecordKind.choices)
    entry_type = models.CharField(
        _("条目类型"), max_length=16, choices=EntryType.choices, default=EntryType.ORIGINAL
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("更正/作废的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    reason = models.TextField(_("更正/作废理由"), blank=True)

    date = models.DateField(_("日期"))
    end_date = models.DateField(_("截止日期"), null=True, blank=True)
    case_no = models.CharField(_("监察案件编号"), max_length=64, blank=True)
    document_no = models.CharField(_("文书号"), max_length=100, blank=True)
    source = models.CharField(_("信息来源"), max_length=32, choices=Source.choices, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    department = models.CharField(_("记录部门"), max_length=100, blank=True)

    severity = models.CharField(_("情节"), max_length=16, choices=Severity.choices, blank=True)
    category = models.CharField(_("违法类别"), max_length=32, choices=Category.choices, blank=True)
    rectification = models.CharField(
        _("整改情况"), max_length=16, choices=Rectification.choices, blank=True
    )
    performance = models.CharField(
        _("履行情况"), max_length=16, choices=Performance.choices, blank=True
    )
    procedure = models.CharField(
        _("处罚程序"), max_length=16, choices=Procedure.choices, blank=True
    )
    # SPEC §3 [r2]; blank on every other kind, and on penalties recorded before revision 2
    # (read as ``none``).
    mitigation = models.CharField(
        _("从轻情节"), max_length=16, choices=Mitigation.choices, blank=True, default=""
    )
    incident = models.BooleanField(
        _("引发群体性事件、极端事件或严重不良社会影响"), null=True, blank=True
    )
    level = models.CharField(
        _("和谐企业级别"), max_length=16, choices=HarmoniousLevel.choices, blank=True
    )
    value = models.CharField(_("值"), max_length=32, blank=True)
    result = models.CharField(_("结论"), max_length=32, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # SPEC §7 [r2]: on a ``repair`` entry (and corrections of it), the day the repair was
    # approved: the record no longer counts in any grade with as_of on or after it.
    repaired_on = models.DateField(_("信用修复日期"), null=True, blank=True)

    # Set by the write path before hashing (not auto_now_add: the hash covers it).
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    # The hash chain (ledger.py): entry_hash = HMAC-SHA256(key, prev_hash + canonical content);
    # entries written before the key have chain_version 1 (unkeyed SHA-256, sealed: audit.chain).
    chain_version = models.PositiveSmallIntegerField(
        _("哈希版本"), default=CURRENT_VERSION, editable=False
    )
    prev_hash = models.CharField(_("上一条哈希"), max_length=64, editable=False, default="")
    entry_hash = models.CharField(_("本条哈希"), max_length=64, editable=False, default="")

    objects = CreditRecordQuerySet.as_manager()

    DB_PRIVILEGES = "SELECT, INSERT"  # the application can append and nothing else

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["employer_id", "date", "id"]
        indexes = [
            models.Index(fields=["employer", "kind", "date"]),
            models.Index(fields=["supersedes"]),
            # The nightly end of publicity (SPEC §7 [r2]) looks for old records of some kinds.
            models.Index(fields=["kind", "date"], name="credit_record_kind_date"),
        ]
        constraints = [
            # An entry is corrected or voided at most once: concurrent fixes cannot fork it.
            models.UniqueConstraint(fields=["supersedes"], name="credit_record_superseded_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {date_format(self.date, 'DATE_FORMAT')}"

    def save(self, *args, **kwargs):
        _refuse_outside_ledger()
        super().save(*args, **kwargs)

    @property
    def info_class(self):
        from .classes import info_class

        return info_class(self)

    @property
    def effective_end(self):
        """The end that counts (SPEC §4 [r2]): for the wage-arrears blacklist the earlier of the
        removal date and its three-year expiry; otherwise ``end_date``."""
        from .periods import effective_list_end

        return effective_list_end(self.kind, self.date, self.end_date)

    @property
    def expires_on(self):
        """The blacklist's three-year expiry (人社部令第45号 第十一条), else None."""
        from .periods import blacklist_expiry

        return blacklist_expiry(self.date) if self.kind == "wage_arrears_blacklist" else None


class LedgerHead(ChainHead):
    """The end of the ledger's hash chain: one row, locked by every ledger write (so concurrent
    writers cannot fork the chain) and compared by ``verify_ledger`` with the last entry and with
    the signed checkpoints (so a removed tail is noticed)."""

    class Meta:
        verbose_name = _("账本链头")
        verbose_name_plural = _("账本链头")


def evidence_storage():
    """Evidence files live beside MEDIA_ROOT, not under it: never reachable by a media URL,
    only through the permission-checked download view."""
    location = getattr(settings, "EVIDENCE_ROOT", None) or f"{Path(settings.MEDIA_ROOT)}-evidence"
    return PrivateFileSystemStorage(location=location)


def evidence_path(instance, filename):
    # A random name: the SHA-256 of a known document (a published decision) would be guessable.
    return f"{timezone.localdate():%Y/%m}/{secrets.token_hex(16)}{Path(filename).suffix.lower()}"


class Attachment(AppendOnlyModel):
    """An evidence file of a ledger entry; append-only like the entry itself."""

    record = models.ForeignKey(
        CreditRecord,
        verbose_name=_("信用记录"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(
        _("文件"), storage=evidence_storage, upload_to=evidence_path, max_length=200
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
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    DB_PRIVILEGES = "SELECT, INSERT"

    class Meta:
        verbose_name = _("证据附件")
        verbose_name_plural = _("证据附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
