from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_reference_data(sender, **kwargs):
    from .models import Jurisdiction
    from .reference import ensure_jurisdictions

    ensure_jurisdictions(Jurisdiction)


class EmployersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "employers"
    verbose_name = _("用人单位与账号")

    def ready(self):
        post_migrate.connect(_restore_reference_data, sender=self)
