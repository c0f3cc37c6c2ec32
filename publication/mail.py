"""Mail through the outbox (SPEC §8 [r2]: the written notice is delivered through the outbox to
mail). An outbox message whose topic starts with ``mail.`` is sent by Django's mail settings
instead of to the credit platform, with the outbox's retries and back-off; its payload holds
``to``, ``subject`` and ``body``."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from .platform import Delivery

PREFIX = "mail."


def is_mail(message) -> bool:
    return message.topic.startswith(PREFIX)


def send(message) -> Delivery:
    payload = message.payload or {}
    to = list(payload.get("to") or ())
    if not to:
        return Delivery(ok=False, status=422, error="no recipient")
    email = EmailMessage(
        subject=payload.get("subject", ""),
        body=payload.get("body", ""),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers={"Message-ID": f"<{message.message_id}@labor-credit>"},
    )
    try:
        sent = email.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - any transport error is retried by the outbox
        return Delivery(ok=False, status=0, error=f"{type(exc).__name__}: {exc}")
    return Delivery(ok=bool(sent), status=250 if sent else 0, body={"sent": sent})
