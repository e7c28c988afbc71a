"""The patient's pages: today (doses, next change, the calendar of weeks)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from benzodetox.web.plans.services import plan_of

from . import today as today_service
from .access import audit_portal, portal_view
from .models import PortalAccount
from .reminders import due_checkins

__all__ = ["announcement", "calendar", "today"]


def _today() -> date:
    return timezone.localdate()


def announcement(account: PortalAccount, view: today_service.Today, day: date) -> str:
    """'Your plan has changed …' when a newer approved version than the one the patient last
    saw is in force; '' otherwise (and on the first visit, which sees the plan as it is)."""
    version = view.version
    seen = account.seen_plan_number
    if version is None or seen is None or seen >= version.number:
        return ""
    earlier = account.patient.plan_versions.filter(number=seen).first()
    before = ""
    if earlier is not None:
        step = plan_of(earlier).step_on(day)
        before = today_service.total_words(step) if step is not None else ""
    approved = timezone.localtime(version.approval.approved_at).date()
    from benzodetox.reports.common import format_day

    text = f"Your plan has changed (the new plan was approved on {format_day(approved)})."
    if before and view.total and before != view.total:
        text += f" Today: {view.total} (before: {before})."
    return text


@require_GET
@portal_view
def today(request: HttpRequest) -> HttpResponse:
    account: PortalAccount = request.portal_account  # type: ignore[attr-defined]
    patient = account.patient
    day = _today()
    view = today_service.today_for(patient, day)
    news = announcement(account, view, day)
    if view.version is not None and account.seen_plan_number != view.version.number:
        PortalAccount.objects.filter(pk=account.pk).update(seen_plan_number=view.version.number)
    audit_portal(
        request,
        "portal.viewed_today",
        obj=view.version,
        summary="the patient viewed today's doses",
        version=view.version.number if view.version is not None else None,
    )
    return render(
        request,
        "portal/today.html",
        {"view": view, "announcement": news, "due": due_checkins(patient, day)},
    )


@require_GET
@portal_view
def calendar(request: HttpRequest) -> HttpResponse:
    patient = request.portal_patient  # type: ignore[attr-defined]
    view = today_service.today_for(patient, _today(), calendar=True)
    audit_portal(
        request,
        "portal.viewed_calendar",
        obj=view.version,
        summary="the patient viewed the plan's calendar",
        version=view.version.number if view.version is not None else None,
    )
    return render(request, "portal/calendar.html", {"view": view})
