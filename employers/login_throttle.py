"""Login throttling that a stranger cannot turn into a lock-out (issue 14, item 8).

Two limits, each against a different abuse:

- **per client address — long** (django-axes, ``AXES_LOCKOUT_PARAMETERS = ["ip_address"]``):
  ``AXES_FAILURE_LIMIT`` failures from one address, whatever the user names, lock that address
  for ``AXES_COOLOFF_HOURS``. This stops password spraying. The address is the real client's
  behind the proxy (``employers.network``), so one client cannot lock out everyone behind it.
- **per user name — brief, growing** (this module): ``LOGIN_USERNAME_FAILURE_LIMIT`` failures
  for one user name, from anywhere, lock that name for ``LOGIN_USERNAME_LOCK_SECONDS``, doubling
  with every further lock up to ``LOGIN_USERNAME_LOCK_MAX_SECONDS``; a quiet day
  (``LOGIN_USERNAME_FORGET_SECONDS``) starts again from the first step. This slows guessing one
  account from many addresses, and a stranger who keeps failing on purpose holds the account only
  minutes at a time — and not at all where its owner has signed in before: a browser that signed
  in successfully carries a signed device cookie, and its attempts are counted and locked for
  that device alone (OWASP's "device cookies").

A success clears the user name's count.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import render
from django.utils import timezone

DEVICE_COOKIE = "lc_device"
DEVICE_SALT = "employers.login_throttle.device"
DEVICE_MAX_AGE = 180 * 24 * 3600
MAX_NAMES_PER_DEVICE = 5


def _setting(name, default):
    return getattr(settings, name, default)


def _now():
    return timezone.now()


def _norm(username) -> str:
    return str(username or "").strip().lower()[:150]


# --- the device cookie -------------------------------------------------------------------------


def read_device(request) -> dict:
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return {}
    try:
        data = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return {}
    return data


def remember_device(request, response, username: str) -> None:
    """After a successful sign-in: this browser is a known device for ``username``."""
    data = read_device(request)
    device = data.get("d") or secrets.token_urlsafe(16)
    names = [n for n in data.get("u", []) if n != _norm(username)]
    names = ([_norm(username)] + names)[:MAX_NAMES_PER_DEVICE]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps({"d": device, "u": names}, salt=DEVICE_SALT),
        max_age=DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def throttle_key(request, username) -> str:
    name = _norm(username)
    device = read_device(request) if request is not None else {}
    if name and name in device.get("u", []):
        return f"device:{device['d']}:{name}"
    return f"user:{name}"


# --- counting ----------------------------------------------------------------------------------


def lock_seconds(locks: int) -> int:
    """The length of the ``locks``-th lock: base · 2^(locks−1), capped."""
    base = int(_setting("LOGIN_USERNAME_LOCK_SECONDS", 60))
    cap = int(_setting("LOGIN_USERNAME_LOCK_MAX_SECONDS", 15 * 60))
    return min(cap, base * 2 ** max(0, locks - 1))


def locked_until(request, username):
    """When the lock on this user name (for this device) ends; None when not locked."""
    from .models import LoginThrottle

    row = (
        LoginThrottle.objects.filter(key=throttle_key(request, username))
        .values_list("locked_until", flat=True)
        .first()
    )
    return row if row and row > _now() else None


def record_failure(request, username) -> None:
    from .models import LoginThrottle

    name = _norm(username)
    if not name:
        return
    key = throttle_key(request, name)
    now = _now()
    limit = int(_setting("LOGIN_USERNAME_FAILURE_LIMIT", 5))
    forget = dt.timedelta(seconds=int(_setting("LOGIN_USERNAME_FORGET_SECONDS", 24 * 3600)))
    with transaction.atomic():
        row = LoginThrottle.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = LoginThrottle.objects.create(key=key, last_failure_at=now)
            except IntegrityError:
                row = LoginThrottle.objects.select_for_update().get(key=key)
        if row.locked_until and row.locked_until > now:
            return  # attempts during a lock do not lengthen it
        if now - row.last_failure_at > forget:
            row.failures, row.locks = 0, 0
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= limit:
            row.locks += 1
            row.failures = 0
            row.locked_until = now + dt.timedelta(seconds=lock_seconds(row.locks))
        row.save()


def clear(request, username) -> None:
    from .models import LoginThrottle

    name = _norm(username)
    keys = {f"user:{name}", throttle_key(request, name)}
    LoginThrottle.objects.filter(key__in=keys).update(failures=0, locks=0, locked_until=None)


def purge(*, older_than: dt.timedelta | None = None) -> int:
    """Forget counts with no failure for a long time (beat: daily)."""
    from .models import LoginThrottle

    forget = older_than or dt.timedelta(
        seconds=int(_setting("LOGIN_USERNAME_FORGET_SECONDS", 24 * 3600))
    )
    cutoff = _now() - forget
    deleted, _rows = (
        LoginThrottle.objects.filter(last_failure_at__lt=cutoff)
        .exclude(locked_until__gt=_now())
        .delete()
    )
    return deleted


# --- wiring --------------------------------------------------------------------------------------


class UsernameThrottleBackend:
    """First in AUTHENTICATION_BACKENDS: refuses a locked user name before any password check
    (as axes' backend does for addresses), and lets axes' middleware answer with the lockout
    page."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not _setting("AXES_ENABLED", True):
            return None
        until = locked_until(request, username)
        if until is None:
            # The address is not locked (axes' backend comes first) nor the name: the password
            # is checked next, and a failure counts against the name.
            request.login_checked = True
            return None
        request.login_locked_until = until
        request.login_lock_reason = "username"
        request.axes_locked_out = True
        raise PermissionDenied("user name temporarily locked")


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Only attempts whose password was checked: not those refused by a lock.
    if request is None or not getattr(request, "login_checked", False):
        return
    record_failure(request, credentials.get("username"))


def on_logged_in(sender, request, user, **kwargs):
    if request is not None:
        clear(request, user.get_username())


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: one page for both locks, saying how long."""
    until = getattr(request, "login_locked_until", None)
    if until is None:
        hours = float(_setting("AXES_COOLOFF_TIME", 1) or 1)
        remaining = dt.timedelta(hours=hours)
        reason = "address"
    else:
        remaining = until - _now()
        reason = "username"
    minutes = max(1, int((remaining.total_seconds() + 59) // 60))
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "reason": reason},
        status=int(_setting("AXES_HTTP_RESPONSE_CODE", 429)),
    )
