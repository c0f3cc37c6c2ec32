from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "objections"
    verbose_name = _("异议与信用修复")

    def ready(self):
        from employers.panels import register_panel

        from . import checks  # noqa: F401 — registers the calendar system check
        from .panels import employer_panel

        register_panel(order=40, template="objections/_employer_panel.html", context=employer_panel)
