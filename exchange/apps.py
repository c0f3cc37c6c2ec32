from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exchange"
    verbose_name = _("数据交换与证明")

    def ready(self):
        from django.db.models.signals import post_save

        from employers.panels import register_panel
        from publication import hooks
        from publication.models import PublishedAdjustment

        from . import panels, receivers, services

        hooks.results_published.connect(
            receivers.on_results_published, dispatch_uid="exchange.results_published"
        )
        post_save.connect(
            receivers.on_adjustment_saved,
            sender=PublishedAdjustment,
            dispatch_uid="exchange.adjustment_saved",
        )
        hooks.register_notice_blocker("exchange.consultation", services.consultation_blocker)
        hooks.register_cycle_panel(
            order=10, template="exchange/cycle_panel.html", context=panels.cycle_panel
        )
        hooks.register_public_list_link("exchange.open_data", panels.open_data_links)
        register_panel(
            order=35, template="exchange/employer_panel.html", context=panels.employer_panel
        )
        panels.register_menu_and_queues()
