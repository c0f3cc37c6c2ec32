from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from employers.choices import Role


class PublicationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "publication"
    verbose_name = _("结果公示与发布")

    def ready(self):
        from . import workbench_queues

        workbench_queues.register()  # the staff workbench (employers.workbench)
        from credit_records.signals import ledger_appended
        from employers.panels import register_panel

        from .dishonesty import on_ledger_appended

        # SPEC §3 [r2]: dishonesty information reaches the platform in the ledger's transaction.
        ledger_appended.connect(on_ledger_appended, dispatch_uid="publication.dishonesty")

        from objections.signals import case_closed

        from .proposals import on_case_closed

        # SPEC §7 [r2]: an approved repair may change a published grade: propose an adjustment.
        case_closed.connect(on_case_closed, dispatch_uid="publication.repair_adjustment")

        from employers.workbench import register_queue

        from .selectors import proposal_count, proposal_items

        register_queue(
            key="publication.adjustment_proposals",
            label=_("待确认的等级调整"),
            roles={Role.PUBLISHER},
            items=proposal_items,
            count=proposal_count,
            order=60,
            url=_adjustments_url,
        )

        from employers.context_processors import register_nav_group

        # The employer's home (issue 11 item 1): first in its menu.
        register_nav_group(
            order=5,
            label=_("我的等级"),
            entries=[(_("我的等级"), "publication:employer_home", {Role.EMPLOYER})],
        )

        from .panels import published_grades_context

        register_panel(
            order=30,
            template="publication/employer_panel.html",
            context=published_grades_context,
        )

        from grading.selectors import register_published_grade_adjuster

        from .adjusters import adjusted_published_grades

        register_published_grade_adjuster(adjusted_published_grades)


def _adjustments_url(user) -> str:
    from django.urls import reverse

    return reverse("publication:adjustments")
