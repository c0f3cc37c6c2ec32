"""The transactional outbox to the shared credit platform (SPEC §8).

Write side: ``enqueue`` adds a row inside the caller's transaction — the published result, the
objection outcome or the record's class change and its message commit or vanish together. It
writes nothing else and sends nothing.

Send side: ``drain`` claims due rows with ``select_for_update(skip_locked=True)`` and a short
lease (so several workers never send the same row at the same time and no lock is held while
the platform is slow), sends each with its ``message_id`` as idempotency key, and then marks it
delivered, or schedules the next attempt with exponential back-off, or gives up after
``CREDIT_PLATFORM_MAX_ATTEMPTS`` (status failed; a publisher can retry it). A worker that dies
mid-send leaves the lease to expire and the row is sent again: delivery is at least once, and the
platform applies a message id once (seed 000 第二十条: corrected information reaches the city
platform; the stub in ``publication.stub`` behaves that way).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .choices import OutboxStatus
from .models import OutboxMessage


class OutboxOutsideTransaction(RuntimeError):
    """``enqueue`` was called in autocommit mode: the message would not be tied to its fact."""


def _require_transaction(using=None):
    if not transaction.get_connection(using).in_atomic_block:
        raise OutboxOutsideTransaction(
            "publication.outbox.enqueue must be called inside the transaction that writes the "
            "fact it reports (wrap the caller in transaction.atomic)"
        )


def enqueue(*, topic: str, key: str, payload: dict, jurisdiction_path: str = "") -> OutboxMessage:
    """Queue one message for the platform, inside the caller's transaction (rows only).

    ``topic`` says what happened (``grade.published``, ``grade.adjusted``,
    ``objection.decided``, ``record.class_changed`` …), ``key`` the thing it is about (e.g. the
    USCC and the cycle), ``payload`` the JSON body; ``jurisdiction_path`` lets the outbox page
    show a message to the publishers of that jurisdiction.
    """
    _require_transaction()
    message = OutboxMessage.objects.create(
        topic=topic, key=key, payload=payload, jurisdiction_path=jurisdiction_path
    )
    schedule_drain()
    return message


def enqueue_many(messages: Iterable[dict], *, batch_size: int = 1000) -> int:
    """``enqueue`` for many messages at once (dicts with topic, key, payload and optionally
    jurisdiction_path), in one bulk insert per batch. Same transaction rule."""
    _require_transaction()
    count = 0
    batch: list[OutboxMessage] = []
    for m in messages:
        batch.append(OutboxMessage(**m))
        if len(batch) >= batch_size:
            OutboxMessage.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    if batch:
        OutboxMessage.objects.bulk_create(batch)
        count += len(batch)
    if count:
        schedule_drain()
    return count


def _kick():
    from .tasks import drain_outbox, start

    # Without a broker (demo, tests) this drains in-process for a bounded time; the rest is
    # drained by the next kick, ``manage.py drain_outbox`` or the outbox page.
    start(drain_outbox, max_seconds=5.0 if settings.CELERY_TASK_ALWAYS_EAGER else None)


def schedule_drain(using=None) -> None:
    """Ask for a drain once the current transaction commits (once per transaction)."""
    connection = transaction.get_connection(using)
    if any(callback is _kick for _sids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_kick, using=using)


# --- sending -------------------------------------------------------------------------------


def backoff_delay(attempts: int) -> timedelta:
    """Seconds to wait after the ``attempts``-th failed attempt: base · 2^(attempts−1), capped."""
    base = settings.CREDIT_PLATFORM_BACKOFF_SECONDS
    cap = settings.CREDIT_PLATFORM_BACKOFF_MAX_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def claim_due(*, now: datetime, limit: int) -> list[OutboxMessage]:
    """Take up to ``limit`` due pending rows for this worker: lock them, skipping rows another
    worker holds, and push their next attempt past a lease so no other worker takes them while
    they are being sent."""
    lease_until = now + timedelta(seconds=settings.CREDIT_PLATFORM_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        OutboxMessage.objects.filter(id__in=ids).update(
            attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=lease_until
        )
        return list(OutboxMessage.objects.filter(id__in=ids).order_by("next_attempt_at", "id"))


def record_result(message: OutboxMessage, delivery, *, now: datetime) -> str:
    """Store the outcome of one attempt; returns the new status."""
    if delivery.ok:
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxStatus.DELIVERED, delivered_at=now, last_error="", response=delivery.body
        )
        return OutboxStatus.DELIVERED
    give_up = delivery.permanent or message.attempts >= settings.CREDIT_PLATFORM_MAX_ATTEMPTS
    status = OutboxStatus.FAILED if give_up else OutboxStatus.PENDING
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=status,
        last_error=delivery.error[:2000],
        response=delivery.body,
        next_attempt_at=now if give_up else now + backoff_delay(message.attempts),
    )
    return status


@dataclass
class DrainStats:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "claimed": self.claimed,
            "delivered": self.delivered,
            "retrying": self.retrying,
            "failed": self.failed,
        }


def drain(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    max_seconds: float | None = None,
    send=None,
) -> DrainStats:
    """Send every due message, batch by batch, until none is due or ``max_seconds`` is spent.

    ``now`` pins the clock (tests step it forward to pass back-off delays); ``send`` replaces
    ``publication.platform.send``.
    """
    from . import mail
    from .platform import send as platform_send

    send = send or platform_send
    batch_size = batch_size or settings.CREDIT_PLATFORM_BATCH_SIZE
    started = time.monotonic()
    stats = DrainStats()
    while True:
        clock = now or timezone.now()
        batch = claim_due(now=clock, limit=batch_size)
        if not batch:
            break
        stats.claimed += len(batch)
        for message in batch:
            # SPEC §8 [r2]: written notices go to mail, everything else to the platform.
            delivery = mail.send(message) if mail.is_mail(message) else send(message)
            status = record_result(message, delivery, now=now or timezone.now())
            if status == OutboxStatus.DELIVERED:
                stats.delivered += 1
            elif status == OutboxStatus.FAILED:
                stats.failed += 1
                stats.errors.append(delivery.error)
            else:
                stats.retrying += 1
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            break
    return stats


@transaction.atomic
def retry_message(*, message: OutboxMessage, actor) -> OutboxMessage:
    """A publisher sends a failed (or waiting) message again now, with a fresh attempt budget."""
    from credit_records.audit import write_audit

    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status == OutboxStatus.DELIVERED:
        return message
    before = {"status": message.status, "attempts": message.attempts, "error": message.last_error}
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    write_audit(
        actor=actor,
        action="publication.outbox_retry",
        obj=message,
        jurisdiction_path=message.jurisdiction_path,
        before=before,
        after={"status": message.status},
    )
    schedule_drain()
    return message
