"""The one way to write an audit entry. Call it inside the transaction of the change it records,
so the change and its audit row commit or vanish together."""

from django.db import models

from employers.middleware import current_ip_address

from .models import AuditEntry


def write_audit(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id="",
    object_repr: str = "",
    jurisdiction_path: str = "",
    before=None,
    after=None,
    note: str = "",
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)[:300]
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_repr=(str(actor) if actor is not None else "系统")[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=object_repr,
        jurisdiction_path=jurisdiction_path,
        before=before,
        after=after,
        ip_address=current_ip_address(),
        note=note,
    )


def snapshot(instance: models.Model, fields=None) -> dict:
    """A JSON-safe dict of an instance's concrete fields, for before/after columns."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = field.value_from_object(instance)
        if value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        data[field.attname] = value
    return data
