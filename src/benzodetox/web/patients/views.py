"""Patient list, record, regimen, intake with the core's recommendation, decision and phase.

Views are thin: they fetch through ``services.get_patient`` (scope + role), validate a form and
call a service. Every page showing patient data appends a "viewed" audit event.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.programmes.services import allowed, programmes_where

from . import services
from .choices import LEVELS_OF_CARE, Phase, drug_choices, drug_name
from .forms import (
    DecisionForm,
    IntakeForm,
    PatientForm,
    PhaseForm,
    RegimenFormSet,
    regimen_initial,
)
from .listing import PAGE_SIZE, SORTS, WITHIN, PatientListing
from .models import Intake, Patient, RegimenDose

# Core field names (as core.assessment.intake names them) → the intake form's fields.
_INTAKE_FIELDS = {
    "duration_months": "duration_months",
    "days_per_week": "days_per_week",
    "source": "equivalence_table",
    "basis": "basis",
    "conditions": "conditions",
    "substances": "substances",
    "history": "withdrawal_seizure_history",
    "pregnant": "pregnancy",
    "support_at_home": "home_support",
    "dimensions": None,
    "age": None,
    "regimen": None,
}


def patient_list(request: HttpRequest) -> HttpResponse:
    """Patients of the user's programmes: search by record number, name or drug; filter by
    phase, drug, open alerts and the next dose change; sort; 25 a page. The figures shown
    (daily diazepam-eq, next change, drugs) are the patient row's own (``patients/phase.py``),
    the open alerts a count per row of the page."""
    listing = PatientListing.from_query(request.GET)
    page = Paginator(listing.queryset(timezone.localdate()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for membership in getattr(request, "memberships", []):  # one event per programme listed
        record(
            request,
            "patient.listed",
            programme=membership.programme_id,
            summary=f"{listing.summary()} page={page.number}"[:300],
        )
    context = {
        "page": page,
        "rows": [(p, [drug_name(d) for d in p.drugs.split()]) for p in page],
        "f": listing,
        "query": listing.query_string(),
        "sorts": SORTS,
        "phases": Phase.choices,
        "drugs": drug_choices(),
        "within": WITHIN,
        "can_create": bool(programmes_where(request.user, "patient.create")),
    }
    template = (
        "patients/_fragment_list.html"
        if request.headers.get("HX-Request")
        else ("patients/list.html")
    )
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    programmes = programmes_where(request.user, "patient.create")
    if not programmes:
        raise PermissionDenied("your role does not allow patient.create")
    form = PatientForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "programme"}
        try:
            patient = services.create_patient(request, form.cleaned_data["programme"], data)
        except InputError as error:
            form.add_error("reference", f"{error.allowed}.")
        else:
            messages.success(request, f"Patient {patient.reference} added. Next: the regimen.")
            return HttpResponseRedirect(reverse("patients:regimen", args=[patient.pk]))
    return render(request, "patients/form.html", {"form": form, "title": "New patient"})


def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = services.get_patient(request, pk)
    record(request, "patient.viewed", obj=patient, patient=patient)
    return render(
        request,
        "patients/detail.html",
        _detail_context(request, patient, PhaseForm(initial={"phase": patient.phase})),
    )


def _detail_context(
    request: HttpRequest, patient: Patient, phase_form: PhaseForm
) -> dict[str, Any]:
    intake = services.latest_intake(patient)
    versions = list(
        patient.plan_versions.select_related("created_by", "approval__approved_by").order_by(
            "-number"
        )
    )
    doses = list(patient.regimen_doses.all())
    user = request.user
    return {
        "patient": patient,
        "doses": [(d, drug_name(d.drug)) for d in doses],
        "intake": intake,
        "versions": versions,
        "phase_form": phase_form,
        "can": {
            action.replace(".", "_"): allowed(user, action, patient.programme_id)
            for action in (
                "patient.edit",
                "regimen.edit",
                "phase.change",
                "intake.edit",
                "intake.decide",
                "plan.draft",
                "plan.approve",
            )
        },
    }


@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = services.get_patient(request, pk, "patient.edit")
    form = PatientForm(request.POST or None, instance=patient, programmes=[patient.programme])
    if request.method == "POST" and form.is_valid():
        try:
            services.update_patient(request, form.instance, list(form.changed_data))
        except InputError as error:
            form.add_error("reference", f"{error.allowed}.")
        else:
            messages.success(request, "Details saved.")
            return HttpResponseRedirect(reverse("patients:detail", args=[patient.pk]))
    if request.method == "GET":
        record(request, "patient.viewed", obj=patient, patient=patient, summary="edit form")
    return render(
        request, "patients/form.html", {"form": form, "title": "Edit details", "patient": patient}
    )


@require_http_methods(["GET", "POST"])
def regimen_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = services.get_patient(request, pk, "regimen.edit")
    if request.method == "POST":
        formset = RegimenFormSet(request.POST, prefix="dose")
        if formset.is_valid():
            try:
                services.set_regimen(request, patient, formset.doses())
            except InputError as error:
                formset._non_form_errors = formset.error_class([str(error)])  # type: ignore[attr-defined]
            else:
                messages.success(request, "Regimen saved.")
                return HttpResponseRedirect(reverse("patients:detail", args=[patient.pk]))
    else:
        record(request, "patient.viewed", obj=patient, patient=patient, summary="regimen form")
        formset = RegimenFormSet(
            initial=regimen_initial(list(patient.regimen_doses.all())), prefix="dose"
        )
    return render(request, "patients/regimen.html", {"patient": patient, "formset": formset})


def _add_core_error(form: IntakeForm, error: InputError) -> None:
    """Put a core error on the form field it names (or on the form)."""
    head = error.field.split(".")[0].split("[")[0]
    target = _INTAKE_FIELDS.get(head)
    if error.field.startswith("history.withdrawal_delirium"):
        target = "withdrawal_delirium_history"
    if error.field.startswith("dimensions."):
        name = "dimension_" + error.field.split(".", 1)[1]
        target = name if name in form.fields else None
    message = f"{error.allowed}." + (f" {error.hint}" if error.hint else "")
    if head == "regimen":
        message = f"Current regimen: {error}. Correct it on the regimen page."
    if target and target in form.fields:
        form.add_error(target, message)
    else:
        form.add_error(None, str(error))


@require_http_methods(["GET", "POST"])
def intake_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = "intake.edit" if request.method == "POST" else "patient.view"
    patient = services.get_patient(request, pk, action)
    intake = services.latest_intake(patient)
    form = IntakeForm(request.POST or None, instance=intake)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_intake(request, patient, intake, form.values())
        except InputError as error:
            _add_core_error(form, error)
        else:
            messages.success(request, "Intake saved: the recommendation below is up to date.")
            return HttpResponseRedirect(reverse("patients:intake", args=[patient.pk]))
    if request.method == "GET":
        record(request, "patient.viewed", obj=patient, patient=patient, summary="intake")
    can_decide = allowed(request.user, "intake.decide", patient.programme_id)
    decision_form = DecisionForm(
        initial={
            "decision": getattr(intake, "decision", "") or None,
            "chosen_level": getattr(intake, "chosen_level", ""),
            "decision_reason": getattr(intake, "decision_reason", ""),
        }
    )
    return render(
        request,
        "patients/intake.html",
        _intake_context(request, patient, intake, form, decision_form, can_decide),
    )


def _intake_context(
    request: HttpRequest,
    patient: Patient,
    intake: Any,
    form: IntakeForm,
    decision_form: DecisionForm,
    can: bool,
) -> dict[str, Any]:
    return {
        "can_edit": allowed(request.user, "intake.edit", patient.programme_id),
        "patient": patient,
        "intake": intake,
        "form": form,
        "decision_form": decision_form,
        "can_decide": can,
        "levels": dict(LEVELS_OF_CARE),
        "has_regimen": patient.regimen_doses.exists(),
    }


@require_POST
def intake_decide(request: HttpRequest, pk: int) -> HttpResponse:
    patient = services.get_patient(request, pk, "intake.decide")
    intake = services.latest_intake(patient)
    if intake is None or not intake.level_of_care:
        messages.error(request, "Save the intake first: there is no recommendation to decide on.")
        return HttpResponseRedirect(reverse("patients:intake", args=[patient.pk]))
    decision_form = DecisionForm(request.POST)
    if decision_form.is_valid():
        data = decision_form.cleaned_data
        services.record_decision(
            request, intake, data["decision"], data["chosen_level"], data["decision_reason"]
        )
        messages.success(request, "Decision recorded.")
        return HttpResponseRedirect(reverse("patients:intake", args=[patient.pk]))
    form = IntakeForm(instance=intake)
    return render(
        request,
        "patients/intake.html",
        _intake_context(request, patient, intake, form, decision_form, True),
        status=200,
    )


@require_POST
def phase_change(request: HttpRequest, pk: int) -> HttpResponse:
    patient = services.get_patient(request, pk, "phase.change")
    form = PhaseForm(request.POST)
    if form.is_valid():
        services.change_phase(
            request, patient, form.cleaned_data["phase"], form.cleaned_data["reason"]
        )
        messages.success(request, f"Phase of care is now {patient.get_phase_display()}.")
        return HttpResponseRedirect(reverse("patients:detail", args=[patient.pk]))
    return render(request, "patients/detail.html", _detail_context(request, patient, form))


def patient_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every recorded change of the record, regimen and intake, newest first, with who and why."""
    patient = services.get_patient(request, pk)
    record(request, "patient.viewed", obj=patient, patient=patient, summary="history")
    rows: list[dict[str, Any]] = []
    for entry in patient.history.select_related("history_user").all()[:200]:
        rows.append(_history_row("Record", entry))
    for entry in (
        RegimenDose.history.filter(patient_id=patient.pk).select_related("history_user").all()[:200]
    ):
        rows.append(
            _history_row(
                f"Regimen: {drug_name(entry.drug)} {entry.mg} mg at {entry.time:%H:%M}", entry
            )
        )
    for entry in (
        Intake.history.filter(patient_id=patient.pk).select_related("history_user").all()[:200]
    ):
        rows.append(_history_row("Intake", entry))
    rows.extend(_careplan_history(patient))
    rows.sort(key=lambda r: r["at"], reverse=True)
    return render(request, "patients/history.html", {"patient": patient, "rows": rows})


