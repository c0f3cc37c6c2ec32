from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grading"
    verbose_name = _("信用等级评价")

    def ready(self):
        from . import workbench_queues

        workbench_queues.register()  # the staff workbench (employers.workbench)
        from . import listing

        listing.register()  # grade column and filters of the employer list
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from credit_records.signals import record_changed, records_imported
        from employers.panels import register_panel

        from .panels import employer_grade_panel
        from .receivers import on_record_changed, on_records_imported

        record_changed.connect(on_record_changed, dispatch_uid="grading.live_regrade")
        records_imported.connect(on_records_imported, dispatch_uid="grading.imported_regrade")
        post_migrate.connect(restore_reference_data, sender=self)
        connection_created.connect(add_sqlite_bit_or, dispatch_uid="grading.sqlite_bit_or")
        register_panel(
            order=20, template="grading/_employer_panel.html", context=employer_grade_panel
        )


class BitOr:
    """BIT_OR(x) for SQLite, which lacks it: the facts queries OR bit masks per employer."""

    def __init__(self):
        self.value = None

    def step(self, value):
        if value is not None:
            self.value = (self.value or 0) | int(value)

    def finalize(self):
        return self.value


def add_sqlite_bit_or(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("BIT_OR", 1, BitOr)


def restore_reference_data(sender, **kwargs):
    from employers.models import Jurisdiction

    from .models import RuleSetAssignment
    from .reference import ensure_assignments

    ensure_assignments(Jurisdiction, RuleSetAssignment)
