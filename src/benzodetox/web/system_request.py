"""A request object for services called outside a web request (demo seeds, commands): the
services take a request for who acts and for the audit's request id."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

__all__ = ["system_request"]


def system_request(user: Any, request_id: str = "demo-seed") -> HttpRequest:
    """A request acting as ``user``, audited under ``request_id``."""
    request = HttpRequest()
    request.user = user
    request.request_id = request_id  # type: ignore[attr-defined]
    return request
