"""Property of the sign-in throttle over any schedule of attempts: an attempt during a delay
changes no counter and is refused; outside a delay, the right password is always accepted;
no single delay is longer than the longest one configured."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from benzodetox.web.accounts import throttle
from benzodetox.web.accounts.models import SignInThrottle

from .conftest import PASSWORD, Clock

pytestmark = pytest.mark.django_db

ADDRESSES = ("192.0.2.1", "192.0.2.2", "198.51.100.7", "2001:db8::5")

attempts = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20 * 60),  # seconds since the previous attempt
        st.sampled_from(ADDRESSES),
        st.booleans(),  # the right password?
    ),
    min_size=1,
    max_size=25,
)


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(SignInThrottle.objects.values_list("kind", "key", "failures", "locked_until"))


@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(schedule=attempts)
def test_any_schedule_keeps_the_throttle_promises(clinician, clock: Clock, schedule):
    """Refused during a delay without a trace; accepted outside one with the right password."""
    SignInThrottle.objects.all().delete()
    factory = RequestFactory()
    for gap, address, right in schedule:
        clock.advance(seconds=gap)
        keys = {("username", "clinician"), ("address", throttle.address_key(address))}
        running = [
            row.locked_until
            for row in SignInThrottle.objects.all()
            if (row.kind, row.key) in keys and row.locked_until and row.locked_until > clock.now
        ]
        before = snapshot()
        request = factory.post("/accounts/login/", REMOTE_ADDR=address)
        user = authenticate(request, username="clinician", password=PASSWORD if right else "wrong")
        if running:
            assert user is None
            assert snapshot() == before
            assert request.benzodetox_signin_retry_at == max(running)
        else:
            assert (user is not None) == right
        for row in SignInThrottle.objects.exclude(locked_until=None):
            assert row.locked_until - clock.now <= settings.LOGIN_MAX_DELAY
