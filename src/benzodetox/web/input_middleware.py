"""Requests carrying a NUL character in a query or form field are refused with 400, naming the
field, before any view runs.

No field of the application accepts one (Django's form fields already refuse it), and
PostgreSQL refuses NUL in text: a view that filters on a raw query parameter, or an audit event
that quotes one, would otherwise fail with a server error on PostgreSQL while SQLite accepted it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseBase, QueryDict

__all__ = ["RefuseNulMiddleware", "nul_field"]

NUL = "\x00"


def _shown(name: str) -> str:
    return repr(name.replace(NUL, "\\0")[:40])


def nul_field(request: HttpRequest) -> str:
    """The first field ('query parameter …' / 'form field …') holding a NUL; '' when none."""
    sources: list[tuple[str, QueryDict]] = [("query parameter", request.GET)]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(("form field", request.POST))
    for where, data in sources:
        for name, values in data.lists():
            if NUL in name or any(NUL in value for value in values):
                return f"{where} {_shown(name)}"
    return ""


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        field = nul_field(request)
        if field:
            return HttpResponseBadRequest(
                f"{field}: contains a NUL character (\\0), which no field allows; "
                "send it again without it.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
