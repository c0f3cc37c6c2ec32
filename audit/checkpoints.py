"""Signed checkpoints of the chain heads, kept outside the database.

A hash chain cannot tell that its last entries were deleted and its head moved back to match: the
shorter chain is as valid as the longer one was. A checkpoint settles it. Every day the heads of
every registered chain (the credit ledger, the audit log) are signed with the chain key and
published twice outside the database: a JSON file under ``LEDGER_CHECKPOINT_DIR`` and a message
to the shared credit platform (``publication.checkpoints``). ``verify_ledger`` then checks that
each chain still passes through every checkpoint: same entry at the same position with the same
hash. Cutting the tail, rolling the head back or rewriting history before a checkpoint is
reported, whatever was done to the head.

Chains register themselves in their AppConfig.ready(): ``register_chain("ledger", head_getter)``.
"""

from __future__ import annotations

import datetime
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .chain import GENESIS, Hasher, dumps

FORMAT = "labor-credit-checkpoint/1"

_CHAINS: dict[str, Callable] = {}


def register_chain(name: str, head: Callable) -> None:
    """``head()`` returns the chain's head row (with length, last_id, last_hash, seal)."""
    _CHAINS[name] = head


def registered_chains() -> list[str]:
    return sorted(_CHAINS)


def _signature(body: dict) -> str:
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    return Hasher().sign("checkpoint", dumps(unsigned))


def build_checkpoint(*, now=None) -> dict:
    now = now or timezone.now()
    chains = {}
    for name in registered_chains():
        head = _CHAINS[name]()
        chains[name] = {
            "length": int(head.length),
            "last_id": int(head.last_id),
            "last_hash": head.last_hash or GENESIS,
            "seal": head.seal,
        }
    body = {
        "format": FORMAT,
        "created_at": now.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "chains": chains,
    }
    body["signature"] = _signature(body)
    return body


def signature_valid(body: dict) -> bool:
    return isinstance(body.get("signature"), str) and constant_time_compare(
        body["signature"], _signature(body)
    )


def checkpoint_dir() -> Path:
    return Path(settings.LEDGER_CHECKPOINT_DIR)


def write_checkpoint(body: dict, *, directory: Path | None = None) -> Path:
    """Write the checkpoint as a new file (never overwriting one), atomically."""
    directory = Path(directory or checkpoint_dir())
    directory.mkdir(parents=True, exist_ok=True)
    created = datetime.datetime.fromisoformat(body["created_at"])
    stamp = created.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = directory / f"checkpoint-{stamp}.json"
    n = 1
    while path.exists():
        n += 1
        path = directory / f"checkpoint-{stamp}-{n}.json"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".checkpoint-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(body, fh, ensure_ascii=False, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o440)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@dataclass
class LoadedCheckpoint:
    path: Path
    body: dict | None
    problem: str = ""

    def chain(self, name: str) -> dict | None:
        if self.body is None or self.problem:
            return None
        data = self.body.get("chains", {}).get(name)
        if data is None:
            return None
        return {**data, "created_at": self.body.get("created_at", "")}


def load_checkpoints(*, directory: Path | None = None) -> list[LoadedCheckpoint]:
    """Every checkpoint file, oldest first; a file that is unreadable or whose signature does
    not verify comes back with a problem (it is not trusted)."""
    directory = Path(directory or checkpoint_dir())
    if not directory.is_dir():
        return []
    loaded = []
    for path in sorted(directory.glob("checkpoint-*.json")):
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded.append(LoadedCheckpoint(path, None, "检查点文件无法读取"))
            continue
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            loaded.append(LoadedCheckpoint(path, None, "不是本系统的检查点文件"))
        elif not signature_valid(body):
            loaded.append(
                LoadedCheckpoint(path, body, "检查点签名无效：文件被改动或伪造（或密钥不对）")
            )
        else:
            loaded.append(LoadedCheckpoint(path, body))
    loaded.sort(key=lambda c: (c.body or {}).get("created_at", ""))
    return loaded


def checkpoints_for(name: str, loaded: list[LoadedCheckpoint]) -> list[dict]:
    return [c for c in (cp.chain(name) for cp in loaded) if c is not None]
