"""Forwarding headers are believed only from the reverse proxies in ``TRUSTED_PROXIES``.

Django's ``SECURE_PROXY_SSL_HEADER`` trusts ``X-Forwarded-Proto`` from whoever sends it: a client
reaching the application directly could claim its plain-HTTP request was HTTPS (and so receive
the Secure session cookie over plain HTTP, or pass the CSRF origin check as https). This
middleware runs first and removes every forwarding header (``X-Forwarded-Proto``,
``X-Forwarded-For``, ``X-Forwarded-Host``, ``X-Forwarded-Port``, ``Forwarded``…) from a request
whose peer is not a trusted proxy, so nothing after it sees them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from .client_address import is_trusted_proxy

__all__ = ["ForwardedHeadersMiddleware", "drop_untrusted_forwarding"]

_FORWARDING_PREFIXES = ("HTTP_X_FORWARDED_", "HTTP_FORWARDED")


def drop_untrusted_forwarding(request: HttpRequest) -> list[str]:
    """Remove the forwarding headers unless the peer is a trusted proxy; the names removed."""
    if is_trusted_proxy(str(request.META.get("REMOTE_ADDR") or "")):
        return []
    dropped = [key for key in request.META if key.startswith(_FORWARDING_PREFIXES)]
    for key in dropped:
        del request.META[key]
    return dropped


class ForwardedHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        drop_untrusted_forwarding(request)
        return self.get_response(request)
