from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WrittenReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "written_review"
    verbose_name = _("书面审查")

    def ready(self):
        from employers.context_processors import register_nav_group
        from employers.panels import register_panel
        from employers.samplers import register_sampler
        from objections.signals import calendar_year_loaded

        from . import commands, hooks
        from .panels import employer_panel

        register_panel(
            order=35, template="written_review/_employer_panel.html", context=employer_panel
        )
        register_nav_group(order=35, label=_("书面审查"), entries=hooks.NAV_ENTRIES)
        hooks.register_queues()
        register_sampler(
            name="written-review",
            help="抽取书面审查名单（SPEC §10）",
            add_arguments=commands.add_arguments,
            handle=commands.handle,
        )
        calendar_year_loaded.connect(
            hooks.on_calendar_year_loaded, dispatch_uid="written_review.due"
        )
