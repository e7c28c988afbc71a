"""The sign-in throttle (issue 12, item 2): growing delays per username and per client address,
attempts during a delay neither counted nor extending it, a correct password after the delay
always accepted, and a stranger's slow guessing never keeping the real user out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from benzodetox.web.accounts.models import SignInThrottle
from benzodetox.web.accounts.throttle import delay_after
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.programmes.scoping import unscoped

from .conftest import PASSWORD, Clock

LOGIN = "/accounts/login/"

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str, address: str = "10.1.1.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(response: Any) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("patients:list")


def username_row(name: str = "clinician") -> SignInThrottle:
    return SignInThrottle.objects.get(kind="username", key=name)


def fail_until_delayed(client: Client, username: str = "clinician", address: str = "10.1.1.1"):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, username, "wrong guess", address)


def test_the_delay_doubles_after_each_further_failure_up_to_the_cap():
    """d, 2d, 4d … after the limit, never more than the longest delay; none below the limit."""
    limit = settings.LOGIN_FAILURE_LIMIT
    first, cap = settings.LOGIN_FIRST_DELAY, settings.LOGIN_MAX_DELAY
    assert delay_after(limit - 1, limit) is None
    assert delay_after(limit, limit) == first
    assert delay_after(limit + 1, limit) == 2 * first
    assert delay_after(limit + 2, limit) == 4 * first
    assert delay_after(limit + 500, limit) == cap


def test_after_the_limit_even_the_right_password_waits_and_is_told_when(clinician, clock):
    """During the delay the right password is refused with 'try again at HH:MM' (429), the
    attempt is not counted and the delay does not move."""
    client = Client()
    fail_until_delayed(client)
    row = username_row()
    before = (row.failures, row.locked_until)
    assert before[1] == clock.now + settings.LOGIN_FIRST_DELAY
    response = sign_in(client, "clinician", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "try again at 08:01" in page
    row.refresh_from_db()
    assert (row.failures, row.locked_until) == before


def test_attempts_during_a_delay_do_not_extend_it(clinician, clock):
    """Ten wrong guesses during the delay leave its end where it was; at that moment the right
    password works."""
    client = Client()
    fail_until_delayed(client)
    end = username_row().locked_until
    for _ in range(10):
        clock.advance(seconds=5)
        sign_in(client, "clinician", "another guess")
    assert username_row().locked_until == end
    clock.now = end
    assert signed_in(sign_in(Client(), "clinician", PASSWORD))


def test_a_correct_password_after_the_delay_always_works_and_clears_the_count(clinician, clock):
    """Past the delay the right password signs in and the username starts again from zero."""
    client = Client()
    fail_until_delayed(client)
    clock.advance(seconds=settings.LOGIN_FIRST_DELAY.total_seconds())
    assert signed_in(sign_in(client, "clinician", PASSWORD))
    assert not SignInThrottle.objects.filter(kind="username", key="clinician").exists()


def test_a_wrong_password_after_the_delay_doubles_the_next_one(clinician, clock):
    """The first attempt after a delay is judged; if wrong, the next wait is twice as long."""
    client = Client()
    fail_until_delayed(client)
    clock.advance(seconds=settings.LOGIN_FIRST_DELAY.total_seconds())
    sign_in(client, "clinician", "still wrong")
    assert username_row().locked_until == clock.now + 2 * settings.LOGIN_FIRST_DELAY


def test_a_slow_attacker_never_keeps_the_real_user_out(clinician, clock):
    """A stranger types one wrong password every 15 minutes for a day. The clinician signs in
    from their usual browser at every hour of it, every time at once; on a new browser (every
    six hours) they are at worst told a time within the longest delay, and then get in."""
    usual = Client()
    assert signed_in(sign_in(usual, "clinician", PASSWORD, "10.2.2.2"))
    usual.post(reverse("accounts:logout"))
    start = clock.now
    waited = []
    for quarter in range(24 * 4):
        clock.now = start + timedelta(minutes=15 * quarter)
        sign_in(Client(), "clinician", f"guess {quarter}", "203.0.113.9")
        if quarter % 4 == 2:  # half an hour after a guess, every hour
            clock.now += timedelta(minutes=7)
            assert signed_in(sign_in(usual, "clinician", PASSWORD, "10.2.2.2"))
            usual.post(reverse("accounts:logout"))
        if quarter % 24 == 22:  # a new browser every six hours
            fresh = Client()
            first = sign_in(fresh, "clinician", PASSWORD, "10.3.3.3")
            if not signed_in(first):
                assert first.status_code == 429 and "try again at" in first.content.decode()
                until = username_row().locked_until
                assert until - clock.now <= settings.LOGIN_MAX_DELAY
                waited.append(until - clock.now)
                clock.now = until
                assert signed_in(sign_in(fresh, "clinician", PASSWORD, "10.3.3.3"))
    # the stranger's guesses were counted (the new-browser path really was delayed at times)
    assert waited


def test_a_hundred_addresses_guessing_one_account_are_held_by_the_username(clinician, clock):
    """100 addresses, one guess each within a minute: after the limit the rest are refused
    without their passwords being judged; the username counts only the judged ones."""
    judged = 0
    for n in range(100):
        response = sign_in(Client(), "clinician", f"guess {n}", f"198.51.100.{n + 1}")
        if response.status_code != 429:
            judged += 1
        clock.advance(seconds=0.5)
    assert judged == settings.LOGIN_FAILURE_LIMIT
    assert username_row().failures == settings.LOGIN_FAILURE_LIMIT


def test_one_address_guessing_many_accounts_is_held_by_the_address(clock, make_user, programme_a):
    """One address trying one password on each of many usernames is stopped after the address
    limit, while another address still signs in."""
    make_user("target", "nurse", programme_a, password=PASSWORD)
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    statuses = [
        sign_in(Client(), f"user{n}", "Password1!", "192.0.2.66").status_code
        for n in range(limit + 5)
    ]
    assert statuses[:limit] == [200] * limit
    assert set(statuses[limit:]) == {429}
    # even a real account's right password waits at that address (not judged) ...
    assert sign_in(Client(), "target", PASSWORD, "192.0.2.66").status_code == 429
    # ... but not elsewhere
    assert signed_in(sign_in(Client(), "target", PASSWORD, "192.0.2.67"))


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_counted(clock, settings):
    """With the proxy trusted, guesses from one client behind it are counted on the client's
    address, so another client behind the same proxy is not held back."""
    settings.TRUSTED_PROXIES = ["10.9.9.9"]
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    for n in range(limit):
        Client().post(
            LOGIN,
            {"username": f"user{n}", "password": "x"},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR="192.0.2.10",
        )
    assert SignInThrottle.objects.get(kind="address", key="192.0.2.10").failures == limit
    other = Client().post(
        LOGIN,
        {"username": "someone", "password": "x"},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="192.0.2.11",
    )
    assert other.status_code == 200


def test_an_ipv6_client_counts_as_its_64_network(clock):
    """Rotating addresses inside one /64 does not escape the address counter."""
    for n in range(3):
        sign_in(Client(), f"user{n}", "x", f"2001:db8:1:2::{n + 1}")
    assert SignInThrottle.objects.get(kind="address", key="2001:db8:1:2::/64").failures == 3


def test_delayed_attempts_are_still_audited_as_failed_sign_ins(clinician, clock):
    """Every refused attempt, judged or not, is an account.login_failed event."""
    client = Client()
    fail_until_delayed(client)
    sign_in(client, "clinician", PASSWORD)
    with unscoped():
        failed = AuditEvent.objects.filter(action="account.login_failed", username="clinician")
        assert failed.count() == settings.LOGIN_FAILURE_LIMIT + 1


@pytest.mark.parametrize("spelling", ["CLINICIAN", "Clinician", "ｃｌｉｎｉｃｉａｎ"])
def test_other_spellings_of_a_username_share_its_counter(clinician, clock, spelling):
    """Case and full-width variants count on the same username counter."""
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, spelling, "wrong")
    assert username_row().failures == settings.LOGIN_FAILURE_LIMIT


def test_failures_are_forgotten_after_a_quiet_day(clinician, clock: Clock):
    """A failure more than the memory period after the last one starts the count again."""
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "clinician", "wrong")
    clock.advance(seconds=settings.LOGIN_FAILURE_MEMORY.total_seconds() + 1)
    sign_in(client, "clinician", "wrong")
    assert username_row().failures == 1


def _approval_request(user: Any, cookies: dict[str, str] | None = None) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().post("/approve/", REMOTE_ADDR="10.4.4.4")
    request.user = user
    request.COOKIES.update(cookies or {})
    return request


def test_re_authentication_before_an_approval_counts_failures(clinician, clock):
    """Wrong passwords typed to confirm an approval (plans.services.confirm_identity) count on
    the username like sign-in failures: after the limit even the right one waits."""
    from benzodetox.core.errors import InputError
    from benzodetox.web.plans.services import confirm_identity

    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        with pytest.raises(InputError):
            confirm_identity(_approval_request(clinician), "wrong", "")
    assert username_row().failures == settings.LOGIN_FAILURE_LIMIT
    with pytest.raises(InputError):
        confirm_identity(_approval_request(clinician), PASSWORD, "")
    assert sign_in(Client(), "clinician", PASSWORD).status_code == 429
    clock.advance(seconds=settings.LOGIN_FIRST_DELAY.total_seconds())
    confirm_identity(_approval_request(clinician), PASSWORD, "")  # accepted: no exception


def test_re_authentication_from_a_trusted_browser_counts_on_that_browser(clinician, clock):
    """From the browser the user signed in with, approval failures count on that browser's
    counter (so a stranger cannot use them, and they cannot reset a stranger's count)."""
    from benzodetox.core.errors import InputError
    from benzodetox.web.accounts.throttle import BROWSER_COOKIE
    from benzodetox.web.plans.services import confirm_identity

    browser = Client()
    assert signed_in(sign_in(browser, "clinician", PASSWORD))
    cookies = {BROWSER_COOKIE: browser.cookies[BROWSER_COOKIE].value}
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        with pytest.raises(InputError):
            confirm_identity(_approval_request(clinician, cookies), "wrong", "")
    device = SignInThrottle.objects.get(kind="device")
    assert device.failures == settings.LOGIN_FAILURE_LIMIT and device.locked_until is not None
    assert not SignInThrottle.objects.filter(kind="username").exists()


def test_stale_counters_are_forgotten_when_new_ones_are_made(clock):
    """Guessing many names cannot grow the table without end: counters quiet for longer than
    the memory period go when the next new counter is made."""
    for n in range(5):
        sign_in(Client(), f"name{n}", "x", f"192.0.2.{n + 1}")
    assert SignInThrottle.objects.count() == 10
    clock.advance(seconds=settings.LOGIN_FAILURE_MEMORY.total_seconds() + 60)
    sign_in(Client(), "someone-new", "x", "198.51.100.99")
    assert sorted(SignInThrottle.objects.values_list("key", flat=True)) == [
        "198.51.100.99",
        "someone-new",
    ]
