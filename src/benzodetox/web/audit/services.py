"""Writing and reading the audit log. Views call :func:`record` for every view and change of
patient data; login, logout and failed logins are recorded by signal receivers."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from ..client_address import client_address
from .models import AuditEvent

__all__ = ["client_ip", "events_for_admin", "record"]


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return client_address(request) or None


def _storable(value: Any) -> Any:
    """``value`` with NUL characters replaced (U+FFFD): PostgreSQL refuses them in text and
    JSON, and an audit event must be written whatever a request carried."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    return value


def record(
    request: HttpRequest | None,
    action: str,
    *,
    obj: models.Model | None = None,
    patient: Any = None,
    programme: Any = None,
    summary: str = "",
    detail: dict[str, Any] | None = None,
    user: Any = None,
) -> AuditEvent:
    """Append one event. ``patient`` implies its programme; ``obj`` names the object touched."""
    if user is None and request is not None:
        user = request.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if patient is not None and programme is None:
        programme = patient.programme_id
    event = AuditEvent(
        user=user,
        username=(user.get_username() if user is not None else ""),
        action=action,
        programme_id=programme.pk if hasattr(programme, "pk") else programme,
        patient=patient,
        object_type=(obj._meta.label_lower if obj is not None else ""),
        object_id=(str(obj.pk) if obj is not None else ""),
        summary=_storable(summary[:300]),
        detail=_storable(detail or {}),
        ip=client_ip(request),
        request_id=getattr(request, "request_id", "") if request is not None else "",
    )
    event.save()
    return event


def events_for_admin(
    programme_ids: list[int],
    *,
    username: str = "",
    action: str = "",
    patient_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> models.QuerySet[AuditEvent]:
    """Events of the given programmes (those the viewer administers), newest first, filtered."""
    events = AuditEvent.objects.filter(programme_id__in=programme_ids)
    if username:
        events = events.filter(username__iexact=username)
    if action:
        events = events.filter(action__startswith=action)
    if patient_id is not None:
        events = events.filter(patient_id=patient_id)
    zone = timezone.get_current_timezone()
    if since is not None:
        events = events.filter(at__gte=datetime.combine(since, time.min, zone))
    if until is not None:
        events = events.filter(at__lt=datetime.combine(until + timedelta(days=1), time.min, zone))
    chosen: models.QuerySet[AuditEvent] = events.select_related("patient", "programme")
    return chosen
