"""The patient's pages: the dose diary, a check-in one question a screen, and "this step is
too hard". Every view is a ``portal_view`` (only the signed-in patient, whose own record is
``request.portal_patient``); objects named in the URL are looked up with that patient, so
another patient's check-in is a 404. Every read and write is audited as the patient."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from benzodetox.core.errors import InputError
from benzodetox.web.portal.access import audit_portal, portal_view

from . import checkin as flow
from . import services
from .models import Checkin, DoseStatus, StepRequest

__all__ = [
    "checkin",
    "checkin_finish",
    "checkin_question",
    "checkin_result",
    "diary",
    "step_request",
]

_FIELD_WORDS = {
    "dose": "Which dose",
    "status": "What happened",
    "note": "Note",
    "answer": "Your answer",
    "kind": "What you would like",
    "reason": "Why this step is too hard",
}


def _problem(error: InputError) -> str:
    field = _FIELD_WORDS.get(error.field, error.field)
    return f"{field}: please choose or enter {error.allowed}."


# ----------------------------------------------------------------------------- diary


@require_http_methods(["GET", "POST"])
@portal_view
def diary(request: HttpRequest) -> HttpResponse:
    """Today's and recent days' doses, each marked taken / taken late / missed, and extra
    doses; a mark is never changed (marking again adds a correction)."""
    patient = request.portal_patient  # type: ignore[attr-defined]
    error = ""
    if request.method == "POST":
        try:
            day, at = services.parse_slot(request.POST.get("dose", ""))
            entry = services.mark_dose(
                request,
                patient,
                day,
                at,
                request.POST.get("status", ""),
                request.POST.get("note", ""),
            )
        except InputError as problem:
            error = _problem(problem)
        else:
            text = f"Saved: {entry.get_status_display().lower()}."
            if entry.status == DoseStatus.EXTRA:
                text += " We have told your care team. If you feel unwell, call them today."
            messages.success(request, text)
            return HttpResponseRedirect(reverse("portal:diary"))
    days = services.diary(patient, timezone.localdate())
    audit_portal(request, "portal.viewed_diary", summary="the patient viewed the dose diary")
    return render(
        request,
        "checkins/portal/diary.html",
        {"days": days, "statuses": DoseStatus.choices[:3], "error": error, "posted": request.POST},
        status=400 if error else 200,
    )


# ----------------------------------------------------------------------------- check-in


def _own_checkin(request: HttpRequest, checkin_id: int) -> Checkin:
    patient = request.portal_patient  # type: ignore[attr-defined]
    found: Checkin | None = Checkin.objects.filter(pk=checkin_id, patient=patient).first()
    if found is None:
        raise Http404("no such check-in")
    return found


@require_http_methods(["GET", "POST"])
@portal_view
def checkin(request: HttpRequest) -> HttpResponse:
    """Whether a check-in is due; starting (or going on with) one."""
    patient = request.portal_patient  # type: ignore[attr-defined]
    if request.method == "POST":
        started = flow.start(request, patient)
        next_number = next(
            (n for n, k in enumerate(started.questions, start=1) if k not in started.answers),
            len(started.questions),
        )
        return HttpResponseRedirect(
            reverse("portal:checkin_question", args=[started.pk, next_number])
        )
    audit_portal(request, "portal.viewed_checkin", summary="the patient viewed the check-in page")
    recent = Checkin.objects.filter(patient=patient, completed_at__isnull=False).order_by(
        "-completed_at"
    )[:5]
    return render(
        request,
        "checkins/portal/checkin.html",
        {
            "due": flow.due_for(patient, timezone.localdate()),
            "open": flow.open_checkin(patient),
            "recent": recent,
        },
    )


@require_http_methods(["GET", "POST"])
@portal_view
def checkin_question(request: HttpRequest, checkin_id: int, number: int) -> HttpResponse:
    """One question a screen with its progress; the answer is kept at once on the server."""
    found = _own_checkin(request, checkin_id)
    if not found.is_open:
        return HttpResponseRedirect(reverse("portal:checkin_result", args=[found.pk]))
    error = ""
    try:
        shown = flow.question(found, number)
    except InputError:
        raise Http404("no such question") from None
    if request.method == "POST":
        try:
            next_number = flow.answer(request, found, number, request.POST.get("answer", ""))
        except InputError as problem:
            error = _problem(problem)
        else:
            if next_number > shown.total:
                return HttpResponseRedirect(reverse("portal:checkin_finish", args=[found.pk]))
            return HttpResponseRedirect(
                reverse("portal:checkin_question", args=[found.pk, next_number])
            )
    else:
        audit_portal(
            request, "portal.viewed_question", obj=found, summary=f"check-in question {number}"
        )
    context = {
        "checkin": found,
        "q": shown,
        "error": error,
        "previous": number - 1 if number > 1 else None,
        "percent": round(100 * (number - 1) / shown.total),
    }
    template = (
        "checkins/portal/_fragment_question.html"
        if request.headers.get("HX-Request")
        else "checkins/portal/question.html"
    )
    return render(request, template, context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@portal_view
def checkin_finish(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """Every question answered: send the answers (GET shows the last screen)."""
    found = _own_checkin(request, checkin_id)
    if not found.is_open:
        return HttpResponseRedirect(reverse("portal:checkin_result", args=[found.pk]))
    if request.method == "GET":
        missing = [n for n, k in enumerate(found.questions, start=1) if k not in found.answers]
        if missing:
            return HttpResponseRedirect(
                reverse("portal:checkin_question", args=[found.pk, missing[0]])
            )
        audit_portal(request, "portal.viewed_checkin_send", obj=found)
        return render(request, "checkins/portal/send.html", {"checkin": found})
    try:
        flow.finish(request, found)
    except InputError as problem:
        messages.error(request, f"Please answer every question first ({problem.field}).")
        return HttpResponseRedirect(reverse("portal:checkin"))
    return HttpResponseRedirect(reverse("portal:checkin_result", args=[found.pk]))


@require_http_methods(["GET"])
@portal_view
def checkin_result(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """What to do now, in plain language (crisis contacts, call the team, or thanks)."""
    found = _own_checkin(request, checkin_id)
    if found.is_open:
        return HttpResponseRedirect(reverse("portal:checkin"))
    audit_portal(request, "portal.viewed_checkin_result", obj=found, level=found.level)
    return render(
        request,
        "checkins/portal/result.html",
        {
            "checkin": found,
            "message": flow.message_of(found),
            "contacts": _crisis_contacts(found),
        },
    )


def _crisis_contacts(found: Checkin) -> list[tuple[str, str, str]]:
    """(who, name, phone) of the crisis line and prescriber in the patient's newest
    relapse-prevention plan, for the crisis message; [] when none are recorded."""
    if found.level != "crisis":
        return []
    from benzodetox.web.careplans.relapse_plans import relapse_plan_of

    row = found.patient.relapse_plans.order_by("-number").first()
    if row is None:
        return []
    return [
        (c.role_title, c.name, c.phone)
        for c in relapse_plan_of(row).contacts
        if c.role in ("crisis_line", "prescriber") and c.phone
    ]


# ----------------------------------------------------------------------------- requests


@require_http_methods(["GET", "POST"])
@portal_view
def step_request(request: HttpRequest) -> HttpResponse:
    """Ask for a hold or a slower taper, with the reason; see the team's answers."""
    patient = request.portal_patient  # type: ignore[attr-defined]
    error = ""
    if request.method == "POST":
        try:
            services.ask_for_change(
                request, patient, request.POST.get("kind", ""), request.POST.get("reason", "")
            )
        except InputError as problem:
            error = _problem(problem)
        else:
            messages.success(
                request, "Thank you. Your care team will look at your request and answer here."
            )
            return HttpResponseRedirect(reverse("portal:request"))
    audit_portal(request, "portal.viewed_requests", summary="the patient viewed their requests")
    mine = StepRequest.objects.filter(patient=patient).order_by("-created_at", "-id")[:10]
    return render(
        request,
        "checkins/portal/request.html",
        {
            "requests": mine,
            "kinds": StepRequest.KINDS,
            "error": error,
            "posted": request.POST,
            "waiting": any(r.is_open for r in mine),
        },
        status=400 if error else 200,
    )
