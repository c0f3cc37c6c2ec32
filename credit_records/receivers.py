"""Audit entries for writes that do not pass through a service: the Django admin (the
sysadmin's users, roles and jurisdictions) and sign-ins. Every other write audits itself in its
service (``write_audit`` in the same transaction)."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION

from .audit import write_audit

ADMIN_ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}


def on_admin_log_entry(sender, instance, created, **kwargs):
    if not created:
        return
    path = ""
    obj = None
    try:
        obj = instance.get_edited_object()
    except Exception:  # deleted objects cannot be fetched any more
        obj = None
    jurisdiction = getattr(obj, "jurisdiction", None)
    if jurisdiction is not None and hasattr(jurisdiction, "path"):
        path = jurisdiction.path
    elif obj is not None and hasattr(obj, "path") and obj._meta.label == "employers.Jurisdiction":
        path = obj.path
    write_audit(
        actor=instance.user,
        action=ADMIN_ACTIONS.get(instance.action_flag, "admin.other"),
        object_type=f"{instance.content_type.app_label}.{instance.content_type.model}"
        if instance.content_type_id
        else "",
        object_id=instance.object_id or "",
        object_repr=instance.object_repr[:300],
        jurisdiction_path=path,
        # str(): some admin add-ons (django-import-export) log lazy translated messages.
        after={"change": str(instance.get_change_message())},
    )


def on_login_failed(sender, credentials, request=None, **kwargs):
    write_audit(
        actor=None,
        action="accounts.login_failed",
        object_type="employers.User",
        object_repr=str(credentials.get("username", ""))[:150],
    )