def _careplan_history(patient: Patient) -> list[dict[str, Any]]:
    """The care plan's changes: courses and their sessions (moved, attendance), aftercare and
    its items (generated, moved, recorded, added, removed, length changed), relapse-plan
    versions and adjunct notes. Rows created together with their course or aftercare are
    summarised by that course's or aftercare's own row."""
    from benzodetox.web.careplans.models import (
        AftercareItem,
        AftercarePlan,
        Course,
        CourseSession,
    )

    rows: list[dict[str, Any]] = []
    titles: dict[int, str] = {}
    for entry in Course.history.filter(patient_id=patient.pk).select_related("history_user")[:200]:
        titles[entry.id] = entry.title
        rows.append(_history_row(f"Course: {entry.title} from {entry.start:%Y-%m-%d}", entry))
    sessions = CourseSession.history.filter(course_id__in=list(titles)).select_related(
        "history_user"
    )
    for entry in sessions.exclude(history_type="+")[:200]:
        state = {None: "", True: ", attended", False: ", missed"}[entry.attended]
        rows.append(
            _history_row(
                f"{titles.get(entry.course_id, 'Course')} session {entry.number}: "
                f"{entry.on:%Y-%m-%d}{state}",
                entry,
            )
        )
    created: dict[int, Any] = {}
    for entry in AftercarePlan.history.filter(patient_id=patient.pk).select_related(
        "history_user"
    )[:200]:
        created.setdefault(entry.id, entry.created_at)
        rows.append(
            _history_row(f"Aftercare {entry.last_dose:%Y-%m-%d} – {entry.end:%Y-%m-%d}", entry)
        )
    items = AftercareItem.history.filter(aftercare_id__in=list(created)).select_related(
        "history_user"
    )
    for entry in items[:400]:
        began = created.get(entry.aftercare_id)
        generated = began and abs((entry.history_date - began).total_seconds()) < 5
        if entry.history_type == "+" and generated:
            continue  # generated with the aftercare
        state = {None: "", True: ", done", False: ", not done"}[entry.done]
        row = _history_row(
            f"Aftercare {entry.kind} on {entry.on:%Y-%m-%d}: {entry.title}{state}", entry
        )
        row["why"] = row["why"] or entry.note
        rows.append(row)
    for version in patient.relapse_plans.select_related("created_by")[:200]:
        rows.append(
            {
                "at": version.created_at,
                "what": f"Relapse-prevention plan v{version.number}",
                "kind": "created",
                "who": version.created_by.get_username() if version.created_by else "—",
                "why": version.reason,
            }
        )
    for note in patient.adjunct_notes.select_related("created_by")[:200]:
        rows.append(
            {
                "at": note.created_at,
                "what": f"Adjunct medication note: {note.adjunct} {note.get_status_display()}",
                "kind": "created",
                "who": note.created_by.get_username() if note.created_by else "—",
                "why": note.note,
            }
        )
    return rows


def _history_row(what: str, entry: Any) -> dict[str, Any]:
    kinds = {"+": "created", "~": "changed", "-": "removed"}
    return {
        "at": entry.history_date,
        "what": what,
        "kind": kinds.get(entry.history_type, entry.history_type),
        "who": entry.history_user.get_username() if entry.history_user else "—",
        "why": entry.history_change_reason or "",
    }
