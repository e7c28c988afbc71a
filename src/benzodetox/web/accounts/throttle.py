"""The sign-in throttle: growing delays per username and per client address, kept in the
database so that several app servers share them.

Rules (settings in ``conf/accounts.py``):

* After ``LOGIN_FAILURE_LIMIT`` failures for a username, the next attempt is allowed only after
  ``LOGIN_FIRST_DELAY``; each further failure doubles the delay, up to ``LOGIN_MAX_DELAY``.
  A client address has the same rule with ``LOGIN_ADDRESS_FAILURE_LIMIT`` (an IPv6 address
  counts as its /64 network).
* An attempt during a delay is refused before the password is looked at: it is not counted,
  it does not extend the delay, and it tells nothing about the password. The first attempt
  after the delay is judged normally, so a correct password then always works.
* A browser where the user signed in before carries a signed "trusted browser" cookie for that
  user. Its attempts count on its own counter only: a stranger's failures (on the username or
  from the same address) never hold the real user back there.
* Each attempt is counted *before* the password is checked (and forgiven on success), inside a
  transaction holding the counter rows, so parallel attempts cannot slip past a delay.
"""

from __future__ import annotations

import ipaddress
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ..client_address import client_address
from .models import SignInThrottle

__all__ = [
    "Attempt",
    "Locked",
    "begin",
    "clock",
    "delay_after",
    "lock_state",
    "normalise_username",
    "prune",
    "remember_browser",
    "unlock_user",
]

Kind = SignInThrottle.Kind
BROWSER_COOKIE = "benzodetox_browser"
_SALT = "benzodetox.accounts.trusted-browser"
_MAX_BROWSER_ENTRIES = 5

#: "now" for the throttle; tests replace it with a simulated clock.
clock: Callable[[], datetime] = timezone.now


