"""The only code that inserts ledger rows, and the keyed hash chain over them.

Each entry stores ``prev_hash`` (the previous entry's ``entry_hash``, in id order) and
``entry_hash`` = HMAC-SHA256(LEDGER_HMAC_KEY, prev_hash + ``hash_payload``) — see
``audit.chain`` for the versions, the seal of the entries written before the key, and the
checkpoints. Writers take a row lock on the single ``LedgerHead`` row inside their transaction
(after the audit log's head, always in that order), so concurrent writers queue up instead of
forking the chain; a bulk append computes the chain in Python between one read of the head and
one update of it, which keeps a million-row import fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from audit.chain import (
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
from audit.services import lock_audit_head

from .models import CreditRecord, LedgerHead, ledger_writing

CHAIN = "ledger"

# What an entry's hash covers, in this order: everything but the id and the hashes themselves.
# Never reorder or remove a field (entries already written would no longer verify).
HASHED_FIELDS = (
    "employer_id",
    "kind",
    "entry_type",
    "supersedes_id",
    "reason",
    "date",
    "end_date",
    "case_no",
    "document_no",
    "source",
    "summary",
    "department",
    "severity",
    "category",
    "rectification",
    "performance",
    "procedure",
    "incident",
    "level",
    "value",
    "result",
    "created_by_id",
    "created_at",
)
# Fields added to the ledger later: in the payload as [name, value] pairs after the fields above,
# and only when not empty, so every entry written before a field existed keeps its hash.
OPTIONAL_HASHED_FIELDS: tuple[str, ...] = ("mitigation", "repaired_on")  # SPEC [r2]
# Values of an optional field that mean "not set" (a penalty's mitigation defaults to "none").
_UNSET = {"mitigation": (None, "", "none")}
# Every field an entry's hash may depend on (what to read for ``hash_payload``).
CHAIN_FIELDS = HASHED_FIELDS + OPTIONAL_HASHED_FIELDS


def hash_payload(values: Mapping) -> str:
    """The canonical text an entry's hash covers — the one definition, for every write path and
    for verification. ``values`` maps the names of ``CHAIN_FIELDS`` to the entry's values."""
    items = [canonical(values[f]) for f in HASHED_FIELDS]
    for name in OPTIONAL_HASHED_FIELDS:
        value = values.get(name)
        if value not in _UNSET.get(name, (None, "")):
            items.append([name, canonical(value)])
    return dumps(items)


def record_values(record: CreditRecord) -> dict:
    return {f: getattr(record, f) for f in CHAIN_FIELDS}


def record_digest(record: CreditRecord, hasher: Hasher | None = None) -> str:
    """The entry hash ``record`` should have, by its own chain version."""
    hasher = hasher or Hasher()
    return hasher.entry_hash(
        record.chain_version, record.prev_hash, hash_payload(record_values(record))
    )


def ensure_head() -> LedgerHead:
    return ensure_sealed_head(LedgerHead, CHAIN)


def lock_head() -> LedgerHead:
    """Lock the chain head for the rest of the transaction (PostgreSQL row lock). The audit
    log's head is locked first: every ledger write also writes an audit entry, and taking the two
    locks in one order everywhere means they never deadlock."""
    lock_audit_head()
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ensure_head()
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


def _require_transaction():
    if not connection.in_atomic_block:
        raise RuntimeError("the ledger is appended to only inside a transaction")


def _move_head(head: LedgerHead, *, last_hash: str, added: int, last_id: int) -> None:
    LedgerHead.objects.filter(pk=head.pk).update(
        last_hash=last_hash, length=head.length + added, last_id=last_id
    )


