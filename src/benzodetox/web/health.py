"""``/healthz``: a load balancer's question "can this server take requests?".

The answer is yes only when the database answers: one ``SELECT 1`` on the default connection
(no table read, no patient data). No sign-in, no audit event, no session: a probe every few
seconds from each balancer must cost next to nothing. When the database does not answer, 503 with
a one-line reason naming the kind of failure (never the connection string or the driver's text,
which may name hosts and users), so the balancer takes this server out of rotation.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

__all__ = ["database_ok", "healthz"]

log = logging.getLogger(__name__)


def database_ok() -> str | None:
    """None when the database answers ``SELECT 1``; else a short reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
    except DatabaseError as error:
        log.warning("healthz: the database did not answer: %s", type(error).__name__)
        # a broken connection must not be reused by this thread's next request
        connection.close_if_unusable_or_obsolete()
        return f"database unavailable ({type(error).__name__})"
    if row is None or row[0] != 1:
        return "database gave an unexpected answer"
    return None


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    problem = database_ok()
    if problem is not None:
        return HttpResponse(problem, status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