class Locked(Exception):
    """The attempt came during a delay; the next one is allowed at ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"sign-in delayed until {until.isoformat()}")
        self.until = until


def normalise_username(username: str) -> str:
    """One counter for every spelling that could name the same account."""
    return unicodedata.normalize("NFKC", username).casefold()[:200]


def address_key(address: str) -> str:
    """An IPv4 address as is; an IPv6 address as its /64 (one subscriber's block)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:200]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def delay_after(failures: int, limit: int) -> timedelta | None:
    """The wait after ``failures`` counted failures: none below the limit, then the first
    delay doubling with each further failure, capped."""
    if failures < limit:
        return None
    first: timedelta = settings.LOGIN_FIRST_DELAY
    longest: timedelta = settings.LOGIN_MAX_DELAY
    doublings = min(failures - limit, 40)
    delay: timedelta = min(first * (2**doublings), longest)
    return delay


@dataclass(frozen=True)
class _Claim:
    row_id: int
    kind: str
    previous_failures: int
    previous_last: datetime | None
    previous_locked: datetime | None
    set_locked: datetime | None


@dataclass(frozen=True)
class Attempt:
    """An attempt the throttle let through (already counted as a failure until forgiven)."""

    username: str
    trusted_browser: bool
    claims: tuple[_Claim, ...]

    def succeeded(self) -> None:
        """The password was right: the username and this browser start again from zero; the
        address gives back only this attempt (one good account does not clear a guesser)."""
        with transaction.atomic():
            for claim in self.claims:
                rows = SignInThrottle.objects.select_for_update().filter(pk=claim.row_id)
                row = rows.first()
                if row is None:
                    continue
                if claim.kind == Kind.ADDRESS:
                    row.failures = max(row.failures - 1, 0)
                    if row.locked_until == claim.set_locked:
                        row.locked_until = claim.previous_locked
                    row.save()
                else:
                    row.delete()


def _keys(request: HttpRequest | None, username: str) -> list[tuple[str, str, str, int]]:
    """(kind, key, username, limit) of the counters this attempt goes on."""
    name = normalise_username(username)
    nonce = _browser_nonce(request, name)
    if nonce:
        return [(str(Kind.DEVICE), f"{name}:{nonce}", name, settings.LOGIN_FAILURE_LIMIT)]
    keys = [(str(Kind.USERNAME), name, name, settings.LOGIN_FAILURE_LIMIT)]
    if request is not None:
        address = address_key(client_address(request))
        keys.append((str(Kind.ADDRESS), address, "", settings.LOGIN_ADDRESS_FAILURE_LIMIT))
    return keys


def begin(request: HttpRequest | None, username: str) -> Attempt:
    """Count an attempt for ``username`` (before its password is checked), or raise
    :class:`Locked` without counting it when a delay is running on any of its counters."""
    now = clock()
    memory: timedelta = settings.LOGIN_FAILURE_MEMORY
    keys = _keys(request, username)
    made_new = False
    with transaction.atomic():
        rows = []
        for kind, key, name, limit in keys:
            _, created = SignInThrottle.objects.get_or_create(
                kind=kind, key=key, defaults={"username": name}
            )
            made_new = made_new or created
            row = SignInThrottle.objects.select_for_update().get(kind=kind, key=key)
            rows.append((row, limit))
        waits = [r.locked_until for r, _ in rows if r.locked_until and r.locked_until > now]
        if waits:
            raise Locked(max(waits))
        claims = []
        for row, limit in rows:
            previous = (row.failures, row.last_failure_at, row.locked_until)
            if row.last_failure_at is not None and now - row.last_failure_at > memory:
                row.failures = 0
            row.failures += 1
            row.last_failure_at = now
            wait = delay_after(row.failures, limit)
            row.locked_until = now + wait if wait is not None else None
            row.save()
            claims.append(_Claim(row.pk, row.kind, *previous, row.locked_until))
    if made_new:
        prune(now)
    return Attempt(normalise_username(username), keys[0][0] == Kind.DEVICE, tuple(claims))


def prune(now: datetime) -> int:
    """Forget counters whose failures are past the memory period and whose delay is over (run
    when a new counter is made, so guessing many names or addresses cannot grow the table
    beyond what the memory period holds)."""
    memory: timedelta = settings.LOGIN_FAILURE_MEMORY
    stale = SignInThrottle.objects.filter(last_failure_at__lt=now - memory).exclude(
        locked_until__gt=now
    )
    # Its own short transaction, after the attempt's; rows another attempt holds are skipped
    # (PostgreSQL), so pruning never waits on, or deadlocks with, a sign-in.
    with transaction.atomic():
        ids = list(stale.select_for_update(skip_locked=True).values_list("pk", flat=True)[:1000])
        deleted, _ = SignInThrottle.objects.filter(pk__in=ids).delete()
    return deleted


@dataclass(frozen=True)
class LockState:
    failures: int
    locked_until: datetime | None


def lock_state(username: str) -> LockState:
    """The username's counter (for the admin's account page)."""
    row = SignInThrottle.objects.filter(
        kind=Kind.USERNAME, key=normalise_username(username)
    ).first()
    if row is None:
        return LockState(0, None)
    until = row.locked_until if row.locked_until and row.locked_until > clock() else None
    return LockState(row.failures, until)


def unlock_user(username: str) -> int:
    """Clear the username's counter and its trusted browsers' counters; how many were set."""
    deleted, _ = SignInThrottle.objects.filter(
        kind__in=(Kind.USERNAME, Kind.DEVICE), username=normalise_username(username)
    ).delete()
    return deleted


# --- trusted browsers -----------------------------------------------------------------------


def _browser_entries(request: HttpRequest | None) -> list[list[str]]:
    if request is None:
        return []
    raw = request.COOKIES.get(BROWSER_COOKIE, "")
    if not raw:
        return []
    max_age = timedelta(days=settings.LOGIN_TRUSTED_BROWSER_DAYS)
    try:
        entries = signing.loads(raw, salt=_SALT, max_age=max_age)
    except signing.BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    return [
        e
        for e in entries
        if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)
    ]


def _browser_nonce(request: HttpRequest | None, name: str) -> str:
    return next((nonce for who, nonce in _browser_entries(request) if who == name), "")


def remember_browser(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful sign-in: this browser is trusted for ``username`` from now on."""
    name = normalise_username(username)
    entries = _browser_entries(request)
    nonce = next((n for who, n in entries if who == name), "") or secrets.token_urlsafe(16)
    entries = [e for e in entries if e[0] != name] + [[name, nonce]]
    response.set_cookie(
        BROWSER_COOKIE,
        signing.dumps(entries[-_MAX_BROWSER_ENTRIES:], salt=_SALT),
        max_age=settings.LOGIN_TRUSTED_BROWSER_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
