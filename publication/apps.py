from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "publication"
    verbose_name = _("结果公示与发布")

    def ready(self):
        from credit_records.signals import ledger_appended
        from employers.panels import register_panel

        from .dishonesty import on_ledger_appended

        # SPEC §3 [r2]: dishonesty information reaches the platform in the ledger's transaction.
        ledger_appended.connect(on_ledger_appended, dispatch_uid="publication.dishonesty")

        from .panels import published_grades_context

        register_panel(
            order=30,
            template="publication/employer_panel.html",
            context=published_grades_context,
        )
