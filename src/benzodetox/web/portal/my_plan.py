"""The patient's pages after the taper: the relapse-prevention plan in their own view (with
what they may add: coping strategies and supports), their appointments and groups with dates,
and the crisis numbers (from the plan's contacts — never invented); and the reminders page (the
private calendar address)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from benzodetox.core.careplan.relapse import RelapsePlan, SupportContact
from benzodetox.core.errors import InputError
from benzodetox.reports.common import format_day
from benzodetox.web.careplans import relapse_plans
from benzodetox.web.careplans.services import approved_version
from benzodetox.web.fields import set_choices

from . import feed
from .access import audit_portal, portal_view
from .forms import AdditionForm
from .reminders import due_checkins

__all__ = ["Dated", "crisis_contacts", "my_plan", "reminders", "upcoming"]


@dataclass(frozen=True)
class Dated:
    day: str
    title: str
    past: bool


def crisis_contacts(plan: RelapsePlan | None) -> list[SupportContact]:
    """The crisis lines the team recorded in the plan (with a number); [] when none."""
    if plan is None:
        return []
    return [c for c in plan.contacts if c.role == "crisis_line" and c.phone.strip()]


def upcoming(patient: Any, today: date) -> list[Dated]:
    """Appointments and group sessions with dates, from the approved plan's calendar entries."""
    version = approved_version(patient)
    if version is None:
        return []
    items = sorted(feed.appointments_of(version), key=lambda a: (str(a.start), a.title))
    out = []
    for appt in items:
        day = appt.start if isinstance(appt.start, date) else appt.start.date()
        out.append(Dated(format_day(day), appt.title, day < today))
    return out


def _addition_form(plan: RelapsePlan | None, data: Any = None) -> AdditionForm:
    form = AdditionForm(data)
    set_choices(
        form,
        "trigger",
        [("", "Choose one")]
        + [(str(i), t.description) for i, t in enumerate(plan.triggers if plan else ())],
    )
    return form


def _add(request: HttpRequest, patient: Any, form: AdditionForm) -> bool:
    data = form.cleaned_data
    support = None
    if data["support_name"]:
        support = SupportContact(
            data["support_role"] or "support_person",
            data["support_name"],
            data["support_phone"],
            "added by me",
        )
    trigger = int(data["trigger"]) if data["trigger"] not in ("", None) else None
    try:
        row = relapse_plans.add_by_patient(
            request, patient, trigger=trigger, coping=data["coping"], support=support,
            on=timezone.localdate(),
        )
    except InputError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, _plain(error))
        return False
    audit_portal(
        request, "portal.relapse_plan_added", obj=row,
        summary=f"the patient added to the relapse-prevention plan (v{row.number})",
    )
    return True


def _plain(error: InputError) -> str:
    if error.field == "trigger":
        return "Choose which trigger this helps with."
    if error.field == "plan":
        return "Your care team has not started this plan yet. Ask them at your next visit."
    return f"Please check this: {error.allowed}."


@require_http_methods(["GET", "POST"])
@portal_view
def my_plan(request: HttpRequest) -> HttpResponse:
    patient = request.portal_patient  # type: ignore[attr-defined]
    latest = relapse_plans.latest_relapse(patient)
    plan = relapse_plans.relapse_plan_of(latest) if latest is not None else None
    form = _addition_form(plan, request.POST or None)
    if request.method == "POST" and form.is_valid() and _add(request, patient, form):
        messages.success(request, "Saved. Your care team will see what you added.")
        return HttpResponseRedirect(reverse("portal:my_plan"))
    audit_portal(
        request, "portal.viewed_my_plan", obj=latest,
        summary="the patient viewed the relapse-prevention plan and aftercare",
    )
    return render(
        request,
        "portal/my_plan.html",
        {
            "plan": plan,
            "updated": format_day(plan.updated_on) if plan and plan.updated_on else "",
            "crisis": crisis_contacts(plan),
            "dates": upcoming(patient, timezone.localdate()),
            "form": form,
            "nav": "my_plan",
        },
    )


@require_http_methods(["GET", "POST"])
@portal_view
def reminders(request: HttpRequest) -> HttpResponse:
    """Due check-ins, and the private calendar address: made (shown once) or stopped."""
    patient = request.portal_patient  # type: ignore[attr-defined]
    link = ""
    if request.method == "POST":
        if request.POST.get("action") == "stop":
            stopped = feed.stop_feeds(patient)
            audit_portal(request, "portal.feed_stopped", summary="calendar address stopped",
                         stopped=stopped)
            messages.success(request, "Your old calendar address no longer works.")
            return HttpResponseRedirect(reverse("portal:reminders"))
        link = feed.new_feed(request, patient)
        audit_portal(request, "portal.feed_created", summary="new calendar address made")
    else:
        audit_portal(request, "portal.viewed_reminders", summary="the patient viewed reminders")
    live = patient.portal_feeds.filter(revoked_at=None).exists()
    return render(
        request,
        "portal/reminders.html",
        {
            "link": link,
            "live": live,
            "due": due_checkins(patient, timezone.localdate()),
            "hours": int(feed.alarm_before().total_seconds() // 3600),
        },
    )
