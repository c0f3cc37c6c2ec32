from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "supervision"
    verbose_name = _("分类监管")

    def ready(self):
        from credit_records.signals import record_changed

        from .hooks import register_all
        from .receivers import on_record_changed
        from .sampler import patrol_sampler

        record_changed.connect(on_record_changed, dispatch_uid="supervision.patrol_tasks")
        register_all()

        # ``manage.py draw_sample patrol`` (SPEC §9): the command and its registry of samplers
        # live in written_review; register when it is there.
        try:
            from written_review.sampling import register_sampler
        except ImportError:
            register_sampler = None
        if register_sampler is not None:
            register_sampler("patrol", patrol_sampler)
