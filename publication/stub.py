"""A stub of the shared credit platform (市信用信息共享平台) inside the project (SPEC §8).

``POST /platform-stub/api/messages/`` with a JSON body ``{message_id, topic, key, payload}`` and
the header ``Idempotency-Key: <message_id>``. The first delivery of a message id is stored
(201 ``applied``); any later one is answered 200 ``duplicate`` and changes nothing but the
delivery count. It can be told to fail a share of requests — before storing, or after storing so
that the answer is lost — and to be slow: ``PlatformStubConfig`` (admin) or the
``CREDIT_PLATFORM_STUB_*`` settings. ``GET …/messages/<id>/`` shows what was stored.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from employers.choices import Role

from .choices import StubFailureMode
from .models import PlatformStubConfig, PlatformStubMessage

READER_ROLES = (Role.PUBLISHER, Role.AUDITOR)

_rng_lock = threading.Lock()
_rng: random.Random | None = None
_rng_seed = object()


def _random() -> float:
    """A random number from a generator seeded by CREDIT_PLATFORM_STUB_SEED (if set), so a
    test run with a failing stub is reproducible."""
    global _rng, _rng_seed
    seed = settings.CREDIT_PLATFORM_STUB_SEED
    with _rng_lock:
        if _rng is None or seed != _rng_seed:
            _rng, _rng_seed = random.Random(seed), seed
        return _rng.random()


def behaviour() -> tuple[float, str, int]:
    """(failure ratio, failure mode, delay in ms) now in force."""
    config = PlatformStubConfig.objects.filter(pk=1).first()
    ratio = settings.CREDIT_PLATFORM_STUB_FAILURE_RATIO
    mode = settings.CREDIT_PLATFORM_STUB_FAILURE_MODE
    delay = settings.CREDIT_PLATFORM_STUB_DELAY_MS
    if config is not None:
        ratio = config.failure_ratio if config.failure_ratio is not None else ratio
        mode = config.failure_mode or mode
        delay = config.delay_ms if config.delay_ms is not None else delay
    return float(ratio or 0.0), mode or StubFailureMode.MIXED, int(delay or 0)


def _authorised(request) -> bool:
    token = settings.CREDIT_PLATFORM_TOKEN
    if not token:
        return True
    return constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {token}")


def store(*, message_id: str, topic: str, key: str, payload) -> bool:
    """Apply a message once: True if it was new, False for a duplicate."""
    try:
        with transaction.atomic():
            PlatformStubMessage.objects.create(
                message_id=message_id, topic=topic, key=key, payload=payload
            )
        return True
    except IntegrityError:
        PlatformStubMessage.objects.filter(message_id=message_id).update(
            deliveries=F("deliveries") + 1
        )
        return False


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"status": "error", "error": message}, status=status)


@csrf_exempt
@require_POST
def receive(request):
    if not settings.CREDIT_PLATFORM_STUB_ENABLED:
        return _error(404, "the platform stub is switched off")
    if not _authorised(request):
        return _error(401, "unauthorised")
    try:
        body = json.loads(request.body.decode("utf-8"))
        message_id = str(
            uuid.UUID(str(request.headers.get("Idempotency-Key") or body["message_id"]))
        )
        topic, key, payload = str(body["topic"]), str(body["key"]), body["payload"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        return _error(400, "body must be JSON with message_id, topic, key and payload")
    if body.get("message_id") and str(body["message_id"]) != message_id:
        return _error(400, "Idempotency-Key and message_id differ")

    ratio, mode, delay_ms = behaviour()
    if delay_ms:
        time.sleep(delay_ms / 1000)
    fail = ratio > 0 and _random() < ratio
    if fail and mode == StubFailureMode.MIXED:
        mode = StubFailureMode.BEFORE if _random() < 0.5 else StubFailureMode.AFTER
    if fail and mode == StubFailureMode.BEFORE:
        return _error(503, "simulated failure before processing")
    created = store(message_id=message_id, topic=topic, key=key, payload=payload)
    if fail:
        return _error(503, "simulated failure after processing (answer lost)")
    return JsonResponse(
        {"status": "applied" if created else "duplicate", "message_id": message_id},
        status=201 if created else 200,
    )


@require_GET
def message_detail(request, message_id):
    """What the stub stored: for the token holder, or a publisher or auditor signed in."""
    user = getattr(request, "user", None)
    staff = user is not None and user.is_authenticated and user.has_role(*READER_ROLES)
    if not settings.CREDIT_PLATFORM_STUB_ENABLED:
        return _error(404, "the platform stub is switched off")
    if not (staff or (settings.CREDIT_PLATFORM_TOKEN and _authorised(request))):
        return _error(401, "unauthorised")
    stored = get_object_or_404(PlatformStubMessage, message_id=str(message_id))
    return JsonResponse(
        {
            "message_id": stored.message_id,
            "topic": stored.topic,
            "key": stored.key,
            "payload": stored.payload,
            "deliveries": stored.deliveries,
            "received_at": stored.received_at.isoformat(),
        }
    )
