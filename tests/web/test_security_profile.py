"""The production profile (BENZODETOX_HTTPS=1): forms work behind a TLS proxy, forwarding headers
count only from trusted proxies, HSTS / redirect / Secure cookies, `check --deploy` is silent, and
a strict Content-Security-Policy is on every response."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.web.conf.security import (
    csrf_origins_for_hosts,
    settings_for,
    transport_from_env,
)
from benzodetox.web.security_middleware import drop_untrusted_forwarding

PASSWORD = "correct horse battery staple"
HOST = "detox.example.org"
PROXY = "10.0.0.7"
PROFILE_ENV = {
    "BENZODETOX_HTTPS": "1",
    "BENZODETOX_TRUSTED_PROXIES": f"{PROXY},127.0.0.1",
    "BENZODETOX_ALLOWED_HOSTS": f"{HOST},testserver",
}
PROFILE_VARS = (
    "BENZODETOX_HTTPS",
    "BENZODETOX_TRUSTED_PROXIES",
    "BENZODETOX_ALLOWED_HOSTS",
    "BENZODETOX_CSRF_TRUSTED_ORIGINS",
    "BENZODETOX_DIRECT_TLS",
    "BENZODETOX_HSTS_SECONDS",
    "BENZODETOX_HSTS_INCLUDE_SUBDOMAINS",
    "BENZODETOX_HSTS_PRELOAD",
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean slate: none of the profile's variables set."""
    for name in PROFILE_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def profile_settings(monkeypatch: pytest.MonkeyPatch, **extra: str) -> dict[str, Any]:
    """The Django settings conf/security.py derives from the production profile's variables."""
    for name, value in {**PROFILE_ENV, **extra}.items():
        monkeypatch.setenv(name, value)
    return {"ALLOWED_HOSTS": [HOST, "testserver"], **settings_for(transport_from_env())}


# --- the profile read from the environment -----------------------------------------------------


def test_without_https_the_local_behaviour_is_unchanged(env):
    """No redirect, no HSTS, no proxy header, cookies not Secure, only the explicit origins."""
    env.setenv("BENZODETOX_CSRF_TRUSTED_ORIGINS", "http://ward.local:8000")
    transport = transport_from_env()
    assert transport.https is False
    assert transport.proxy_ssl_header is None
    assert transport.hsts_seconds == 0
    assert transport.csrf_trusted_origins == ("http://ward.local:8000",)
    assert transport.silenced_checks == ()


def test_the_production_profile_without_a_proxy_or_direct_tls_refuses_to_start(env):
    """HTTPS with nobody named to terminate TLS is a configuration error naming both ways out."""
    env.setenv("BENZODETOX_HTTPS", "1")
    with pytest.raises(ImproperlyConfigured) as error:
        transport_from_env()
    assert "BENZODETOX_TRUSTED_PROXIES" in str(error.value)
    assert "BENZODETOX_DIRECT_TLS" in str(error.value)


def test_direct_tls_needs_no_proxy_and_believes_no_forwarding_header(env):
    """A WSGI server serving HTTPS itself: the profile applies, X-Forwarded-Proto is not read."""
    env.setenv("BENZODETOX_HTTPS", "1")
    env.setenv("BENZODETOX_DIRECT_TLS", "1")
    transport = transport_from_env()
    assert transport.https is True
    assert transport.proxy_ssl_header is None


def test_the_production_profile_sets_the_proxy_header_hsts_and_origins(env):
    """The proxy header from the trusted proxies, a year of HSTS without subdomains or preload,
    and https://host for each allowed host after the explicit origins."""
    env.setenv("BENZODETOX_CSRF_TRUSTED_ORIGINS", "https://detox.example.org:8443")
    for name, value in PROFILE_ENV.items():
        env.setenv(name, value)
    transport = transport_from_env()
    assert transport.proxy_ssl_header == ("HTTP_X_FORWARDED_PROTO", "https")
    assert transport.hsts_seconds == 365 * 24 * 3600
    assert not transport.hsts_include_subdomains and not transport.hsts_preload
    assert transport.csrf_trusted_origins == (
        "https://detox.example.org:8443",
        "https://detox.example.org",
        "https://testserver",
    )
    assert set(transport.silenced_checks) == {"security.W005", "security.W021"}


