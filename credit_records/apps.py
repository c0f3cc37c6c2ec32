from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditRecordsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credit_records"
    verbose_name = _("信用记录")

    def ready(self):
        from employers.panels import register_panel

        from .panels import credit_file_context

        register_panel(order=20, template="credit_records/panel.html", context=credit_file_context)

        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.signals import user_login_failed
        from django.db.models.signals import post_save

        from . import receivers

        post_save.connect(receivers.on_admin_log_entry, sender=LogEntry, dispatch_uid="audit.admin")
        user_login_failed.connect(receivers.on_login_failed, dispatch_uid="audit.login_failed")
