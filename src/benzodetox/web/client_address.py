"""The address of the client behind a request, believing forwarding headers only from the
reverse proxies named in ``BENZODETOX_TRUSTED_PROXIES``.

Behind a proxy every request comes from the proxy's address; the client's own is the last entry
of ``X-Forwarded-For`` that the proxy appended. Entries further left were written by whoever
sent the request and prove nothing, so they are skipped over only while they are themselves
trusted proxies (a chain of proxies). From any other peer the header is ignored: a client
cannot choose its own address by sending one.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """Each entry is an address (``10.0.0.5``) or a network (``10.0.0.0/24``)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's IP address as text ('' when none is known)."""
    peer = str(request.META.get("REMOTE_ADDR") or "")
    if not is_trusted_proxy(peer):
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed header from the proxy: fall back to the proxy itself
        if not is_trusted_proxy(hop):
            return hop
    return hops[0] if hops else peer
