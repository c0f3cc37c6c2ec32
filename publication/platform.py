"""Talking to the shared credit platform (市信用信息共享平台, SPEC §8).

``CREDIT_PLATFORM_URL`` decides the transport: an ``http(s)://`` URL is called over HTTP; a path
(the default, ``/platform-stub/api/messages/``) is the platform stub inside this project, called
in-process through its view, so the demo and the tests need no network and no second process.
Either way the request is the same JSON body with the message id as ``Idempotency-Key``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

# HTTP answers that retrying cannot fix (our message is wrong): the message fails at once.
PERMANENT_STATUSES = {400, 401, 403, 404, 405, 410, 413, 415, 422}


@dataclass(frozen=True)
class Delivery:
    ok: bool
    status: int  # HTTP status, 0 when no answer came
    body: dict | None = None
    error: str = ""

    @property
    def permanent(self) -> bool:
        return not self.ok and self.status in PERMANENT_STATUSES


def message_body(message) -> dict:
    return {
        "message_id": str(message.message_id),
        "topic": message.topic,
        "key": message.key,
        "payload": message.payload,
        "created_at": message.created_at.isoformat() if message.created_at else None,
    }


def _headers(message_id: str) -> dict:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": message_id,
    }
    if settings.CREDIT_PLATFORM_TOKEN:
        headers["Authorization"] = f"Bearer {settings.CREDIT_PLATFORM_TOKEN}"
    return headers


def _result(status: int, raw: bytes) -> Delivery:
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        body = {"raw": raw[:500].decode("utf-8", "replace")}
    if not isinstance(body, dict) and body is not None:
        body = {"value": body}
    ok = 200 <= status < 300
    error = "" if ok else f"HTTP {status}: {json.dumps(body, ensure_ascii=False)[:500]}"
    return Delivery(ok=ok, status=status, body=body, error=error)


def send_http(url: str, message) -> Delivery:
    data = json.dumps(message_body(message), cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers=_headers(str(message.message_id))
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.CREDIT_PLATFORM_TIMEOUT) as response:
            return _result(response.status, response.read())
    except urllib.error.HTTPError as exc:
        return _result(exc.code, exc.read() or b"")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Delivery(ok=False, status=0, error=f"{type(exc).__name__}: {reason}")


def send_in_process(path: str, message) -> Delivery:
    """Call the view behind ``path`` directly, as the HTTP server would."""
    from django.test import RequestFactory
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return Delivery(
            ok=False, status=404, error=f"CREDIT_PLATFORM_URL {path!r} resolves to no view"
        )
    extra = {
        f"HTTP_{name.upper().replace('-', '_')}": value
        for name, value in _headers(str(message.message_id)).items()
        if name != "Content-Type"
    }
    request = RequestFactory().post(
        path,
        data=json.dumps(message_body(message), cls=DjangoJSONEncoder, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        **extra,
    )
    response = match.func(request, *match.args, **match.kwargs)
    return _result(response.status_code, response.content)


def send(message) -> Delivery:
    url = settings.CREDIT_PLATFORM_URL
    if url.startswith(("http://", "https://")):
        return send_http(url, message)
    return send_in_process(url, message)
