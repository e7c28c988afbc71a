"""The JSON API (issue 14): ``POST /api/v1/plan`` p95 < 20 ms, in process on PostgreSQL.

A scratch PostgreSQL database with a unique name (migrated, dropped afterwards) holds one
programme, one nurse and an API token with ``read``; each request goes through the whole Django
stack with the test client and the token (authentication, rate limit, audit row written), and
builds a new plan: the regimen amount varies with the request, so no two plans are the same.
The JSON document is the CLI's (``plan --format json``), alternatives included. Until
RequireLoginMiddleware lets unsigned requests reach /api/v1/, the client is also signed in as
the token's user (the token, sent first, is what authenticates the call).

    uv run python bench/bench_api.py [--requests 300]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe
from _web import scratch_postgres, time_requests

TARGET_MS = 20.0


def body(i: int) -> str:
    """Diazepam taken twice a day; the morning amount varies with ``i``."""
    amount = ("5", "7.5", "10", "12.5", "15", "20")[i % 6]
    return json.dumps(
        {
            "regimen": [
                {"drug": "diazepam", "mg": amount, "time": "08:00"},
                {"drug": "diazepam", "mg": "5", "time": "22:00"},
            ],
            "source": "ashton-2002",
            "strategy": "asam",
            "start": "2030-03-04",
        }
    )


def measure(n: int) -> float:
    os.environ["BENZODETOX_API_RATE_PER_MINUTE"] = "1000000"
    from django.contrib.auth import get_user_model
    from django.test import Client

    from benzodetox.web.api.auth import create_token
    from benzodetox.web.programmes.models import Membership, Programme

    programme = Programme.objects.create(name="Bench")
    user = get_user_model().objects.create(username="bench-nurse")
    Membership.objects.create(user=user, programme=programme, role="nurse")
    _, key = create_token(programme, user, "bench", "read")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    _, p95 = time_requests(
        "POST /api/v1/plan (in process)",
        n,
        lambda i: client.post("/api/v1/plan", body(i), content_type="application/json"),
        expect=b'"steps"',
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    print(describe())
    with scratch_postgres(f"bench_api_{os.getpid()}"):
        p95 = measure(args.requests)
    print(f"plan p95 {p95:.1f} ms (target < {TARGET_MS:.0f} ms)")
    if p95 >= TARGET_MS:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
