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

from django.conf import settings
from django.http import HttpRequest

from .. import token_bucket
from ..client_address import client_address
from ..token_bucket import retry_after

__all__ = ["retry_after", "shared", "take"]


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
    return token_bucket.take(_key(request), int(settings.CALCULATOR_RATE_PER_MINUTE), cost, now)
