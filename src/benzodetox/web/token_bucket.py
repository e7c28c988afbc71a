"""Token buckets kept in Django's cache, for the rate limits (the open calculator per client
address, the API per token): ``rate`` requests a minute in bursts of up to as many. The
read-modify-write of a bucket is atomic within a process; a cache shared between processes gives
an approximately enforced shared limit (web/calculator/ratelimit.py says why the default is
per process)."""

from __future__ import annotations

import math
import threading
import time

from django.core.cache import cache

__all__ = ["retry_after", "take"]

_LOCK = threading.Lock()
#: Entries expire after this many seconds without a request (a full bucket needs no entry).
_KEEP_SECONDS = 120


def take(key: str, rate: int, cost: int = 1, now: float | None = None) -> float:
    """Take ``cost`` tokens from ``key``'s bucket of ``rate`` a minute: 0 when allowed, else the
    seconds until it would be (nothing is taken then). A cost the bucket could never hold is
    allowed when the bucket is full."""
    per_second = rate / 60
    cost = min(cost, rate)
    moment = time.monotonic() if now is None else now
    with _LOCK:
        tokens, since = cache.get(key) or (float(rate), moment)
        tokens = min(float(rate), float(tokens) + (moment - float(since)) * per_second)
        if tokens >= cost:
            cache.set(key, (tokens - cost, moment), _KEEP_SECONDS)
            return 0.0
        cache.set(key, (tokens, moment), _KEEP_SECONDS)
        return (cost - tokens) / per_second


def retry_after(seconds: float) -> str:
    """The Retry-After header's whole seconds (at least 1)."""
    return str(max(1, math.ceil(seconds)))
