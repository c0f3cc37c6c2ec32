"""The daily signed checkpoint of the chain heads (``audit.checkpoints``), published outside the
database twice: a file under ``LEDGER_CHECKPOINT_DIR`` and a message to the shared credit platform
through the outbox (topic ``ledger.checkpoint``). ``verify_ledger`` checks the chains against the
files; the platform keeps its own copy, which the database's owner cannot reach either."""

from __future__ import annotations

from django.db import transaction

from audit.checkpoints import build_checkpoint, write_checkpoint
from credit_records.audit import write_audit

from .outbox import enqueue

TOPIC = "ledger.checkpoint"


@transaction.atomic
def publish_checkpoint(*, now=None) -> dict:
    checkpoint = build_checkpoint(now=now)
    path = write_checkpoint(checkpoint)
    enqueue(topic=TOPIC, key=f"checkpoint:{checkpoint['created_at']}", payload=checkpoint)
    write_audit(
        actor=None,
        action="audit.checkpoint",
        object_type="audit.Checkpoint",
        object_repr=path.name,
        after={
            name: {"length": c["length"], "last_id": c["last_id"]}
            for name, c in checkpoint["chains"].items()
        },
    )
    return checkpoint
