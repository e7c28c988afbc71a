"""API token authentication, shared by the JSON API, the FHIR endpoints and CDS Hooks.

A call carries ``Authorization: Bearer <key>``. :func:`authenticate` finds the token by the
SHA-256 of the key and answers, through :class:`ApiAuthError`:

- 401 when the header is missing, the key unknown, the token expired or revoked;
- 403 when the token lacks the scope the call needs, or its user is no longer a member of the
  token's programme (the user's role there bounds what the token may do);
- 429 when the token is over its rate (``BENZODETOX_API_RATE_PER_MINUTE``), with
  ``retry_after`` seconds.

On success ``request.api_token`` is the token and ``request.user`` its user, so services and
``require()`` see the user the token acts for. Patient-data queries must then run inside
:func:`token_scope` (the token's programme only); :func:`token_required` does that for a plain
Django view. Keys are ``bzd_`` + 43 URL-safe characters (32 random bytes); only their hash
is stored, the key is shown once by :func:`create_token`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from benzodetox.core.errors import InputError
from benzodetox.web.programmes.scoping import scope_programmes, unscoped
from benzodetox.web.programmes.services import role_in

from . import ratelimit
from .models import SCOPES, ApiToken

_Response = TypeVar("_Response", bound=HttpResponse)

__all__ = [
    "KEY_PREFIX",
    "MAX_DAYS",
    "ApiAuthError",
    "TokenAuth",
    "auth_headers",
    "authenticate",
    "create_token",
    "error_response",
    "hash_key",
    "parse_scopes",
    "revoke_token",
    "token_required",
    "token_scope",
]

KEY_PREFIX = "bzd_"
#: the longest a token may live (days); a longer-lived credential should be re-issued
MAX_DAYS = 730
#: last use is written at most this often per token (a write on every call costs time)
_LAST_USED_EVERY = timedelta(seconds=60)


class ApiAuthError(HttpError):
    """An API call refused before it ran: ``status`` 401, 403 or 429 and a ``message``
    (answered as ``{"detail": message}``); ``retry_after`` seconds on a 429."""

    def __init__(self, status: int, message: str, retry_after: float = 0.0) -> None:
        super().__init__(status, message)
        self.status = status
        self.retry_after = retry_after


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _bearer_key(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if not header or scheme.lower() != "bearer" or not key.strip():
        raise ApiAuthError(401, "an API token is required: send 'Authorization: Bearer <key>'")
    return key.strip()


def _check_token(key: str, scope: str, request: HttpRequest) -> ApiToken:
    with unscoped():  # a key is looked up before its programme is known
        token: ApiToken | None = (
            ApiToken.objects.select_related("programme", "user")
            .filter(key_hash=hash_key(key))
            .first()
        )
    if token is None:
        raise ApiAuthError(401, "unknown API token")
    now = timezone.now()
    if token.revoked_at is not None:
        raise ApiAuthError(401, f"the API token {token.name!r} was revoked")
    if token.expires_at <= now:
        raise ApiAuthError(401, f"the API token {token.name!r} expired")
    if not token.user.is_active:
        raise ApiAuthError(401, f"the API token {token.name!r} acts for a deactivated user")
    if not token.has_scope(scope):
        granted = ", ".join(token.scopes) or "none"
        raise ApiAuthError(403, f"this call needs the {scope!r} scope; the token has {granted}")
    if role_in(token.user, token.programme_id) is None:
        raise ApiAuthError(403, "the token's user is no longer a member of its programme")
    wait = ratelimit.take("token:" + token.key_hash)
    if wait > 0:
        raise ApiAuthError(429, "too many requests for this API token; retry later", wait)
    _note_use(token, now)
    return token


def _note_use(token: ApiToken, now: Any) -> None:
    if token.last_used_at is not None and now - token.last_used_at < _LAST_USED_EVERY:
        return
    with unscoped():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def authenticate(request: HttpRequest, scope: str) -> ApiToken:
    """The request's token if it is valid and has ``scope``; :class:`ApiAuthError` otherwise.
    Sets ``request.api_token`` and ``request.user`` (the token's user)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; one of {', '.join(SCOPES)}")
    token = _check_token(_bearer_key(request), scope, request)
    request.api_token = token  # type: ignore[attr-defined]
    request.user = token.user
    return token


@contextmanager
def token_scope(request: HttpRequest) -> Iterator[None]:
    """Limit patient-data queries to the programme of the request's token."""
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    with scope_programmes({token.programme_id}):
        yield


def auth_headers(response: _Response, error: ApiAuthError) -> _Response:
    """The headers a refusal carries: how to authenticate (401), when to retry (429)."""
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="benzodetox"'
    if error.status == 429:
        response["Retry-After"] = ratelimit.retry_after(error.retry_after)
    return response


def error_response(error: ApiAuthError) -> JsonResponse:
    return auth_headers(JsonResponse({"detail": error.message}, status=error.status), error)


def token_required(
    scope: str, refuse: Callable[[ApiAuthError], HttpResponse] = error_response
) -> Callable[[Callable[..., HttpResponse]], Callable[..., Any]]:
    """Decorate a plain Django view: a refused token is answered by ``refuse`` (JSON 401/403/429
    ``{"detail": ...}`` by default; FHIR answers an OperationOutcome); the view runs with
    ``request.api_token`` set and inside the token's programme scope."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; one of {', '.join(SCOPES)}")

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                authenticate(request, scope)
            except ApiAuthError as error:
                return refuse(error)
            with token_scope(request):
                return view(request, *args, **kwargs)

        wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # a bearer token, no cookie
        return wrapped

    return decorate


class TokenAuth(HttpBearer):
    """Token authentication for django-ninja routes: ``auth=TokenAuth("read")``.

    No ``Authorization`` header → ``None`` (ninja then tries the route's next authenticator,
    e.g. the session, or answers 401); a bad token raises :class:`ApiAuthError`. The handler
    runs outside the token's programme scope: wrap patient-data queries in
    :func:`token_scope` (the JSON API does, for every programme route)."""

    def __init__(self, scope: str) -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; one of {', '.join(SCOPES)}")
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        checked = _check_token(token.strip(), self.scope, request)
        request.api_token = checked  # type: ignore[attr-defined]
        request.user = checked.user
        return checked


def parse_scopes(scopes: Iterable[str] | str) -> list[str]:
    """Scopes from a list or a comma-separated text, checked and in the order of SCOPES."""
    items = scopes.split(",") if isinstance(scopes, str) else list(scopes)
    wanted = {item.strip().lower() for item in items if item.strip()}
    unknown = sorted(wanted - set(SCOPES))
    if unknown or not wanted:
        raise InputError("scope", ",".join(unknown) or "", "one or more of " + ", ".join(SCOPES))
    return [scope for scope in SCOPES if scope in wanted]


def create_token(
    programme: Any,
    user: Any,
    name: str,
    scopes: Iterable[str] | str,
    days: int = 90,
    created_by: Any = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` in ``programme``; the key is returned once and never kept.

    Refuses (``InputError`` naming the field) an empty or taken name, unknown scopes, ``days``
    outside 1–MAX_DAYS and a user who is not a member of the programme."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise InputError("name", name, "a name of 1 to 80 characters")
    granted = parse_scopes(scopes)
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InputError("days", days, f"a whole number of days from 1 to {MAX_DAYS}")
    if role_in(user, programme.pk) is None:
        raise InputError("user", user.get_username(), f"a member of the programme {programme}")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken(
                programme=programme,
                name=name,
                user=user,
                scopes=granted,
                prefix=key[:12],
                key_hash=hash_key(key),
                created_by=created_by,
                expires_at=timezone.now() + timedelta(days=days),
            )
            token.save()
    except IntegrityError:
        raise InputError("name", name, f"a name no other token of {programme} has") from None
    return token, key


def revoke_token(token: ApiToken) -> ApiToken:
    """Revoke now (a revoked token stays listed, for the audit log's sake)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        with unscoped():
            ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
    return token
