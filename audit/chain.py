"""Keyed hash chains over append-only tables (the credit ledger and the audit log).

Each entry stores ``prev_hash`` (the previous entry's ``entry_hash``, in id order) and
``entry_hash`` = HMAC-SHA256(key, prev_hash + payload), where the payload is the canonical JSON
of the entry's content (one function per table says what it covers: ``ledger.hash_payload``,
``audit.services.audit_payload``). The key (``LEDGER_HMAC_KEY``) comes from the environment and
is never stored in the database, so whoever owns the database can change rows but cannot make
their hashes right again, nor forge a new entry.

Chain versions (the ``chain_version`` column of each entry):

- 0 — an audit entry written before the audit log was chained: no stored hashes. The upgrade
  computed the keyed chain over these rows once and sealed its end in the head (below); verifying
  recomputes the same chain and compares.
- 1 — a ledger entry written before the chain was keyed: unkeyed SHA-256(prev_hash + payload),
  stored. Verified as before; the upgrade sealed the last of them in the head.
- 2 — keyed (HMAC-SHA256), stored. Every entry written since the upgrade.

The **seal** is the HMAC of the legacy prefix (how many entries, the last id, the last hash):
older versions are accepted only inside that sealed prefix, so nobody can rewrite an entry and
pass it off as "legacy" with an unkeyed hash. A **checkpoint** (``audit.checkpoints``) is a signed
copy of each head published outside the database every day; it catches what no chain can: the
tail cut off and the head rolled back to match.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENESIS = "0" * 64

UNCHAINED = 0  # audit entries older than the chain: hashes computed on verification only
SHA256 = 1  # ledger entries older than the key: unkeyed, stored
HMAC_SHA256 = 2  # keyed, stored
CURRENT_VERSION = HMAC_SHA256
LEGACY_VERSIONS = (UNCHAINED, SHA256)

VERSION_LABELS = {
    UNCHAINED: "未链接（升级前，已封存）",
    SHA256: "SHA-256（升级前，已封存）",
    HMAC_SHA256: "HMAC-SHA256",
}


def chain_key() -> bytes:
    key = getattr(settings, "LEDGER_HMAC_KEY", "")
    if not key:
        raise ImproperlyConfigured("LEDGER_HMAC_KEY is not set")
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def canonical(value):
    """Dates and times as ISO text (times in UTC, microseconds), everything else as is."""
    kind = type(value)
    if kind is datetime.datetime:
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if kind is datetime.date:
        return value.isoformat()
    return value


def dumps(items) -> str:
    """The canonical JSON text of a payload (keys sorted, no spaces, UTF-8 as is)."""
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class Hasher:
    """Computes entry hashes; the HMAC state of the key is prepared once (a million-row import
    hashes with ``copy()`` of it)."""

    def __init__(self, key: bytes | None = None):
        self._keyed = hmac.new(key or chain_key(), digestmod=hashlib.sha256)

    def keyed(self, prev_hash: str, payload: str) -> str:
        mac = self._keyed.copy()
        mac.update((prev_hash + payload).encode("utf-8"))
        return mac.hexdigest()

    @staticmethod
    def unkeyed(prev_hash: str, payload: str) -> str:
        return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()

    def entry_hash(self, version: int, prev_hash: str, payload: str) -> str:
        if version == SHA256:
            return self.unkeyed(prev_hash, payload)
        return self.keyed(prev_hash, payload)

    def sign(self, purpose: str, payload: str) -> str:
        """A MAC over something that is not an entry (a seal, a checkpoint): the purpose is
        part of the message, so a seal can never pass for an entry hash or a checkpoint."""
        mac = self._keyed.copy()
        mac.update(f"{purpose}\n{payload}".encode())
        return mac.hexdigest()


def seal(chain: str, *, length: int, last_id: int, last_hash: str, hasher=None) -> str:
    """The MAC of a chain's legacy prefix (see module docstring)."""
    hasher = hasher or Hasher()
    return hasher.sign("seal", dumps([chain, int(length), int(last_id), last_hash]))


def seal_head(head, chain: str) -> None:
    """Fill a fresh head's seal (an empty legacy prefix) — a new database, or a test flush."""
    head.legacy_length = 0
    head.legacy_last_id = 0
    head.legacy_last_hash = GENESIS
    head.seal = seal(chain, length=0, last_id=0, last_hash=GENESIS)


def ensure_sealed_head(model, chain: str, **initial):
    """A chain's head row (``pk=1``): it comes from a migration; a test flush (TRUNCATE)
    removes it and it is put back here, sealed with an empty legacy prefix."""
    head = model.objects.filter(pk=1).first()
    if head is None:
        fresh = model(pk=1, **initial)
        seal_head(fresh, chain)
        sealed = ("legacy_length", "legacy_last_id", "legacy_last_hash", "seal")
        head, _created = model.objects.get_or_create(
            pk=1, defaults={name: getattr(fresh, name) for name in (*initial, *sealed)}
        )
    return head


# --- verification ------------------------------------------------------------------------------


@dataclass
class ChainProblem:
    chain: str
    record_id: int | None
    message: str

    def __str__(self):
        where = f"entry {self.record_id}" if self.record_id is not None else self.chain
        prefix = "" if self.chain == "ledger" else f"[{self.chain}] "
        return f"{prefix}{where}: {self.message}"


@dataclass
class ChainRow:
    pk: int
    version: int
    prev_hash: str
    entry_hash: str
    payload: str


