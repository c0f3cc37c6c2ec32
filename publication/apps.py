from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "publication"
    verbose_name = _("结果公示与发布")

    def ready(self):
        from employers.panels import register_panel

        from .panels import published_grades_context

        register_panel(
            order=30,
            template="publication/employer_panel.html",
            context=published_grades_context,
        )

        from grading.selectors import register_published_grade_adjuster

        from .adjusters import adjusted_published_grades

        register_published_grade_adjuster(adjusted_published_grades)
