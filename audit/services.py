"""The one way to write an audit entry. Call it inside the transaction of the change it records,
so the change and its audit row commit or vanish together.

Entries are hash-chained with a key (``audit.chain``): ``write_audit`` locks the chain head for
the rest of the transaction, so audited transactions commit one after another from their first
audit entry on. Write the audit entry late in a transaction (after the slow part), as the
services do. The ledger takes this lock before its own (``credit_records.ledger.lock_head``), so
the two locks are always taken in the same order and never deadlock each other.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator, Mapping

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from .chain import (
    CURRENT_VERSION,
    GENESIS,
    ChainProblem,
    ChainRow,
    Hasher,
    canonical,
    dumps,
    ensure_sealed_head,
    stored_rows,
    verify_chain,
)
from .context import current_ip_address
from .models import AuditEntry, AuditHead

CHAIN = "audit"

# What an audit entry's hash covers, in this order. Never reorder or remove a field: entries
# already written would no longer verify. A new field goes at the end, in the payload only when
# it is not empty (as the ledger does), so older entries keep their hash.
AUDIT_HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_repr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "jurisdiction_path",
    "before",
    "after",
    "ip_address",
    "note",
)


def audit_payload(values: Mapping) -> str:
    """The canonical text an audit entry's hash covers (the one definition)."""
    return dumps([canonical(values[f]) for f in AUDIT_HASHED_FIELDS])


def _json_safe(value):
    """What the JSON column will give back when read (dates as text, tuples as lists, keys as
    text), so the hash computed now is the hash recomputed later."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _normalise_ip(value):
    """The address as PostgreSQL's inet column gives it back."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(str(value).split("%")[0])
    except ValueError:
        return None
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return str(address)


def ensure_audit_head() -> AuditHead:
    return ensure_sealed_head(AuditHead, CHAIN, last_hash=GENESIS)


def lock_audit_head() -> AuditHead:
    """Lock the audit chain head for the rest of the transaction (PostgreSQL row lock)."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ensure_audit_head()
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def _values(entry: AuditEntry) -> dict:
    return {f: getattr(entry, f) for f in AUDIT_HASHED_FIELDS}


def _entry(
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
    return AuditEntry(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_repr=(str(actor) if actor is not None else "系统")[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=str(object_repr or "")[:300],
        jurisdiction_path=jurisdiction_path or "",
        before=_json_safe(before),
        after=_json_safe(after),
        ip_address=_normalise_ip(current_ip_address()),
        note=note or "",
    )


def write_audit(*, actor, action: str, **fields) -> AuditEntry:
    """One entry (``obj``, ``object_type``, ``object_id``, ``object_repr``,
    ``jurisdiction_path``, ``before``, ``after``, ``note``: see ``_entry``), chained."""
    return write_audits([{"actor": actor, "action": action, **fields}])[0]


def write_audits(entries: list[dict]) -> list[AuditEntry]:
    """Several entries (each the keyword arguments of ``write_audit``) chained in one go: the
    head locked and moved once, the rows inserted together, in order (issue 15: a job writing
    one entry per employer moved the head, a single hot row, once per entry — 200 versions of
    it per chunk's transaction, each lookup walking the ones before)."""
    if not entries:
        return []
    made = [_entry(**fields) for fields in entries]
    with transaction.atomic():
        head = lock_audit_head()
        prev = head.last_hash or GENESIS
        hasher = Hasher()
        for entry in made:
            entry.chain_version = CURRENT_VERSION
            entry.prev_hash = prev
            entry.entry_hash = prev = hasher.keyed(prev, audit_payload(_values(entry)))
        AuditEntry.objects.bulk_create(made)  # ids in this order (PostgreSQL, SQLite)
        AuditHead.objects.filter(pk=head.pk).update(
            last_hash=made[-1].entry_hash, last_id=made[-1].pk, length=F("length") + len(made)
        )
    return made


def snapshot(instance: models.Model, fields=None) -> dict:
    """A JSON-safe dict of an instance's concrete fields, for before/after columns."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = field.value_from_object(instance)
        if isinstance(field, models.JSONField):
            pass  # already JSON: kept as data, so the log can show its items by their labels
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        data[field.attname] = value
    return data


# --- verification ------------------------------------------------------------------------------


def chain_rows(*, chunk_size: int = 5000) -> Iterator[ChainRow]:
    return stored_rows(
        AuditEntry.objects.all(), AUDIT_HASHED_FIELDS, audit_payload, chunk_size=chunk_size
    )


def verify_audit(*, checkpoints=(), chunk_size: int = 5000) -> Iterator[ChainProblem]:
    """Every problem of the audit log's chain (see ``audit.chain.verify_chain``)."""
    return verify_chain(
        chain=CHAIN,
        rows=chain_rows(chunk_size=chunk_size),
        head=AuditHead.objects.filter(pk=1).first(),
        checkpoints=checkpoints,
    )


def head_state() -> AuditHead:
    return ensure_audit_head()
