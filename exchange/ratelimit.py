"""Fixed-window rate limits kept in the Django cache (Redis in production, so every worker counts
the same window): the partner API per token, the certificate verification per client address
(``employers.network.client_ip``: the client behind the reverse proxy)."""

from __future__ import annotations

import math
import time

from django.core.cache import cache


def hit(key: str, limit: int, window: int = 60) -> int | None:
    """Count one request for ``key``. ``None`` when it is within ``limit`` requests of the current
    ``window`` seconds; otherwise the seconds until the window ends (for Retry-After)."""
    now = time.time()
    bucket = int(now // window)
    cache_key = f"exchange:rate:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    if count > limit:
        return max(1, math.ceil((bucket + 1) * window - now))
    return None
