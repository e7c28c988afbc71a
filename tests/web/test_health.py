"""``/healthz``: 200 when the database answers, 503 with a short reason when it does not; no
sign-in, no session, no audit event, no patient data, and cheap."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.test import Client

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.health import database_ok


@pytest.mark.django_db
def test_healthz_answers_ok_without_sign_in_when_the_database_answers():
    """An anonymous probe gets 200 "ok" (not a redirect to the sign-in page)."""
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_writes_no_audit_event_and_sets_no_session(everything):
    """A probe every few seconds must not fill the audit log or the session table."""
    before = AuditEvent.objects.count()
    client = Client()
    for _ in range(5):
        response = client.get("/healthz")
        assert response.status_code == 200
    assert AuditEvent.objects.count() == before
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_healthz_really_asks_the_database():
    """database_ok() runs a query on the live connection: None means it answered."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert database_ok() is None
    assert [q["sql"] for q in queries] == ["SELECT 1"]


@pytest.mark.django_db
def test_healthz_is_fast():
    """Median under 20 ms in process on a busy 2-CPU machine (one SELECT 1, no template)."""
    client = Client()
    client.get("/healthz")
    timings = []
    for _ in range(30):
        start = time.perf_counter()
        client.get("/healthz")
        timings.append(time.perf_counter() - start)
    timings.sort()
    assert timings[len(timings) // 2] < 0.020


def test_healthz_answers_503_with_a_short_reason_when_the_database_is_unreachable(tmp_path):
    """A server whose PostgreSQL does not answer (nothing listens on port 1) says 503 and the
    kind of failure, never the connection details or a traceback."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code); print(r.content.decode())\n"
    )
    env = dict(
        os.environ,
        DATABASE_URL="postgres://healthz-probe@127.0.0.1:1/nowhere",
        DJANGO_SETTINGS_MODULE="benzodetox.web.settings",
        BENZODETOX_DATA_DIR=str(tmp_path),
        BENZODETOX_ALLOWED_HOSTS="testserver",
        DEBUG="0",
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    status, body = done.stdout.splitlines()[:2]
    assert status == "503"
    assert body == "database unavailable (OperationalError)"
    assert "healthz-probe" not in done.stdout and "nowhere" not in done.stdout
