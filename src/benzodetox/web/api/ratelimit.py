"""The API's rate limit: a token bucket per API token (or per signed-in user on session calls),
kept in Django's cache like the calculator's (``web/calculator/ratelimit.py``).

``BENZODETOX_API_RATE_PER_MINUTE`` (default 600) requests a minute, in bursts of up to as
many. Past it a call is answered 429 with ``Retry-After``. The buckets live in the process's
local-memory cache unless the deployment configures a shared cache: with ``S`` servers × ``W``
workers one token may get up to ``S × W`` times the rate (docs/api.md).
"""

from __future__ import annotations

import math
import threading
import time

from django.core.cache import cache

from ..env import env_int

__all__ = ["DEFAULT_RATE_PER_MINUTE", "rate_per_minute", "retry_after", "take"]

DEFAULT_RATE_PER_MINUTE = 600
_LOCK = threading.Lock()
_KEEP_SECONDS = 120


def rate_per_minute() -> int:
    """The configured rate; a bad value fails loudly naming the variable."""
    return env_int("BENZODETOX_API_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE, minimum=1)


def take(key: str, now: float | None = None) -> float:
    """Take one request from ``key``'s bucket: 0 when allowed, else the seconds until it
    would be (nothing is taken then)."""
    rate = rate_per_minute()
    per_second = rate / 60
    moment = time.monotonic() if now is None else now
    cache_key = "api-rate:" + key
    with _LOCK:
        tokens, since = cache.get(cache_key) or (float(rate), moment)
        tokens = min(float(rate), float(tokens) + (moment - float(since)) * per_second)
        if tokens >= 1:
            cache.set(cache_key, (tokens - 1, moment), _KEEP_SECONDS)
            return 0.0
        cache.set(cache_key, (tokens, moment), _KEEP_SECONDS)
        return (1 - tokens) / per_second


def retry_after(seconds: float) -> str:
    """The Retry-After header's whole seconds (at least 1)."""
    return str(max(1, math.ceil(seconds)))
