"""Helpers the web benchmarks share: a scratch PostgreSQL database and timed requests."""

from __future__ import annotations

import os
import statistics
import time as clock
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def admin_connection(url: str) -> Any:
    """An autocommit connection to the server of ``url`` (to create and drop databases)."""
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname=parts.path.lstrip("/") or "postgres",
        autocommit=True,
    )


def with_db(url: str, name: str) -> str:
    """``url`` pointing at database ``name``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def time_requests(
    label: str,
    n: int,
    call: Callable[[int], Any],
    expect: bytes = b"</table>",
    width: int = 40,
) -> tuple[str, float]:
    """Warm up, check each answer is the real page (HTTP 200 containing ``expect``), then time
    ``n`` calls; prints median, p95, p99 and throughput and returns (label, p95 in ms)."""
    for i in range(min(20, n)):
        response = call(i)
        if response.status_code != 200 or expect not in response.content:
            raise SystemExit(f"{label}: HTTP {response.status_code} or the page lacks {expect!r}")
    timings = []
    for i in range(n):
        start = clock.perf_counter()
        response = call(i)
        timings.append((clock.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{label}: HTTP {response.status_code}")
    timings.sort()
    p95 = timings[int(0.95 * n) - 1]
    p99 = timings[max(int(0.99 * n) - 1, 0)]
    print(
        f"{label:<{width}} n={n:<5} median {statistics.median(timings):6.1f} ms   "
        f"p95 {p95:6.1f} ms   p99 {p99:6.1f} ms   {1000 / statistics.mean(timings):6.0f} req/s"
    )
    return label, p95


@contextmanager
def scratch_postgres(name: str, keep: bool = False) -> Iterator[None]:
    """Run Django on a new PostgreSQL database ``name`` (on the server of ``DATABASE_URL``, or
    the local one), migrated; dropped afterwards unless ``keep``."""
    base_url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    with admin_connection(base_url) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = with_db(base_url, name)
    os.environ["BENZODETOX_ALLOWED_HOSTS"] = "testserver"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benzodetox.web.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0, interactive=False)
        try:
            yield
        finally:
            connections.close_all()
    finally:
        if not keep:
            with admin_connection(base_url) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
