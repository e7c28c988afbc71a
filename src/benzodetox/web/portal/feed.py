"""The patient's private calendar feed: an address with a random token (stored hashed) that a
phone's calendar subscribes to. It serves the approved plan's dose changes and the patient's
appointments with reminders (VALARM) before each; a new address or "stop" revokes the old one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from benzodetox.interop.ical import (
    plan_to_ics,
)
from benzodetox.web.audit.services import record
from benzodetox.web.careplans.exports import appointments_of, ics_plan_id
from benzodetox.web.careplans.services import approved_version
from benzodetox.web.env import env_int
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.plans.services import plan_of
from benzodetox.web.programmes.scoping import scope_programmes, unscoped

from .models import FeedToken, PortalAccount, hash_token, new_token

__all__ = [
    "alarm_before",
    "appointments_of",
    "calendar_feed",
    "feed_ics",
    "new_feed",
    "stop_feeds",
]

#: reminders this long before a dose change or appointment unless
#: BENZODETOX_PORTAL_ALARM_HOURS says otherwise (an all-day event starts at midnight: 12 hours
#: before is noon the day before). A convenience setting, not a clinical figure.
DEFAULT_ALARM_HOURS = 12


def alarm_before() -> timedelta:
    return timedelta(hours=env_int("BENZODETOX_PORTAL_ALARM_HOURS", DEFAULT_ALARM_HOURS, 1))


def feed_ics(version: PlanVersion, now: datetime) -> bytes:
    """The approved version's calendar with a reminder before each change and appointment."""
    return plan_to_ics(
        plan_of(version),
        appointments=appointments_of(version),
        plan_id=ics_plan_id(version),
        now=now,
        alarm_before=alarm_before(),
        for_patient=True,
    )


def stop_feeds(patient: Patient) -> int:
    """Revoke every feed address of the patient; how many were live."""
    return FeedToken.objects.filter(patient=patient, revoked_at=None).update(
        revoked_at=timezone.now()
    )


def new_feed(request: HttpRequest, patient: Patient) -> str:
    """A new feed address (the old ones stop working); the full URL, shown once."""
    token = new_token()
    with transaction.atomic():
        stop_feeds(patient)
        FeedToken.objects.create(patient=patient, token_hash=hash_token(token))
    return request.build_absolute_uri(reverse("portal:feed", args=[token]))


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics behind a live feed address of a patient whose portal access is open; 404
    otherwise (a revoked, unknown or another's address tells nothing)."""
    with unscoped():
        feed = (
            FeedToken.objects.select_related("patient")
            .filter(token_hash=hash_token(token), revoked_at=None)
            .first()
        )
        active = feed is not None and PortalAccount.objects.filter(
            patient_id=feed.patient_id, revoked_at=None
        ).exists()
    if feed is None or not active:
        raise Http404("no such calendar")
    patient = feed.patient
    with scope_programmes({patient.programme_id}):
        version = approved_version(patient)
        if version is None:
            raise Http404("no approved plan yet")
        content = feed_ics(version, datetime.now(UTC))
        record(
            request,
            "portal.feed_read",
            obj=version,
            patient=patient,
            summary="calendar feed read (the patient's private address)",
            detail={"by": "patient-feed", "feed": feed.pk},
        )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
