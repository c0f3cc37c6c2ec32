"""The audit log of the whole system, and what every append-only table shares.

Append-only is enforced three times: in the ORM (no update or delete), in the admin (read-only)
and on PostgreSQL by triggers refusing UPDATE, DELETE and TRUNCATE, so even raw SQL fails. What
someone who owns the database does anyway (switching the triggers off) is caught by the keyed
hash chain (``audit.chain``) and the daily signed checkpoint (``audit.checkpoints``).

The table keeps its old name (``credit_records_auditentry``): the model moved here from
``credit_records`` without moving a row (``credit_records.models.AuditEntry`` still works).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .chain import CURRENT_VERSION, GENESIS


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete a row of an append-only table, or to write the ledger
    outside its own write path."""


class AppendOnlyQuerySet(models.QuerySet):
    """No UPDATE and no DELETE through the ORM, for any append-only table."""

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} 只能追加，不能修改")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(f"{self.model._meta.label} 只能追加，不能修改")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} 只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} 只能追加，不能删除")

    delete.queryset_only = True
    delete.alters_data = True


class AppendOnlyModel(models.Model):
    # What the application's database role may do here (``manage.py db_grants``): UPDATE only so
    # that SELECT … FOR UPDATE can lock a row; the append-only trigger refuses every real update.
    DB_PRIVILEGES = "SELECT, INSERT, UPDATE"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} 只能追加，不能修改")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} 只能追加，不能删除")


class ChainHead(models.Model):
    """The end of a hash chain: one row, locked by every write (so concurrent writers queue
    instead of forking the chain) and compared by verification with the last entry. The legacy
    fields and their ``seal`` fix the prefix written before the chain was keyed (``audit.chain``)."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    length = models.BigIntegerField(default=0)
    legacy_length = models.BigIntegerField(default=0)
    legacy_last_id = models.BigIntegerField(default=0)
    legacy_last_hash = models.CharField(max_length=64, default=GENESIS)
    seal = models.CharField(max_length=64, default="")

    DB_PRIVILEGES = "SELECT, INSERT, UPDATE"  # it moves with every entry; never deleted

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.length} @ {self.last_hash[:12]}"


class AuditHead(ChainHead):
    class Meta:
        verbose_name = _("审计日志链头")
        verbose_name_plural = _("审计日志链头")


class AuditEntry(AppendOnlyModel):
    """Who changed what, when, from where — for every write in the system (append-only,
    hash-chained with a key)."""

    # Set by ``write_audit`` before hashing (not auto_now_add: the hash covers it).
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_repr = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    jurisdiction_path = models.CharField(_("辖区路径"), max_length=400, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    chain_version = models.PositiveSmallIntegerField(
        _("哈希版本"), default=CURRENT_VERSION, editable=False
    )
    prev_hash = models.CharField(_("上一条哈希"), max_length=64, editable=False, default="")
    entry_hash = models.CharField(_("本条哈希"), max_length=64, editable=False, default="")

    objects = AppendOnlyQuerySet.as_manager()

    DB_PRIVILEGES = "SELECT, INSERT"  # the application can add an entry and nothing else

    class Meta:
        db_table = "credit_records_auditentry"
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"
