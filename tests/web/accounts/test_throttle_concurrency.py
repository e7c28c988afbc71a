"""Parallel attempts cannot slip past a delay: each attempt is counted before its password is
checked, inside a transaction holding the counter row, so when a delay ends and many guesses
arrive at once, one is judged and the rest wait for the next delay."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import connection
from django.test import RequestFactory

from benzodetox.web.accounts.backends import RETRY_AT
from benzodetox.web.accounts.models import SignInThrottle

from .conftest import Clock

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database is in memory with a shared cache, where concurrent "
    "writers fail with 'table is locked' instead of queueing (a served SQLite file takes the "
    "write lock at BEGIN IMMEDIATE and waits the busy timeout)",
)
def test_a_burst_when_the_delay_ends_gets_one_judged_attempt(clinician, clock: Clock):
    """The username is at its limit and the delay has just ended: eight simultaneous wrong
    guesses from eight addresses — exactly one is judged, seven are told to wait."""
    factory = RequestFactory()
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        authenticate(
            factory.post("/", REMOTE_ADDR=f"10.5.0.{n}"), username="clinician", password="x"
        )
    row = SignInThrottle.objects.get(kind="username")
    clock.now = row.locked_until
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def guess(n: int) -> None:
        from django.db import connections

        request: Any = factory.post("/", REMOTE_ADDR=f"10.6.0.{n}")
        try:
            start.wait()
            authenticate(request, username="clinician", password=f"guess {n}")
            outcomes.append("delayed" if getattr(request, RETRY_AT, None) else "judged")
        except BaseException as error:  # reported below, not swallowed
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["delayed"] * (THREADS - 1) + ["judged"]
    row.refresh_from_db()
    assert row.failures == settings.LOGIN_FAILURE_LIMIT + 1
