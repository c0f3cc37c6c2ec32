from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "supervision"
    verbose_name = _("分类监管")

    def ready(self):
        from credit_records.signals import record_changed, records_imported

        from .hooks import register_all
        from .receivers import on_record_changed, on_records_imported
        from .sampler import patrol_sampler

        record_changed.connect(on_record_changed, dispatch_uid="supervision.patrol_tasks")
        records_imported.connect(on_records_imported, dispatch_uid="supervision.patrol_imported")
        register_all()

        # ``manage.py draw_sample patrol`` (SPEC §9): the command and its registry of samplers
        # live in employers (employers/samplers.py).
        from employers.samplers import register_sampler

        register_sampler(
            name=patrol_sampler.name,
            help=patrol_sampler.help,
            add_arguments=patrol_sampler.add_arguments,
            handle=patrol_sampler.handle,
        )
