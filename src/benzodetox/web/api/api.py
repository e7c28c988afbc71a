"""The django-ninja application mounted at ``/api/v1/``: its routers, its documentation page
(Swagger UI from ninja's own static files, no CDN) and one error shape for every refusal.

- 401/403/429 (authentication, scope, role, rate): ``{"detail": "sentence"}``; 429 carries
  ``Retry-After``.
- 404 (unknown or another programme's id): ``{"detail": "Not Found"}``.
- 422 (bad input, from the schema or the core's ``InputError``): ``{"detail": [{"loc": [...],
  "msg": ..., "allowed": ...}]}`` naming the field and what is allowed.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, ValidationError

from benzodetox.core.errors import InputError

from . import ratelimit
from .auth import ApiAuthError
from .core_routes import router as core_router
from .programme_routes import router as programme_router

__all__ = ["api", "field_loc"]

api = NinjaAPI(
    title="benzodetox API",
    version="1",
    description=(
        "The JSON API of benzodetox: the stateless clinical core (the CLI's JSON documents) and "
        "a programme's patients, plans, assessments and alerts. Authenticate with "
        "`Authorization: Bearer <key>` (`benzodetox token add`). See docs/api.md."
    ),
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url="/docs",
)
api.add_router("/", core_router)
api.add_router("/", programme_router)

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_loc(field: str) -> list[str | int]:
    """``"regimen[1].mg"`` → ``["body", "regimen", 1, "mg"]``."""
    parts: list[str | int] = ["body"]
    for name, index in _PART.findall(field):
        parts.append(int(index) if index else name)
    return parts


@api.exception_handler(InputError)
def input_error(request: HttpRequest, error: InputError) -> HttpResponse:
    item = {"loc": field_loc(error.field), "msg": str(error), "allowed": error.allowed}
    return api.create_response(request, {"detail": [item]}, status=422)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    items = []
    for raw in error.errors:
        context = raw.get("ctx") or {}
        allowed = context.get("expected") or context.get("pattern")
        items.append(
            {
                "loc": [str(p) if not isinstance(p, int) else p for p in raw.get("loc", ())],
                "msg": str(raw.get("msg", "invalid")),
                "allowed": None if allowed is None else str(allowed),
                "type": str(raw.get("type", "")),
            }
        )
    return api.create_response(request, {"detail": items}, status=422)


@api.exception_handler(ApiAuthError)
def auth_error(request: HttpRequest, error: ApiAuthError) -> HttpResponse:
    response = api.create_response(request, {"detail": error.message}, status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="benzodetox"'
    if error.status == 429:
        response["Retry-After"] = ratelimit.retry_after(error.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def no_credentials(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "an API token is required: send 'Authorization: Bearer <key>'"},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="benzodetox"'
    return response


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(error) or "not allowed"}, status=403)


def openapi_schema() -> dict[str, Any]:
    return api.get_openapi_schema()
