"""The production profile behind a TLS-terminating proxy, end to end on loopback.

The test starts the application (production profile: HTTPS, TRUSTED_PROXIES=127.0.0.1) on one
loopback port and, in front of it, a small HTTPS reverse proxy with a self-signed certificate
(made with the ``openssl`` CLI) that sets ``X-Forwarded-Proto``/``X-Forwarded-For`` as nginx
would and connects to the application from 127.0.0.1. Chromium signs in through https and saves
a patient edit. A client reaching the application directly from another address (127.0.0.2)
with a forged ``X-Forwarded-Proto: https`` is not treated as secure.
"""

from __future__ import annotations

import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connections
from django.test import override_settings
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

from benzodetox.web.conf.security import settings_for, transport_from_env
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import add_member
from tests.web.conftest import make_patient

from .conftest import ARTIFACTS, sign_in

PASSWORD = "a long demo passphrase"
PROXY_ADDRESS = "127.0.0.1"  # the proxy connects to the app from here: the trusted proxy
STRANGER_ADDRESS = "127.0.0.2"  # another loopback address: a client that bypasses the proxy
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade"}


def _self_signed(folder: Path) -> tuple[Path, Path]:
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is not installed")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return cert, key


def _read_head(stream: Any) -> list[bytes] | None:
    """The request or status line and the header lines, without their line ends."""
    lines: list[bytes] = []
    while True:
        line = stream.readline(65537)
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            return lines
        lines.append(line.rstrip(b"\r\n"))


def _headers(lines: list[bytes]) -> list[tuple[bytes, bytes]]:
    pairs = []
    for line in lines:
        name, _, value = line.partition(b":")
        pairs.append((name.strip(), value.strip()))
    return pairs


class _ProxyHandler(socketserver.StreamRequestHandler):
    """One request per TLS connection: forwarded with the proxy's own X-Forwarded-* headers
    (whatever the client sent under those names is replaced), the answer relayed back."""

    server: _TLSProxy

    def handle(self) -> None:
        head = _read_head(self.rfile)
        if not head:
            return
        request_line, headers = head[0], _headers(head[1:])
        length = next((int(v) for k, v in headers if k.lower() == b"content-length"), 0)
        body = self.rfile.read(length) if length else b""
        kept = [
            (k, v)
            for k, v in headers
            if k.lower() not in HOP_BY_HOP and not k.lower().startswith(b"x-forwarded-")
        ]
        kept += [
            (b"X-Forwarded-Proto", b"https"),
            (b"X-Forwarded-For", self.client_address[0].encode()),
            (b"Connection", b"close"),
        ]
        upstream = socket.create_connection(
            self.server.app_address, timeout=30, source_address=(PROXY_ADDRESS, 0)
        )
        with upstream, upstream.makefile("rb") as answer:
            upstream.sendall(
                request_line + b"\r\n" + b"".join(k + b": " + v + b"\r\n" for k, v in kept)
                + b"\r\n" + body
            )  # fmt: skip
            status = _read_head(answer)
            if not status:
                return
            relayed = [(k, v) for k, v in _headers(status[1:]) if k.lower() not in HOP_BY_HOP]
            self.wfile.write(
                status[0] + b"\r\n"
                + b"".join(k + b": " + v + b"\r\n" for k, v in relayed)
                + b"Connection: close\r\n\r\n"
            )  # fmt: skip
            shutil.copyfileobj(answer, self.wfile)
        self.wfile.flush()


class _TLSProxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app_address: tuple[str, int], cert: Path, key: Path) -> None:
        self.app_address = app_address
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        super().__init__(("127.0.0.1", 0), _ProxyHandler)

    def get_request(self) -> tuple[socket.socket, Any]:
        raw, address = super().get_request()
        return self.context.wrap_socket(raw, server_side=True), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser closing a connection it no longer needs is not a test failure."""


PROFILE_ENV = {
    "BENZODETOX_HTTPS": "1",
    "BENZODETOX_TRUSTED_PROXIES": PROXY_ADDRESS,
    "BENZODETOX_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "BENZODETOX_HSTS_SECONDS": "3600",
}


@pytest.fixture
def behind_tls_proxy(
    tmp_path: Path, transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    """The application with the production profile (the settings conf/security.py derives from
    these variables) on one port, the TLS proxy on another."""
    cert, key = _self_signed(tmp_path)
    for name, value in PROFILE_ENV.items():
        monkeypatch.setenv(name, value)
    profile = {"ALLOWED_HOSTS": ["127.0.0.1", "localhost"], **settings_for(transport_from_env())}
    shared = {}
    for connection in connections.all():
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            shared[connection.alias] = connection  # the in-memory test database, as live_server
            connection.inc_thread_sharing()
    with override_settings(**profile):
        # The application's handler (and so its middleware) is built inside the profile.
        app = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override=shared)
        app.daemon = True
        app.start()
        app.is_ready.wait()
        if app.error:
            raise app.error
        proxy = _TLSProxy(("127.0.0.1", app.port), cert, key)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        try:
            yield {"https": f"https://127.0.0.1:{proxy.server_address[1]}", "app_port": app.port}
        finally:
            proxy.shutdown()
            proxy.server_close()
            app.terminate()
            for connection in shared.values():
                connection.dec_thread_sharing()


def _direct_get(port: int, path: str, source: str, headers: dict[str, str]) -> bytes:
    """A plain-HTTP request straight to the application from ``source``; the answer's head."""
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as s:
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        s.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Connection: close\r\n\r\n"
            .encode()
        )  # fmt: skip
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer.split(b"\r\n\r\n", 1)[0]


def test_signing_in_and_saving_a_form_through_the_tls_proxy(
    behind_tls_proxy, browser, django_user_model
):
    """Chromium (accepting the self-signed certificate) signs in through https and saves a
    patient's details: no 403, the session cookie is Secure, every page stayed on https."""
    user = django_user_model.objects.create_user(username="nurse-tls", password=PASSWORD)
    programme = add_member(user, "TLS programme", "nurse").programme
    patient = make_patient(programme, "TLS-001", [("diazepam", "10", "08:00")])
    base = behind_tls_proxy["https"]
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1180, "height": 820})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, base, "nurse-tls", PASSWORD)
        session = next(c for c in context.cookies() if c["name"] == "sessionid")
        assert session["secure"] is True

        page.goto(f"{base}/patients/{patient.pk}/edit/")
        page.locator("#id_display_name").fill("C. D.")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Details saved.")).to_be_visible()
        assert page.url == f"{base}/patients/{patient.pk}/"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "tls-proxy-saved.png"), full_page=True)
    finally:
        context.close()
    with unscoped():
        patient.refresh_from_db()
    assert patient.display_name == "C. D."


def test_a_forged_forwarded_proto_straight_to_the_application_is_not_secure(behind_tls_proxy):
    """From 127.0.0.2 (not the proxy) X-Forwarded-Proto: https is dropped: the request is plain
    HTTP, so it is redirected to https and gets no cookie; the same header from the proxy's
    address is believed (the page is served)."""
    port = behind_tls_proxy["app_port"]
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    stranger = _direct_get(port, "/accounts/login/", STRANGER_ADDRESS, forged)
    assert stranger.startswith(b"HTTP/1.1 301"), stranger
    assert f"Location: https://127.0.0.1:{port}/accounts/login/".encode() in stranger
    assert b"Set-Cookie" not in stranger
    proxy = _direct_get(port, "/accounts/login/", PROXY_ADDRESS, forged)
    assert proxy.startswith(b"HTTP/1.1 200"), proxy
    assert b"Strict-Transport-Security: max-age=3600" in proxy
