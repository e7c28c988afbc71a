"""The API's rate limit: a token bucket per API token (or per signed-in user on session calls),
kept in Django's cache like the calculator's (``web/calculator/ratelimit.py``).

``BENZODETOX_API_RATE_PER_MINUTE`` (default 600) requests a minute, in bursts of up to as
many. Past it a call is answered 429 with ``Retry-After``. The buckets live in the process's
local-memory cache unless the deployment configures a shared cache: with ``S`` servers × ``W``
workers one token may get up to ``S × W`` times the rate (docs/api.md).
"""

from __future__ import annotations

from .. import token_bucket
from ..env import env_int
from ..token_bucket import retry_after

__all__ = ["DEFAULT_RATE_PER_MINUTE", "rate_per_minute", "retry_after", "take"]

DEFAULT_RATE_PER_MINUTE = 600


def rate_per_minute() -> int:
    """The configured rate; a bad value fails loudly naming the variable."""
    return env_int("BENZODETOX_API_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE, minimum=1)


def take(key: str, now: float | None = None) -> float:
    """Take one request from ``key``'s bucket: 0 when allowed, else the seconds until it
    would be (nothing is taken then)."""
    return token_bucket.take("api-rate:" + key, rate_per_minute(), 1, now)
