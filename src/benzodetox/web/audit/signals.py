"""Sign-in, sign-out and failed sign-in attempts go to the audit log (without a programme)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditEvent
from .services import client_ip


def _log(request: Any, action: str, user: Any, username: str) -> None:
    AuditEvent(
        user=user,
        username=username[:150],
        action=action,
        ip=client_ip(request),
        request_id=getattr(request, "request_id", "") if request is not None else "",
    ).save()


@receiver(user_logged_in, dispatch_uid="benzodetox_audit_login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _log(request, "account.login", user, user.get_username())


@receiver(user_logged_out, dispatch_uid="benzodetox_audit_logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _log(request, "account.logout", user, user.get_username())


@receiver(user_login_failed, dispatch_uid="benzodetox_audit_login_failed")
def _login_failed(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    _log(request, "account.login_failed", None, str(credentials.get("username", "")))
