"""Team-side pages: the patients' "this step is too hard" requests (a prescriber applies the
core's hold / slow as a new plan version, or declines with a message) and the programme's
check-in settings. Views are thin: scope, role, form, service; every page is audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from benzodetox.core.assessment.self_report import requested_adjustment
from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.monitoring import services as monitoring
from benzodetox.web.programmes.services import (
    allowed,
    chosen_programme,
    programmes_where,
    require,
)

from . import services
from .forms import AnswerForm, CheckinSettingsForm
from .models import StepRequest

__all__ = ["request_detail", "requests_list", "settings_view"]


@require_GET
def requests_list(request: HttpRequest) -> HttpResponse:
    """Open requests of the user's programmes (oldest first) and the latest answered ones."""
    ids = [p.pk for p in programmes_where(request.user, "monitoring.view")]
    if not ids:
        raise PermissionDenied("you are not a member of a programme")
    record(request, "requests.viewed", summary="patient requests")
    answered = (
        StepRequest.objects.filter(programme_id__in=ids)
        .exclude(status="open")
        .select_related("patient", "answered_by")
        .order_by("-answered_at")[:20]
    )
    return render(
        request,
        "checkins/staff/requests.html",
        {"open": list(services.open_requests(ids)[:100]), "answered": answered},
    )


def _proposal(asked: StepRequest) -> tuple[str, int | None]:
    """The adjustment the request would make, in words, and the latest version number."""
    patient = asked.patient
    latest = patient.plan_versions.order_by("-number").first()
    _, plan = monitoring.current_plan(patient)
    if plan is None or not asked.is_open:
        return "", latest.number if latest is not None else None
    policy = monitoring.policy_for(patient.programme_id)
    try:
        a = requested_adjustment(
            plan, asked.kind, timezone.localdate(), asked.reason, policy.advice
        )
    except InputError as error:
        return f"Cannot be applied: {error}", None
    if a.kind == "hold":
        words = f"hold the current dose for {a.days} days from {a.on:%Y-%m-%d}; later steps move"
    else:
        words = f"from the next reduction after {a.on:%Y-%m-%d}, reduce by {a.percent} % a step"
    return words, latest.number if latest is not None else None


@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request with the plan change it would make; a prescriber answers it here."""
    asked = services.get_request(request, request_id)
    can_answer = allowed(request.user, "request.answer", asked.programme_id)
    proposal, latest = _proposal(asked)
    form = AnswerForm(request.POST or None, initial={"expected_latest": latest or 0})
    if request.method == "POST":
        require(request.user, "request.answer", asked.programme_id)
        if form.is_valid():
            try:
                new = services.answer_request(
                    request,
                    asked,
                    form.cleaned_data["decision"],
                    form.cleaned_data["message"],
                    form.cleaned_data["expected_latest"],
                )
            except InputError as error:
                name = error.field if error.field in form.fields else None
                form.add_error(name, f"{error.field}: {error.allowed} (got {error.value})")
            else:
                if new is not None:
                    messages.success(
                        request,
                        f"Version {new.number} made from the request: review and approve it.",
                    )
                    return HttpResponseRedirect(
                        reverse("plans:detail", args=[asked.patient_id, new.number])
                    )
                messages.success(request, "Request declined; the patient sees your message.")
                return HttpResponseRedirect(reverse("checkins:requests"))
    else:
        record(request, "request.viewed", obj=asked, patient=asked.patient)
    return render(
        request,
        "checkins/staff/request.html",
        {
            "asked": asked,
            "patient": asked.patient,
            "proposal": proposal,
            "form": form,
            "can_answer": can_answer and asked.is_open and bool(latest),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    """The programme's check-in schedule and self-report thresholds beside the core's
    defaults; editable by the "monitoring.settings" roles."""
    programmes, programme = chosen_programme(request, "monitoring.view")
    can_edit = allowed(request.user, "monitoring.settings", programme.pk)
    form = CheckinSettingsForm(request.POST or None, instance=services.settings_of(programme.pk))
    if request.method == "POST":
        require(request.user, "monitoring.settings", programme.pk)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in services.SETTING_FIELDS}
            try:
                services.save_settings(request, programme.pk, values)
            except InputError as error:
                name = error.field if error.field in form.fields else None
                form.add_error(name, f"{error.allowed} (got {error.value})")
            else:
                messages.success(request, f"Check-in settings of {programme.name} saved.")
                return HttpResponseRedirect(
                    reverse("checkins:settings") + f"?programme={programme.pk}"
                )
    else:
        record(request, "checkins.settings_viewed", programme=programme.pk)
    from benzodetox.core.assessment.self_report import ciwa_b_alert_from

    return render(
        request,
        "checkins/staff/settings.html",
        {
            "programmes": programmes,
            "programme": programme,
            "schedule": services.schedule_for(programme.pk),
            "ciwa_default": ciwa_b_alert_from(monitoring.policy_for(programme.pk).bands),
            "form": form,
            "can_edit": can_edit,
        },
        status=400 if request.method == "POST" else 200,
    )
