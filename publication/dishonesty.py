"""Dishonesty information for the shared credit platform (SPEC §3 [r2], §8).

Only records of the 失信 classes (失信信息—一般 / —严重, ``credit_records.classes``) are pushed to
the platform as dishonesty information, through the transactional outbox, in the transaction
that writes them to the ledger (``credit_records.signals.ledger_appended``):

- ``record.dishonesty``: a new original entry of a 失信 class;
- ``record.dishonesty_corrected``: a correction or void of a record that was, or becomes, 失信;
  the payload carries the class before and after (a void, or a correction to a basic class,
  withdraws it: ``dishonest`` is false);
- ``record.dishonesty_batch``: the 失信 rows of an import file, up to 1,000 records a message
  per jurisdiction (``records``: uscc, id, kind, date, document_no, info_class; ``names``).

A repair is reported by the repair case itself (``record.repaired``, objections) and the end of
publicity by the nightly task (``record.publicity_ended``).

``push_class_corrections``: SPEC revision 2 reads seed 004 第五条 differently (e.g. a violation that
is not major is basic information now); every effective record whose class the new reading
changes gets its corrected class pushed once (``record.class_corrected``), from a data migration.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from credit_records.choices import EntryType, InfoClass
from credit_records.classes import DISHONEST, info_class, info_class_r1

TOPIC_NEW = "record.dishonesty"
TOPIC_CORRECTED = "record.dishonesty_corrected"
TOPIC_CLASS_CORRECTED = "record.class_corrected"
TOPIC_BATCH = "record.dishonesty_batch"  # the dishonesty rows of an import file
BATCH = 1000


def record_payload(record, klass) -> dict:
    return {
        "id": record.id,
        "kind": record.kind,
        "date": record.date.isoformat(),
        "end_date": record.end_date.isoformat() if record.end_date else None,
        "document_no": record.document_no,
        "case_no": record.case_no,
        "info_class": str(klass),
        "dishonest": klass in DISHONEST,
    }


def _employers(employer_ids) -> dict[int, tuple[str, str, str]]:
    from employers.models import Employer

    out = {}
    ids = sorted(set(employer_ids))
    for start in range(0, len(ids), BATCH):
        rows = Employer.objects.filter(pk__in=ids[start : start + BATCH]).values_list(
            "pk", "uscc", "name", "jurisdiction__path"
        )
        for pk, uscc, name, path in rows:
            out[pk] = (uscc, name, path)
    return out


def messages_for(entries: Iterable, superseded: dict) -> list[tuple]:
    """(topic, entry, class, previous class or None) for the entries that concern the platform."""
    out = []
    for entry in entries:
        if entry.entry_type == EntryType.ORIGINAL:
            klass = info_class(entry)
            if klass in DISHONEST:
                out.append((TOPIC_NEW, entry, klass, None))
        elif entry.entry_type in (EntryType.CORRECTION, EntryType.VOID):
            previous = superseded.get(entry.supersedes_id)
            before = info_class(previous) if previous is not None else None
            after = info_class(entry)
            if before in DISHONEST or after in DISHONEST:
                out.append((TOPIC_CORRECTED, entry, after, before))
    return out


def _payload(topic, entry, klass, before, employer) -> dict:
    uscc, name, _path = employer
    payload = {"uscc": uscc, "name": name, "record": record_payload(entry, klass)}
    if topic == TOPIC_CORRECTED:
        payload["supersedes"] = entry.supersedes_id
        payload["entry_type"] = entry.entry_type
        payload["previous_info_class"] = str(before) if before else None
    return payload


def on_ledger_appended(sender, *, entries, superseded=None, bulk=False, **kwargs) -> None:
    """Queue the dishonesty information of new ledger entries (in their transaction).

    A record added, corrected or voided through the services: one message keyed by the record.
    An import file (``bulk``): ``record.dishonesty_batch`` messages of at most ``BATCH`` records per
    jurisdiction, so a million-row file makes hundreds of messages, not hundreds of thousands.
    """
    from .outbox import enqueue_many

    found = messages_for(entries, superseded or {})
    if not found:
        return
    employers = _employers(entry.employer_id for _t, entry, _k, _b in found)
    if not bulk:
        enqueue_many(
            {
                "topic": topic,
                "key": f"{employers[entry.employer_id][0]}:record:{entry.id}",
                "payload": _payload(topic, entry, klass, before, employers[entry.employer_id]),
                "jurisdiction_path": employers[entry.employer_id][2],
            }
            for topic, entry, klass, before in found
        )
        return
    by_path: dict[str, list] = {}
    names: dict[str, dict] = {}
    for _topic, entry, klass, _before in found:
        uscc, name, path = employers[entry.employer_id]
        by_path.setdefault(path, []).append(
            {
                "uscc": uscc,
                "id": entry.id,
                "kind": entry.kind,
                "date": entry.date.isoformat(),
                "document_no": entry.document_no,
                "info_class": str(klass),
            }
        )
        names.setdefault(path, {})[uscc] = name

    rows = []
    for path, items in by_path.items():
        for start in range(0, len(items), BATCH):
            part = items[start : start + BATCH]
            rows.append(
                {
                    "topic": TOPIC_BATCH,
                    "key": f"records:{part[0]['id']}-{part[-1]['id']}",
                    "payload": {
                        "count": len(part),
                        "records": part,
                        "names": {i["uscc"]: names[path][i["uscc"]] for i in part},
                    },
                    "jurisdiction_path": path,
                }
            )
    _enqueue_bulk(rows)


def _enqueue_bulk(rows: list[dict]) -> None:
    """Many large messages at once: on PostgreSQL with COPY (an INSERT of megabytes of JSON
    parameters is slow on the client), elsewhere through ``outbox.enqueue_many``."""
    import json

    from django.db import connection, models

    from .models import OutboxMessage
    from .outbox import enqueue_many, schedule_drain

    if connection.vendor != "postgresql":
        enqueue_many(rows)
        return
    # Every column from the model itself (defaults included), so a field added later is copied
    # as the ORM would insert it.
    fields = [f for f in OutboxMessage._meta.concrete_fields if not f.primary_key]
    table = OutboxMessage._meta.db_table
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            message = OutboxMessage(**row)
            values = []
            for field in fields:
                value = field.pre_save(message, add=True)
                if isinstance(field, models.JSONField):
                    value = json.dumps(value, cls=field.encoder, ensure_ascii=False)
                values.append(value)
            copy.write_row(values)
    schedule_drain()


def push_class_corrections(*, CreditRecord, Employer, OutboxMessage, batch: int = BATCH) -> int:
    """Push once the corrected class of every effective record whose class SPEC revision 2
    changes (``info_class_r1`` → ``info_class``). Models are passed in (a migration gives its
    historical ones). Idempotent: a record whose correction was already queued is skipped, so a
    second run queues nothing. Returns the number of messages queued.
    """
    from django.db.models import Exists, OuterRef

    # Only these kinds can change class between the two readings.
    kinds = (
        "violation",
        "administrative_decision",
        "license_revoked",
        "dishonest_judgment_debtor",
    )
    superseded = CreditRecord.objects.filter(supersedes_id=OuterRef("pk"))
    candidates = (
        CreditRecord.objects.filter(kind__in=kinds)
        .exclude(entry_type=EntryType.VOID)
        .filter(~Exists(superseded))
        .order_by("pk")
        .only(
            "id", "employer_id", "kind", "entry_type", "supersedes_id", "date", "end_date",
            "document_no", "case_no", "severity", "rectification", "performance", "procedure",
            "mitigation",
        )
    )  # fmt: skip
    queued = 0
    last_id = 0
    while True:
        chunk = list(candidates.filter(pk__gt=last_id)[:batch])
        if not chunk:
            break
        last_id = chunk[-1].pk
        changed = [
            (r, info_class_r1(r), info_class(r)) for r in chunk if info_class_r1(r) != info_class(r)
        ]
        if not changed:
            continue
        employers = {
            pk: (uscc, name, path)
            for pk, uscc, name, path in Employer.objects.filter(
                pk__in={r.employer_id for r, _o, _n in changed}
            ).values_list("pk", "uscc", "name", "jurisdiction__path")
        }
        keys = {f"{employers[r.employer_id][0]}:record:{r.pk}:r2": r for r, _o, _n in changed}
        done = set(
            OutboxMessage.objects.filter(topic=TOPIC_CLASS_CORRECTED, key__in=keys).values_list(
                "key", flat=True
            )
        )
        messages = []
        for r, old, new in changed:
            uscc, name, path = employers[r.employer_id]
            key = f"{uscc}:record:{r.pk}:r2"
            if key in done:
                continue
            messages.append(
                OutboxMessage(
                    topic=TOPIC_CLASS_CORRECTED,
                    key=key,
                    payload={
                        "uscc": uscc,
                        "name": name,
                        "record": record_payload(r, InfoClass(new)),
                        "previous_info_class": str(old),
                        "reading": "seed 004 第五条 (SPEC revision 2)",
                    },
                    jurisdiction_path=path,
                )
            )
        with transaction.atomic():
            OutboxMessage.objects.bulk_create(messages)
        queued += len(messages)
    return queued