def test_choosing_subdomains_and_preload_silences_nothing(env):
    """Once the operator turns them on, Django's own checks about them are not silenced."""
    for name, value in PROFILE_ENV.items():
        env.setenv(name, value)
    env.setenv("BENZODETOX_HSTS_INCLUDE_SUBDOMAINS", "1")
    env.setenv("BENZODETOX_HSTS_PRELOAD", "1")
    transport = transport_from_env()
    assert transport.hsts_include_subdomains and transport.hsts_preload
    assert transport.silenced_checks == ()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BENZODETOX_TRUSTED_PROXIES", "proxy.example.org"),
        ("BENZODETOX_CSRF_TRUSTED_ORIGINS", "detox.example.org"),
        ("BENZODETOX_HSTS_SECONDS", "a year"),
        ("BENZODETOX_HSTS_PRELOAD", "maybe"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(env, variable, value):
    """A host name where an address belongs, an origin without a scheme, words for numbers."""
    for name, default in PROFILE_ENV.items():
        env.setenv(name, default)
    env.setenv(variable, value)
    with pytest.raises(ImproperlyConfigured, match=variable):
        transport_from_env()


hostnames = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){0,3}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(hosts=st.lists(hostnames, max_size=5))
def test_every_allowed_host_becomes_exactly_its_https_origin(hosts):
    """Each host name gives https://host, in order; nothing else is trusted."""
    assert csrf_origins_for_hosts(hosts) == tuple(f"https://{host}" for host in hosts)


# --- forwarding headers -------------------------------------------------------------------------

not_a_proxy = st.ip_addresses(v=4).filter(
    lambda ip: ip not in ipaddress.ip_network("10.0.0.0/24") and not ip.is_loopback
)
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=30
)


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24", "127.0.0.1"])
@settings(max_examples=80, deadline=None)
@given(peer=not_a_proxy, proto=header_values, forwarded_for=header_values, host=header_values)
def test_forwarding_headers_from_a_peer_that_is_not_a_proxy_are_dropped(
    peer, proto, forwarded_for, host
):
    """Whatever a direct client sends as X-Forwarded-*, nothing after the middleware sees it."""
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR=str(peer),
        HTTP_X_FORWARDED_PROTO=proto,
        HTTP_X_FORWARDED_FOR=forwarded_for,
        HTTP_X_FORWARDED_HOST=host,
        HTTP_FORWARDED=proto,
    )
    drop_untrusted_forwarding(request)
    assert not [key for key in request.META if "FORWARDED" in key]


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
@settings(max_examples=30, deadline=None)
@given(last=st.integers(min_value=0, max_value=255), proto=st.sampled_from(["https", "http"]))
def test_forwarding_headers_from_a_trusted_proxy_are_kept(last, proto):
    """The proxy's own headers pass through untouched."""
    request = RequestFactory().get("/", REMOTE_ADDR=f"10.0.0.{last}", HTTP_X_FORWARDED_PROTO=proto)
    assert drop_untrusted_forwarding(request) == []
    assert request.META["HTTP_X_FORWARDED_PROTO"] == proto


# --- requests through the production profile ----------------------------------------------------


@pytest.fixture
def signer(make_user, programme_a):
    return make_user("signer", "nurse", programme_a, password=PASSWORD)


def _sign_in(client: Client, peer: str, proto: str | None) -> Any:
    """Through a proxy listening on 8443: https://host:8443 is in no trusted-origin list, so the
    CSRF origin check passes only if the request itself is known to be https."""
    forwarded = {"HTTP_X_FORWARDED_PROTO": proto} if proto else {}
    host = f"{HOST}:8443"
    page = client.get("/accounts/login/", HTTP_HOST=host, REMOTE_ADDR=peer, **forwarded)
    return page, client.post(
        "/accounts/login/",
        {
            "username": "signer",
            "password": PASSWORD,
            "csrfmiddlewaretoken": page.cookies["csrftoken"].value,
        },
        HTTP_HOST=host,
        HTTP_ORIGIN=f"https://{host}",
        REMOTE_ADDR=peer,
        **forwarded,
    )


