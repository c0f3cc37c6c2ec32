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

        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import login_throttle

        user_login_failed.connect(login_throttle.on_login_failed, dispatch_uid="login_throttle")
        user_logged_in.connect(login_throttle.on_logged_in, dispatch_uid="login_throttle")

        from django.urls import reverse_lazy

        from .choices import ACCOUNT_APPROVER_ROLES, Role
        from .import_jobs import register_import_kind
        from .workbench import register_queue

        register_import_kind(
            key="employers",
            label=_("用人单位"),
            run=_import_employers,
            roles={Role.INSPECTOR, Role.SUPERVISOR},
            upload_url="employers:import",
            done_url="employers:list",
        )

        register_queue(
            key="accounts.pending_requests",
            label=_("待审批的账号申请"),
            roles=ACCOUNT_APPROVER_ROLES,
            items=_account_request_items,
            count=lambda user: _pending_requests(user).count(),
            order=90,
            url=reverse_lazy("accounts:requests"),
        )


def _import_employers(**kwargs):
    from .services import import_employers

    return import_employers(**kwargs)


def _pending_requests(user):
    from .services import pending_for_approver

    return pending_for_approver(user)


def _account_request_items(user):
    from django.urls import reverse

    from .workbench import WorkItem

    items = []
    for request in _pending_requests(user).select_related("target").order_by("requested_at")[:20]:
        who = request.target.username if request.target_id else request.username
        items.append(
            WorkItem(
                title=_("审批%(kind)s申请") % {"kind": request.get_kind_display()},
                url=reverse("accounts:request", args=[request.pk]),
                subject=who,
                note=_("系统管理员 %(maker)s 提出") % {"maker": request.requested_by},
            )
        )
    return items
