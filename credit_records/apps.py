from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditRecordsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credit_records"
    verbose_name = _("信用记录")
