"""A small in-process rate limit for the calculator: a token bucket per client address, kept in
Django's cache (the process's local memory by default; nothing written to disk or database).

Each address may make ``settings.CALCULATOR_RATE_PER_MINUTE`` requests a minute, in bursts of
up to as many; a PDF costs more (it takes the server longer). Past the limit, the view answers 429
with ``Retry-After``: the seconds until the next request is allowed. The address is the
client's as ``client_address`` reads it (forwarding headers only from a trusted proxy).

**Per process, on purpose, with several servers.** The calculator is open to anyone: a shared
bucket would mean a database write (or a lock) for every anonymous request, letting anyone load
the database the clinicians' pages need. So each gunicorn worker of each server keeps its own
buckets: behind a proxy spreading requests over ``S`` servers × ``W`` workers, one address may
get up to ``S × W`` times the rate in the worst case (and the same rate when the proxy keeps a
client on one server). Set the rate with that in mind, or limit at the proxy (docs/operations/
scaling.md). ``shared`` says which: False for the local-memory cache; an operator who
configures a cache shared by the servers gets a shared, approximately enforced limit (the
read-modify-write is atomic within a process only).
"""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from ..client_address import client_address

__all__ = ["retry_after", "shared", "take"]

_LOCK = threading.Lock()
#: Entries expire after this many seconds without a request (a full bucket needs no entry).
_KEEP_SECONDS = 120


def shared() -> bool:
    """Whether the buckets are shared between processes (the cache in use is not the
    process's local memory)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    return not isinstance(caches["default"], LocMemCache)


def _key(request: HttpRequest) -> str:
    return "calculator-rate:" + (client_address(request) or "unknown")


def take(request: HttpRequest, cost: int = 1, now: float | None = None) -> float:
    """Take ``cost`` tokens from the client's bucket: 0 when allowed, else the seconds until
    it would be (nothing is taken then)."""
    rate = int(settings.CALCULATOR_RATE_PER_MINUTE)
    per_second = rate / 60
    cost = min(cost, rate)  # a request the bucket could never hold is allowed when it is full
    moment = time.monotonic() if now is None else now
    key = _key(request)
    with _LOCK:  # a read-modify-write of the cache entry, atomic within this process
        tokens, since = cache.get(key) or (float(rate), moment)
        tokens, since = float(tokens), float(since)
        tokens = min(float(rate), tokens + (moment - since) * per_second)
        if tokens >= cost:
            cache.set(key, (tokens - cost, moment), _KEEP_SECONDS)
            return 0.0
        cache.set(key, (tokens, moment), _KEEP_SECONDS)
        return (cost - tokens) / per_second


def retry_after(seconds: float) -> str:
    """The Retry-After header's whole seconds (at least 1)."""
    return str(max(1, math.ceil(seconds)))
