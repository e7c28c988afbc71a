"""The client's address is read from X-Forwarded-For only when the peer is a trusted proxy."""

from django.test import RequestFactory, override_settings
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.web.client_address import client_address

ips = st.ip_addresses(v=4).map(str)


def _request(peer: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@override_settings(TRUSTED_PROXIES=[])
@given(peer=ips, claimed=ips)
def test_with_no_trusted_proxy_a_forwarded_header_is_ignored(peer, claimed):
    """A client cannot choose its address by sending X-Forwarded-For."""
    assert client_address(_request(peer, claimed)) == peer


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
@given(client=ips.filter(lambda a: not a.startswith("10.0.0.")), spoofed=ips)
def test_behind_a_trusted_proxy_the_address_it_appended_is_the_client(client, spoofed):
    """The proxy appends the real peer; whatever the client wrote to the left is skipped."""
    assert client_address(_request("10.0.0.7", f"{spoofed}, {client}")) == client


@override_settings(TRUSTED_PROXIES=["10.0.0.7", "10.0.0.8"])
def test_a_chain_of_trusted_proxies_is_walked_back_to_the_first_untrusted_hop():
    """Proxy → proxy → app: the client is the last hop that is not one of ours."""
    assert client_address(_request("10.0.0.7", "203.0.113.9, 10.0.0.8")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.7"])
def test_a_trusted_proxy_without_a_usable_header_counts_as_the_client():
    """No header, or a malformed one, falls back to the peer's own address."""
    assert client_address(_request("10.0.0.7")) == "10.0.0.7"
    assert client_address(_request("10.0.0.7", "not-an-address")) == "10.0.0.7"
