"""Who is calling the JSON API, in which programme scope, and the audit of each call.

A call is authenticated by an API token (:class:`~.auth.TokenAuth`) or, for the web app's own
use, by a signed-in staff session with Django's CSRF check (:class:`StaffSession`). A token acts
for its user in its programme only; a session acts in every programme of its user (as the web
pages do). Patient sessions of the portal are never accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth

from benzodetox.web.audit.services import record

from .auth import TokenAuth, token_scope

__all__ = ["StaffSession", "audit", "auth_for", "programme_scope", "token_of"]


class StaffSession(SessionAuth):
    """A signed-in member of a programme (CSRF checked on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and getattr(request, "memberships", None):
            return user
        return None


def auth_for(scope: str, session: bool = True) -> list[Any]:
    """The authenticators of a route: a token with ``scope``, and the staff session where the
    route allows it (read routes and the stateless core)."""
    methods: list[Any] = [TokenAuth(scope)]
    if session:
        methods.append(StaffSession())
    return methods


def token_of(request: HttpRequest) -> Any:
    return getattr(request, "api_token", None)


@contextmanager
def programme_scope(request: HttpRequest) -> Iterator[None]:
    """Patient-data queries limited to the token's programme (a session keeps the scope of
    its user's programmes that the middleware set)."""
    with token_scope(request) if token_of(request) is not None else nullcontext():
        yield


def audit(
    request: HttpRequest,
    action: str,
    what: str,
    *,
    obj: Any = None,
    patient: Any = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One audit event for the call, naming the token (its name is the actor's description)."""
    token = token_of(request)
    extra: dict[str, Any] = {"via": "api", **(detail or {})}
    if token is not None:
        extra["api_token"] = token.name
        summary = f"API token {token.name!r}: {what}"
        programme = token.programme_id
    else:
        summary = f"API (session): {what}"
        programme = patient.programme_id if patient is not None else None
    record(
        request,
        action,
        obj=obj,
        patient=patient,
        programme=programme,
        summary=summary,
        detail=extra,
        user=request.user,
    )
