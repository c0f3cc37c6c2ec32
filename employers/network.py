"""The client's address behind the documented reverse proxy (README: nginx in front of gunicorn).

``REMOTE_ADDR`` is the proxy's address there, the same for everyone. Each trusted proxy appends
the address it received the request from to ``X-Forwarded-For``; a client can put anything at the
front of that header, never at the end. So with ``TRUSTED_PROXY_COUNT`` = N proxies, the client
is the N-th address from the right; with N = 0 (no proxy) it is ``REMOTE_ADDR``. Used for the
login lockout (django-axes' ``AXES_CLIENT_IP_CALLABLE``) and the audit log's source address.
"""

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "HTTP_X_FORWARDED_FOR")
    hops = [h for h in (request.META.get(header) or "").split(",") if h.strip()]
    if len(hops) < count:
        # Fewer hops than trusted proxies: the request did not come through them all.
        return remote
    return _valid(hops[-count]) or remote
