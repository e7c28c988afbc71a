"""Settings for transport and browser security: TLS behind a proxy, cookies, CSRF origins,
headers, the Content-Security-Policy.

``settings.py`` places ``SECURITY_APPS`` after Django's own apps and ``SECURITY_MIDDLEWARE_FIRST``
before Django's SecurityMiddleware.

``BENZODETOX_HTTPS=1`` is the production profile (docs/operations/deployment-tls.md): the
``X-Forwarded-Proto`` header is believed from the proxies in ``BENZODETOX_TRUSTED_PROXIES`` only
(``ForwardedHeadersMiddleware`` drops forwarding headers from every other peer), HSTS, a redirect
of plain HTTP to HTTPS (``/healthz`` exempt, for a load balancer's probe on the private network),
Secure cookies and CSRF origins ``https://<host>`` for each of ``BENZODETOX_ALLOWED_HOSTS``.
Without it the local and demo behaviour is unchanged: plain HTTP on loopback.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from ..env import env_bool, env_int, env_list

_DEFAULT_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_DEFAULT_HSTS_SECONDS = 365 * 24 * 3600  # one year; BENZODETOX_HSTS_SECONDS=0 turns HSTS off


@dataclass(frozen=True)
class Transport:
    """What the environment says about TLS; the Django settings below are read from it."""

    https: bool
    trusted_proxies: tuple[str, ...]
    proxy_ssl_header: tuple[str, str] | None
    hsts_seconds: int
    hsts_include_subdomains: bool
    hsts_preload: bool
    csrf_trusted_origins: tuple[str, ...]
    silenced_checks: tuple[str, ...]


def _proxies(entries: list[str]) -> tuple[str, ...]:
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"BENZODETOX_TRUSTED_PROXIES: {entry!r} is not an IP address or network; "
                "use comma-separated addresses or networks, e.g. 10.0.0.5,10.0.1.0/24"
            ) from None
    return tuple(entries)


def _explicit_origins(entries: list[str]) -> tuple[str, ...]:
    for entry in entries:
        parts = urlsplit(entry)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ImproperlyConfigured(
                f"BENZODETOX_CSRF_TRUSTED_ORIGINS: {entry!r} is not an origin; use "
                "comma-separated scheme://host[:port], e.g. https://detox.example.org"
            )
    return tuple(entry.rstrip("/") for entry in entries)


def csrf_origins_for_hosts(hosts: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``https://host`` for each allowed host name; a leading-dot domain allows its subdomains
    (``https://*.example.org``) and ``*`` (any host) gives no origin.

    >>> csrf_origins_for_hosts(["detox.example.org", ".example.org", "*"])
    ('https://detox.example.org', 'https://*.example.org')
    """
    origins: list[str] = []
    for host in hosts:
        if host == "*" or not host:
            continue
        origins.append(f"https://*{host}" if host.startswith(".") else f"https://{host}")
    return tuple(origins)


def transport_from_env() -> Transport:
    """Read the production profile's variables; raise ``ImproperlyConfigured`` naming the
    variable on a value that cannot work (the server does not start)."""
    https = env_bool("BENZODETOX_HTTPS", False)
    proxies = _proxies(env_list("BENZODETOX_TRUSTED_PROXIES"))
    explicit = _explicit_origins(env_list("BENZODETOX_CSRF_TRUSTED_ORIGINS"))
    if not https:
        return Transport(
            https=False,
            trusted_proxies=proxies,
            proxy_ssl_header=None,
            hsts_seconds=0,
            hsts_include_subdomains=False,
            hsts_preload=False,
            csrf_trusted_origins=explicit,
            silenced_checks=(),
        )
    direct = env_bool("BENZODETOX_DIRECT_TLS", False)
    if not proxies and not direct:
        raise ImproperlyConfigured(
            "BENZODETOX_HTTPS=1 needs to know who terminates TLS: set BENZODETOX_TRUSTED_PROXIES "
            "to the address of the TLS proxy in front of this server (e.g. 127.0.0.1), or "
            "BENZODETOX_DIRECT_TLS=1 if the WSGI server itself serves HTTPS"
        )
    hsts = env_int("BENZODETOX_HSTS_SECONDS", _DEFAULT_HSTS_SECONDS, minimum=0)
    subdomains = env_bool("BENZODETOX_HSTS_INCLUDE_SUBDOMAINS", False)
    preload = env_bool("BENZODETOX_HSTS_PRELOAD", False)
    hosts = env_list("BENZODETOX_ALLOWED_HOSTS", _DEFAULT_ALLOWED_HOSTS)
    origins = tuple(dict.fromkeys(explicit + csrf_origins_for_hosts(hosts)))
    # Subdomains and preloading are decisions for the whole domain (other services on it, the
    # browsers' preload lists); leaving them off is a choice, not an oversight, so
    # `check --deploy` is not asked to warn about them.
    silenced: list[str] = []
    if hsts and not subdomains:
        silenced.append("security.W005")
    if hsts and not preload:
        silenced.append("security.W021")
    return Transport(
        https=True,
        trusted_proxies=proxies,
        proxy_ssl_header=("HTTP_X_FORWARDED_PROTO", "https") if proxies else None,
        hsts_seconds=hsts,
        hsts_include_subdomains=subdomains,
        hsts_preload=preload,
        csrf_trusted_origins=origins,
        silenced_checks=tuple(silenced),
    )


def settings_for(transport: Transport) -> dict[str, Any]:
    """The Django settings a transport profile stands for (tests apply them with
    ``override_settings``; this module exports them)."""
    return {
        # Addresses of the reverse proxies whose forwarding headers (X-Forwarded-For,
        # X-Forwarded-Proto, X-Forwarded-Host) are believed; from any other peer they are dropped.
        "TRUSTED_PROXIES": list(transport.trusted_proxies),
        "SECURE_PROXY_SSL_HEADER": transport.proxy_ssl_header,
        "SECURE_SSL_REDIRECT": transport.https,
        "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
        "SECURE_HSTS_SECONDS": transport.hsts_seconds,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": transport.hsts_include_subdomains,
        "SECURE_HSTS_PRELOAD": transport.hsts_preload,
        "SILENCED_SYSTEM_CHECKS": list(transport.silenced_checks),
        "SESSION_COOKIE_SECURE": transport.https,
        "CSRF_COOKIE_SECURE": transport.https,
        "CSRF_TRUSTED_ORIGINS": list(transport.csrf_trusted_origins),
    }


SECURITY_APPS: list[str] = ["csp"]
SECURITY_MIDDLEWARE_FIRST: list[str] = [
    # First: forwarding headers from a peer that is not a trusted proxy never reach Django.
    "benzodetox.web.security_middleware.ForwardedHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
]

globals().update(settings_for(transport_from_env()))

CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict policy on every response: scripts and styles from this server's own files only
# (no inline code, no eval; htmx is configured not to inject styles or evaluate attributes),
# images from here or data: URLs, never framed, forms post back here only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
