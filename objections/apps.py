from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "objections"
    verbose_name = _("异议与信用修复")

    def ready(self):
        from . import workbench_queues

        workbench_queues.register()  # the staff workbench (employers.workbench)
        from django.db.models.signals import post_migrate

        from employers.panels import register_panel

        from . import checks  # noqa: F401 — registers the calendar system check
        from .panels import employer_panel

        register_panel(order=40, template="objections/_employer_panel.html", context=employer_panel)
        post_migrate.connect(_restore_calendar, sender=self)


def _restore_calendar(sender, using="default", **kwargs):
    """The seeded calendar comes back after a flush (a transactional test ends with one, then
    Django sends post_migrate), like content types do. Idempotent."""
    from . import calendar
    from .calendar_data import seed_chinesecalendar
    from .models import CalendarDay, CalendarYear

    if not CalendarYear.objects.using(using).exists():
        seed_chinesecalendar(
            CalendarYear.objects.db_manager(using).model,
            CalendarDay.objects.db_manager(using).model,
        )
        calendar.invalidate()
