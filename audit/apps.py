from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_audit_head(sender, **kwargs):
    """A test flush (TRUNCATE) removes the head row; Django then sends post_migrate."""
    from .services import ensure_audit_head

    ensure_audit_head()


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("审计日志")

    def ready(self):
        post_migrate.connect(_restore_audit_head, sender=self)

        from .checkpoints import register_chain
        from .services import CHAIN, head_state

        register_chain(CHAIN, head_state)