def stored_rows(queryset, fields, payload, *, chunk_size: int = 5000) -> Iterator[ChainRow]:
    """The chain rows of a model's entries in id order (the ledger's and the audit log's): the
    stored links and the payload recomputed from the hashed ``fields``, a chunk at a time."""
    rows = (
        queryset.order_by("pk")
        .values_list("pk", "chain_version", "prev_hash", "entry_hash", *fields)
        .iterator(chunk_size=chunk_size)
    )
    for pk, version, prev_hash, entry_hash, *values in rows:
        yield ChainRow(
            pk, version, prev_hash, entry_hash, payload(dict(zip(fields, values, strict=True)))
        )


def verify_chain(
    *,
    chain: str,
    rows: Iterable[ChainRow],
    head,
    checkpoints: Iterable[dict] = (),
    hasher: Hasher | None = None,
) -> Iterator[ChainProblem]:
    """Recompute a chain in id order and yield every problem: an entry whose content no longer
    matches its hash, a broken link, an old-version entry outside the sealed prefix, a head or a
    seal that does not match, a checkpoint the chain no longer passes through.

    ``checkpoints``: dicts {length, last_id, last_hash, seal} from signed checkpoint files."""
    hasher = hasher or Hasher()
    expected = {int(c["last_id"]): c for c in checkpoints if int(c.get("length", 0))}
    seen_checkpoints = set()
    prev = GENESIS
    count = 0
    last_id = 0
    legacy_done = False
    legacy_count = 0

    legacy_length = int(getattr(head, "legacy_length", 0) or 0) if head else 0
    legacy_last_id = int(getattr(head, "legacy_last_id", 0) or 0) if head else 0
    legacy_last_hash = (getattr(head, "legacy_last_hash", "") or GENESIS) if head else GENESIS

    def end_of_legacy():
        if legacy_count != legacy_length or prev != legacy_last_hash:
            return ChainProblem(
                chain,
                None,
                f"升级前的记录与封存时不一致：封存 {legacy_length} 条、末条 {legacy_last_id}，"
                f"实际 {legacy_count} 条（升级前的记录被改动、删除或插入）",
            )
        return None

    for row in rows:
        count += 1
        last_id = row.pk
        if row.version in LEGACY_VERSIONS:
            if legacy_done or row.pk > legacy_last_id:
                yield ChainProblem(
                    chain,
                    row.pk,
                    "旧版哈希只允许出现在升级前封存的记录中：该记录是升级后伪造或改写的",
                )
            if row.version == UNCHAINED:
                prev = hasher.keyed(prev, row.payload)
            else:
                if row.prev_hash != prev:
                    yield ChainProblem(
                        chain,
                        row.pk,
                        "链接断开：上一条哈希与前一条记录不一致（记录被插入、删除或重排）",
                    )
                if hasher.unkeyed(row.prev_hash, row.payload) != row.entry_hash:
                    yield ChainProblem(chain, row.pk, "内容与哈希不符：该记录在写入后被修改")
                prev = row.entry_hash
            if not legacy_done:
                legacy_count += 1
        else:
            if not legacy_done:
                legacy_done = True
                problem = end_of_legacy()
                if problem:
                    yield problem
            if row.version != HMAC_SHA256:
                yield ChainProblem(chain, row.pk, f"未知的哈希版本 {row.version}")
            if row.prev_hash != prev:
                yield ChainProblem(
                    chain,
                    row.pk,
                    "链接断开：上一条哈希与前一条记录不一致（记录被插入、删除或重排）",
                )
            if hasher.keyed(row.prev_hash, row.payload) != row.entry_hash:
                yield ChainProblem(chain, row.pk, "内容与哈希不符：该记录在写入后被修改或伪造")
            prev = row.entry_hash
        checkpoint = expected.get(row.pk)
        if checkpoint is not None:
            seen_checkpoints.add(row.pk)
            if int(checkpoint["length"]) != count or checkpoint["last_hash"] != prev:
                yield ChainProblem(
                    chain,
                    row.pk,
                    f"与检查点不符：检查点记载此处为第 {checkpoint['length']} 条，"
                    f"实际第 {count} 条或哈希不同（之前的记录被删除、插入或改写）",
                )
    if not legacy_done:
        problem = end_of_legacy()
        if problem:
            yield problem

    for pk, checkpoint in expected.items():
        if pk not in seen_checkpoints:
            yield ChainProblem(
                chain,
                None,
                f"检查点（{checkpoint.get('created_at', '')}）记载的第 {checkpoint['length']} 条"
                f"（#{pk}）已不存在：记录被删除，链尾被截断或链头被回滚",
            )
    for checkpoint in expected.values():
        if head is not None and checkpoint.get("seal") and checkpoint["seal"] != head.seal:
            yield ChainProblem(chain, None, "链头的封存值与检查点不一致：封存被改动")
            break

    if head is None:
        if count:
            yield ChainProblem(chain, None, "链头缺失")
        return
    if head.seal != seal(
        chain,
        length=legacy_length,
        last_id=legacy_last_id,
        last_hash=legacy_last_hash,
        hasher=hasher,
    ):
        yield ChainProblem(chain, None, "链头的封存值无效：链头被改动（或密钥不对）")
    head_hash = head.last_hash or GENESIS
    if head.length != count or head_hash != prev or (count and head.last_id != last_id):
        yield ChainProblem(
            chain,
            None,
            f"链头与记录不一致：链头记载 {head.length} 条、末条 {head.last_id}，"
            f"实际 {count} 条、末条 {last_id}（记录被删除或追加时绕过了写入路径）",
        )