def append(records: list[CreditRecord]) -> list[CreditRecord]:
    """Insert new entries (model instances: the services' single writes) at the end of the
    chain. Call inside ``transaction.atomic``."""
    _require_transaction()
    if not records:
        return records
    head = lock_head()
    prev = head.last_hash or GENESIS
    hasher = Hasher()
    with ledger_writing():
        for record in records:
            if record.created_at is None:
                record.created_at = timezone.now()
            record.chain_version = CURRENT_VERSION
            record.prev_hash = prev
            record.entry_hash = prev = record_digest(record, hasher)
            record.save(force_insert=True)
    _move_head(head, last_hash=prev, added=len(records), last_id=records[-1].pk)
    return records


@dataclass
class Appended:
    """What a bulk append wrote: how many entries, and the first and last id (every id in
    between belongs to this append: nobody else draws ledger ids while the head is locked)."""

    count: int = 0
    first_id: int | None = None
    last_id: int | None = None


def append_rows(rows: Iterable[Mapping], *, batch_size: int = 5000) -> Appended:
    """The bulk path (imports): ``rows`` are mappings of ``CHAIN_FIELDS`` values, consumed as a
    stream, ``batch_size`` at a time. The chain is computed in Python between one read and one
    update of the locked head; on PostgreSQL the rows go in with COPY, ids drawn from the
    sequence in chain order (nobody else can draw in between: they wait for the head)."""
    _require_transaction()
    head = lock_head()
    prev = head.last_hash or GENESIS
    hasher = Hasher()
    done = Appended()
    batch: list[tuple] = []

    def flush():
        nonlocal batch
        if not batch:
            return
        with ledger_writing():
            if connection.vendor == "postgresql":
                ids = _copy(batch)
            else:
                objs = [
                    CreditRecord(
                        chain_version=CURRENT_VERSION,
                        prev_hash=p,
                        entry_hash=h,
                        **values,
                    )
                    for p, h, values in batch
                ]
                CreditRecord.objects.bulk_create(objs, batch_size=batch_size)
                ids = [obj.pk for obj in objs]
        done.count += len(ids)
        done.first_id = ids[0] if done.first_id is None else done.first_id
        done.last_id = ids[-1]
        batch = []

    nullable = _nullable()
    for given in rows:
        # Stored as the columns store them (empty text, not NULL), then hashed as stored.
        values = {}
        for f in CHAIN_FIELDS:
            value = given.get(f)
            values[f] = "" if value is None and f not in nullable else value
        entry_hash = hasher.keyed(prev, hash_payload(values))
        batch.append((prev, entry_hash, values))
        prev = entry_hash
        if len(batch) >= batch_size:
            flush()
    flush()
    if done.count:
        _move_head(head, last_hash=prev, added=done.count, last_id=done.last_id)
    return done


COPY_COLUMNS = ("id", "chain_version", "prev_hash", "entry_hash") + CHAIN_FIELDS


def _copy(chained: list[tuple]) -> list[int]:
    table = CreditRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(chained)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        columns = ", ".join(connection.ops.quote_name(c) for c in COPY_COLUMNS)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, (prev_hash, entry_hash, values) in zip(ids, chained, strict=True):
                copy.write_row(
                    (
                        pk,
                        CURRENT_VERSION,
                        prev_hash,
                        entry_hash,
                        *(values[f] for f in CHAIN_FIELDS),
                    )
                )
    return ids


def _nullable() -> set[str]:
    return {f.attname for f in CreditRecord._meta.concrete_fields if f.null}


def chain_rows(*, chunk_size: int = 5000) -> Iterator[ChainRow]:
    return stored_rows(
        CreditRecord.objects.all(), CHAIN_FIELDS, hash_payload, chunk_size=chunk_size
    )


def verify(*, checkpoints=(), chunk_size: int = 5000) -> Iterator[ChainProblem]:
    """Recompute the chain in id order and yield every problem (``audit.chain.verify_chain``):
    edited or forged entries, broken links, a head or seal that does not match, a checkpoint the
    chain no longer passes through."""
    return verify_chain(
        chain=CHAIN,
        rows=chain_rows(chunk_size=chunk_size),
        head=LedgerHead.objects.filter(pk=1).first(),
        checkpoints=checkpoints,
    )
