"""The only code that inserts ledger rows, and the hash chain over them.

Each entry stores ``prev_hash`` (the previous entry's ``entry_hash``, in id order) and
``entry_hash`` = sha256(prev_hash + canonical JSON of its content). Writers take a row lock on
the single ``LedgerHead`` row inside their transaction, so concurrent writers queue up instead
of forking the chain; a bulk append computes the whole chain in Python between one read of
the head and one update of it, which keeps a million-row import fast.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from .models import CreditRecord, LedgerHead, ledger_writing

GENESIS = "0" * 64

# The content the hash covers: everything but the id and the hashes themselves.
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
# Fields added after the chain began (SPEC [r2]): hashed only when they hold something, so every
# entry written before they existed (or without them) hashes exactly as it did.
OPTIONAL_HASHED_FIELDS = ("mitigation", "repaired_on")
# Every hashed field, in the order ``payload`` takes them (rows of ``append_rows``, ``verify``).
ALL_HASHED_FIELDS = HASHED_FIELDS + OPTIONAL_HASHED_FIELDS
# Values of an optional field that mean "not set" (a penalty's mitigation defaults to "none").
_UNSET = {"mitigation": ("", None, "none"), "repaired_on": (None, "")}


def _canonical(value):
    kind = type(value)
    if kind is datetime.datetime:
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if kind is datetime.date:
        return value.isoformat()
    return value


def payload(values: Iterable) -> str:
    """The canonical content an entry's hash covers — the one definition of it.

    ``values`` are the entry's ALL_HASHED_FIELDS values in order (fewer is allowed: missing
    optional fields are unset). The HASHED_FIELDS values form a JSON list, as since the chain
    began; an optional field that is set is appended as one ``{"name": value}`` object per field,
    so an entry without them hashes exactly as before they existed.
    """
    values = list(values)
    base = [_canonical(v) for v in values[: len(HASHED_FIELDS)]]
    for name, value in zip(OPTIONAL_HASHED_FIELDS, values[len(HASHED_FIELDS) :], strict=False):
        if value not in _UNSET[name]:
            base.append({name: _canonical(value)})
    return json.dumps(base, ensure_ascii=False, separators=(",", ":"))


def digest(prev_hash: str, values: Iterable) -> str:
    """The entry hash of one entry given its ALL_HASHED_FIELDS values in order."""
    return hashlib.sha256((prev_hash + payload(values)).encode("utf-8")).hexdigest()


def record_digest(record: CreditRecord) -> str:
    return digest(record.prev_hash, (getattr(record, f) for f in ALL_HASHED_FIELDS))


def lock_head() -> LedgerHead:
    """Lock the chain head for the rest of the transaction (PostgreSQL row lock)."""
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # The head row is created by migration 0003; recreate it if a test flush removed it.
        head, _ = LedgerHead.objects.get_or_create(pk=1)
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
    with ledger_writing():
        for record in records:
            if record.created_at is None:
                record.created_at = timezone.now()
            record.prev_hash = prev
            record.entry_hash = prev = record_digest(record)
            record.save(force_insert=True)
    _move_head(head, last_hash=prev, added=len(records), last_id=records[-1].pk)
    return records


def append_rows(rows: list[tuple], *, batch_size: int = 5000) -> list[int]:
    """The bulk path (imports): ``rows`` are tuples of ALL_HASHED_FIELDS values. The chain is
    computed in Python between one read and one update of the locked head; on PostgreSQL the
    rows go in with COPY, ids drawn from the sequence in chain order (nobody else can draw in
    between: they wait for the head). Returns the new ids in order."""
    _require_transaction()
    if not rows:
        return []
    head = lock_head()
    prev = head.last_hash or GENESIS
    chained = []
    for row in rows:
        entry_hash = digest(prev, row)
        chained.append((prev, entry_hash, row))
        prev = entry_hash
    with ledger_writing():
        if connection.vendor == "postgresql":
            ids = _copy(chained)
        else:
            objs = [
                CreditRecord(
                    prev_hash=p, entry_hash=h, **dict(zip(ALL_HASHED_FIELDS, row, strict=True))
                )
                for p, h, row in chained
            ]
            CreditRecord.objects.bulk_create(objs, batch_size=batch_size)
            ids = [obj.pk for obj in objs]
    _move_head(head, last_hash=prev, added=len(rows), last_id=ids[-1])
    return ids


COPY_COLUMNS = ("id", "prev_hash", "entry_hash") + ALL_HASHED_FIELDS


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
            for pk, (prev_hash, entry_hash, row) in zip(ids, chained, strict=True):
                copy.write_row((pk, prev_hash, entry_hash, *row))
    return ids


@dataclass
class ChainProblem:
    record_id: int | None
    message: str

    def __str__(self):
        where = f"entry {self.record_id}" if self.record_id is not None else "ledger"
        return f"{where}: {self.message}"


def verify(*, chunk_size: int = 5000) -> Iterator[ChainProblem]:
    """Recompute the chain in id order and yield every entry that no longer matches."""
    prev = GENESIS
    count = 0
    last_id = 0
    rows = (
        CreditRecord.objects.order_by("pk")
        .values_list("pk", "prev_hash", "entry_hash", *ALL_HASHED_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    for pk, prev_hash, entry_hash, *values in rows:
        count += 1
        last_id = pk
        if prev_hash != prev:
            yield ChainProblem(
                pk, "链接断开：上一条哈希与前一条记录不一致（记录被插入、删除或重排）"
            )
        if digest(prev_hash, values) != entry_hash:
            yield ChainProblem(pk, "内容与哈希不符：该记录在写入后被修改")
        prev = entry_hash
    head = LedgerHead.objects.filter(pk=1).first()
    if head is None:
        if count:
            yield ChainProblem(None, "链头缺失")
        return
    if head.length != count or (count and (head.last_hash != prev or head.last_id != last_id)):
        yield ChainProblem(
            None,
            f"链头与记录不一致：链头记载 {head.length} 条、末条 {head.last_id}，"
            f"实际 {count} 条、末条 {last_id}（记录被删除或追加时绕过了账本）",
        )
