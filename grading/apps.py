from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grading"
    verbose_name = _("信用等级评价")

    def ready(self):
        from credit_records.signals import record_changed
        from employers.panels import register_panel

        from .panels import employer_grade_panel
        from .receivers import on_record_changed

        record_changed.connect(on_record_changed, dispatch_uid="grading.live_regrade")
        register_panel(
            order=20, template="grading/_employer_panel.html", context=employer_grade_panel
        )
