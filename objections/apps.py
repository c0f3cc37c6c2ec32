from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "objections"
    verbose_name = _("异议与信用修复")

    def ready(self):
        from . import checks  # noqa: F401 — registers the calendar system check