def test_signing_in_through_the_tls_proxy_works(env, signer):
    """The issue's finding: behind the proxy the sign-in POST got 403 (CSRF origin). Now the
    proxy's X-Forwarded-Proto makes the request secure: 302 to the patients, Secure cookies,
    HSTS on the answer."""
    with override_settings(**profile_settings(env)):
        client = Client(enforce_csrf_checks=True)
        page, response = _sign_in(client, PROXY, "https")
        assert page.status_code == 200
        assert page["Strict-Transport-Security"] == "max-age=31536000"
        assert page.cookies["csrftoken"]["secure"]
        assert response.status_code == 302, response.content[:300]
        assert response["Location"] == "/patients/"
        assert response.cookies["sessionid"]["secure"]


def test_a_forged_forwarded_proto_from_a_direct_client_is_not_secure(env, signer):
    """Straight to the app with X-Forwarded-Proto: https: redirected to https, never served."""
    with override_settings(**profile_settings(env)):
        client = Client(enforce_csrf_checks=True)
        response = client.get(
            "/accounts/login/",
            HTTP_HOST=HOST,
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_PROTO="https",
        )
        assert response.status_code == 301
        assert response["Location"] == f"https://{HOST}/accounts/login/"
        assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


def test_plain_http_from_the_proxy_is_redirected_to_https(env):
    """A request the proxy received over plain HTTP is sent to https."""
    with override_settings(**profile_settings(env)):
        response = Client().get(
            "/patients/", HTTP_HOST=HOST, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="http"
        )
        assert response.status_code == 301
        assert response["Location"] == f"https://{HOST}/patients/"


def test_the_health_check_answers_over_plain_http(env, db):
    """A load balancer probes /healthz on the private network without TLS."""
    with override_settings(**profile_settings(env)):
        response = Client().get("/healthz", HTTP_HOST=HOST, REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 200


# --- Content-Security-Policy --------------------------------------------------------------------

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def _directives(header: str) -> dict[str, str]:
    parts = [part.strip().split(" ", 1) for part in header.split(";") if part.strip()]
    return {name: value for name, value in parts}


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/healthz", "/calculator/", "/admin/login/", "/no-such-page/"],
)
def test_every_response_carries_the_strict_policy(client, db, path):
    """Pages, the health check, the admin and a 404 all carry the same strict policy."""
    response = client.get(path)
    assert _directives(response["Content-Security-Policy"]) == EXPECTED_CSP


def test_a_signed_in_page_carries_the_policy_and_no_inline_code(client, personas, programme_a):
    """The patient list: the policy, and no inline script, style attribute or on*= handler."""
    client.force_login(personas["nurse"])
    response = client.get("/patients/")
    page = response.content.decode()
    assert _directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert "<script>" not in page and "style=" not in page and "onclick=" not in page
    assert '"includeIndicatorStyles":false' in page and '"allowEval":false' in page


# --- check --deploy -----------------------------------------------------------------------------


def _check_deploy(tmp_path: Path, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in PROFILE_VARS and k != "SECRET_KEY"}
    env.pop("DATABASE_URL", None)
    env.update(BENZODETOX_DATA_DIR=str(tmp_path), DEBUG="0", **extra)
    return subprocess.run(
        [sys.executable, "-m", "benzodetox", "manage", "check", "--deploy", "--fail-level=WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_silent_on_the_production_profile(tmp_path):
    """`benzodetox manage check --deploy` with the profile: no warning at all; without it the
    warnings the issue measured (HSTS, SSL redirect, cookies) are still there."""
    profile = _check_deploy(tmp_path, PROFILE_ENV)
    assert profile.returncode == 0, profile.stderr + profile.stdout
    assert "no issues" in profile.stdout
    local = _check_deploy(tmp_path, {})
    assert local.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in local.stderr + local.stdout
