"""Activates the signed-in user's programmes as the scope of every query in the request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .scoping import scope_programmes


class ScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            memberships = list(user.memberships.select_related("programme"))
        else:
            memberships = []
        request.memberships = memberships  # type: ignore[attr-defined]
        with scope_programmes(m.programme_id for m in memberships):
            return self.get_response(request)
