from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_ledger_head(sender, **kwargs):
    """The chain head row comes from a migration; a test flush (TRUNCATE) removes it and Django
    then sends post_migrate, so it is put back here like the other reference data."""
    from .ledger import ensure_head

    ensure_head()


def _import_records(**kwargs):
    from .services import import_records

    return import_records(**kwargs)


class CreditRecordsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credit_records"
    verbose_name = _("信用记录")

    def ready(self):
        post_migrate.connect(_restore_ledger_head, sender=self)

        from audit.checkpoints import register_chain

        from .ledger import CHAIN, ensure_head

        register_chain(CHAIN, ensure_head)

        from employers.choices import CREDIT_WRITER_ROLES
        from employers.import_jobs import register_import_kind

        register_import_kind(
            key="records",
            label=_("信用记录"),
            run=_import_records,
            roles=CREDIT_WRITER_ROLES,
            upload_url="credit_records:import",
            done_url="credit_records:import",
        )

        from employers.panels import register_panel

        from .panels import credit_file_context

        register_panel(order=20, template="credit_records/panel.html", context=credit_file_context)

        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.signals import user_login_failed
        from django.db.models.signals import post_save

        from . import receivers

        post_save.connect(receivers.on_admin_log_entry, sender=LogEntry, dispatch_uid="audit.admin")
        user_login_failed.connect(receivers.on_login_failed, dispatch_uid="audit.login_failed")
