"""The calculator's rate limit with several servers: per process by design (docs/operations/
scaling.md) — no database write or query per anonymous request."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benzodetox.web.calculator import ratelimit


@pytest.mark.django_db
def test_the_rate_limit_costs_the_database_nothing(settings):
    """Taking from an address's bucket (allowed or refused) runs no SQL at all: the open
    calculator cannot load the database the clinicians' pages need."""
    settings.CALCULATOR_RATE_PER_MINUTE = 2
    request = Client().get("/healthz").wsgi_request
    request.META["REMOTE_ADDR"] = "198.51.100.7"
    with CaptureQueriesContext(connection) as queries:
        outcomes = [ratelimit.take(request, now=100.0) for _ in range(3)]
    assert outcomes[:2] == [0.0, 0.0] and outcomes[2] > 0
    assert len(queries) == 0


@pytest.mark.django_db
def test_the_default_buckets_are_per_process_and_say_so(settings):
    """With the default local-memory cache the limit is per process (``shared()`` is False):
    another process — another worker or server — starts with its own full bucket, which this
    test stands in for by clearing this process's cache."""
    settings.CALCULATOR_RATE_PER_MINUTE = 1
    assert ratelimit.shared() is False
    request = Client().get("/healthz").wsgi_request
    request.META["REMOTE_ADDR"] = "198.51.100.8"
    assert ratelimit.take(request, now=10.0) == 0.0
    assert ratelimit.take(request, now=10.0) > 0
    caches["default"].clear()  # a fresh process: a fresh bucket
    assert ratelimit.take(request, now=10.0) == 0.0
