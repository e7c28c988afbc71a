"""Care plan pages (overview, psychosocial courses and attendance, aftercare, relapse-prevention
plan, adjunct medications); a plan version's documents are served by ``plans.documents``.

Views are thin: they fetch the patient through ``patients.services.get_patient`` (scope → 404
for another programme, role → 403), validate a form and call a service. Every page showing
patient data and every download appends an audit event.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from benzodetox.core.careplan import adjuncts as core_adjuncts
from benzodetox.core.careplan.psychosocial import course_types
from benzodetox.core.careplan.relapse import CONTACT_ROLES, SUGGESTED_COPING
from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.patients.services import get_patient
from benzodetox.web.plans.services import source_citation
from benzodetox.web.programmes.services import allowed, chosen_programme, require

from . import policy, relapse_plans, services
from .forms import (
    AdjunctNoteForm,
    AftercareItemForm,
    AftercarePolicyForm,
    AttendanceForm,
    ContactFormSet,
    CourseForm,
    ExtendAftercareForm,
    GenerateAftercareForm,
    MoveSessionForm,
    NewAftercareItemForm,
    RelapseForm,
    TriggerFormSet,
    relapse_initial,
    relapse_value,
)
from .models import AdjunctNote

_ACTIONS = (
    "psychosocial.edit",
    "attendance.record",
    "aftercare.edit",
    "relapse.edit",
    "adjunct.edit",
)


def _can(request: HttpRequest, patient: Patient) -> dict[str, bool]:
    return {a.replace(".", "_"): allowed(request.user, a, patient.programme_id) for a in _ACTIONS}


def _viewed(request: HttpRequest, patient: Patient, what: str) -> None:
    record(request, "careplan.viewed", obj=patient, patient=patient, summary=what)


def _base(request: HttpRequest, patient: Patient, section: str) -> dict[str, Any]:
    return {"patient": patient, "can": _can(request, patient), "section": section}


# --- overview --------------------------------------------------------------------------------


def overview(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient(request, pk, "careplan.view")
    _viewed(request, patient, "care plan")
    relapse_row = relapse_plans.latest_relapse(patient)
    care = services.current_aftercare(patient)
    context = _base(request, patient, "overview")
    context.update(
        courses=list(
            patient.courses.annotate(
                n_sessions=Count("sessions"),
                n_attended=Count("sessions", filter=Q(sessions__attended=True)),
            )
        ),
        care=care,
        care_next=(care.items.filter(done__isnull=True).order_by("on").first() if care else None),
        approved=services.approved_version(patient),
        relapse_row=relapse_row,
        relapse=relapse_plans.relapse_plan_of(relapse_row) if relapse_row else None,
        notes=[_named(note) for note in _latest_notes(patient).values()],
        prompts=core_adjuncts.safety_prompts(**services.patient_circumstances(patient)),
    )
    return render(request, "careplans/overview.html", context)


# --- psychosocial ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient(request, pk, "psychosocial.edit")
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = services.schedule_course(
                request,
                patient,
                data["kind"],
                data["start"],
                sessions=data["sessions"],
                every_days=data["every_days"],
                note=data["note"],
            )
        except InputError as error:
            form.add_core_error(error)
        else:
            messages.success(request, f"{course.title} scheduled.")
            return HttpResponseRedirect(reverse("careplans:course", args=[patient.pk, course.pk]))
    if request.method == "GET":
        _viewed(request, patient, "new course form")
    context = _base(request, patient, "courses")
    context.update(form=form, types=course_types())
    return render(request, "careplans/course_form.html", context)


def _course_context(
    request: HttpRequest,
    patient: Patient,
    course: Any,
    errors: dict[int, AttendanceForm],
    moves: dict[int, MoveSessionForm] | None = None,
) -> dict[str, Any]:
    context = _base(request, patient, "courses")
    sessions = list(course.sessions.select_related("recorded_by"))
    moves = moves or {}
    context.update(
        course=course,
        rows=[
            (
                s,
                errors.get(s.number),
                moves.get(s.number)
                or MoveSessionForm(initial={"on": s.on}, prefix=f"m{s.number}"),
            )
            for s in sessions
        ],
        attended=sum(1 for s in sessions if s.attended),
        missed=sum(1 for s in sessions if s.attended is False),
        citations=[(key, source_citation(key)) for key in course.sources],
    )
    return context


def course_detail(request: HttpRequest, pk: int, course_id: int) -> HttpResponse:
    patient = get_patient(request, pk, "careplan.view")
    course = services.get_course(patient, course_id)
    _viewed(request, patient, f"course {course.title}")
    return render(request, "careplans/course.html", _course_context(request, patient, course, {}))


@require_POST
def attendance(request: HttpRequest, pk: int, course_id: int, number: int) -> HttpResponse:
    patient = get_patient(request, pk, "attendance.record")
    course = services.get_course(patient, course_id)
    form = AttendanceForm(request.POST, prefix=f"s{number}")
    if form.is_valid():
        try:
            services.record_attendance(
                request, course, number, form.cleaned_data["attended"], form.cleaned_data["note"]
            )
        except InputError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Session {number}: attendance recorded.")
            return HttpResponseRedirect(reverse("careplans:course", args=[patient.pk, course.pk]))
    return render(
        request,
        "careplans/course.html",
        _course_context(request, patient, course, {number: form}),
    )


@require_POST
def move_session(request: HttpRequest, pk: int, course_id: int, number: int) -> HttpResponse:
    patient = get_patient(request, pk, "psychosocial.edit")
    course = services.get_course(patient, course_id)
    if not course.sessions.filter(number=number).exists():
        raise Http404("no such session")
    form = MoveSessionForm(request.POST, prefix=f"m{number}")
    if form.is_valid():
        try:
            session = services.reschedule_session(
                request, course, number, form.cleaned_data["on"], form.cleaned_data["reason"]
            )
        except InputError as error:
            form.add_core_error(error)
        else:
            messages.success(request, f"Session {number} moved to {session.on:%Y-%m-%d}.")
            return HttpResponseRedirect(reverse("careplans:course", args=[patient.pk, course.pk]))
    return render(
        request,
        "careplans/course.html",
        _course_context(request, patient, course, {}, {number: form}),
    )


# --- aftercare -------------------------------------------------------------------------------


def _aftercare_context(
    request: HttpRequest,
    patient: Patient,
    *,
    generate: GenerateAftercareForm | None = None,
    extend: ExtendAftercareForm | None = None,
    new_item: NewAftercareItemForm | None = None,
    item_errors: tuple[int, AftercareItemForm] | None = None,
) -> dict[str, Any]:
    care = services.current_aftercare(patient)
    approved = services.approved_version(patient)
    in_force = policy.policy_for(patient.programme_id)
    shown = services.policy_of(care) if care else in_force
    rows = []
    if care is not None:
        for item in care.items.select_related("recorded_by"):
            form = (
                item_errors[1]
                if item_errors and item_errors[0] == item.pk
                else AftercareItemForm(
                    initial={
                        "on": item.on,
                        "done": "" if item.done is None else ("yes" if item.done else "no"),
                        "note": item.note,
                    },
                    prefix=f"i{item.pk}",
                )
            )
            rows.append((item, form))
    stale = bool(care and approved and (care.plan_version_id != approved.pk))
    context = _base(request, patient, "aftercare")
    context.update(
        care=care,
        approved=approved,
        stale=stale,
        policy=shown,
        programme_policy=in_force,
        policy_differs=shown != in_force,
        rows=rows,
        generate_form=generate
        or GenerateAftercareForm(initial={"days": in_force.days.value}, prefix="generate"),
        extend_form=extend
        or ExtendAftercareForm(
            initial={"days": care.days if care else in_force.days.value}, prefix="extend"
        ),
        new_item_form=new_item or NewAftercareItemForm(prefix="new"),
        sources={
            key: source_citation(key)
            for key in {
                shown.minimum_days.source,
                shown.days.source,
                shown.review_every.source,
                *(p.every.source for p in shown.contact_phases),
                *(i.source for i in shown.instruments),
            }
        },
    )
    return context


def aftercare(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient(request, pk, "careplan.view")
    _viewed(request, patient, "aftercare")
    return render(request, "careplans/aftercare.html", _aftercare_context(request, patient))


def _to_aftercare(patient: Patient, message: str, request: HttpRequest) -> HttpResponse:
    messages.success(request, message)
    return HttpResponseRedirect(reverse("careplans:aftercare", args=[patient.pk]))


@require_POST
def aftercare_generate(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient(request, pk, "aftercare.edit")
    form = GenerateAftercareForm(request.POST, prefix="generate")
    if form.is_valid():
        try:
            care = services.generate_aftercare(request, patient, form.cleaned_data["days"])
        except InputError as error:
            form.add_core_error(error)
        else:
            return _to_aftercare(
                patient,
                f"Aftercare generated: {care.days} days after the last dose, to "
                f"{care.end:%Y-%m-%d}.",
                request,
            )
    return render(
        request, "careplans/aftercare.html", _aftercare_context(request, patient, generate=form)
    )


def _current_care(patient: Patient) -> Any:
    care = services.current_aftercare(patient)
    if care is None:
        raise Http404("no aftercare yet")
    return care


@require_POST
def aftercare_extend(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient(request, pk, "aftercare.edit")
    care = _current_care(patient)
    form = ExtendAftercareForm(request.POST, prefix="extend")
    if form.is_valid():
        try:
            services.extend_aftercare(request, care, form.cleaned_data["days"])
        except InputError as error:
            form.add_core_error(error)
        else:
            return _to_aftercare(patient, "Aftercare length changed.", request)
    return render(
        request, "careplans/aftercare.html", _aftercare_context(request, patient, extend=form)
    )


@require_POST
def aftercare_item_new(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient(request, pk, "aftercare.edit")
    care = _current_care(patient)
    form = NewAftercareItemForm(request.POST, prefix="new")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_aftercare_item(
                request,
                care,
                on=data["on"],
                kind=data["kind"],
                title=data["title"],
                note=data["note"],
            )
        except InputError as error:
            form.add_core_error(error)
        else:
            return _to_aftercare(patient, "Item added.", request)
    return render(
        request, "careplans/aftercare.html", _aftercare_context(request, patient, new_item=form)
    )


@require_POST
def aftercare_item(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    patient = get_patient(request, pk, "aftercare.edit")
    care = _current_care(patient)
    item = services.get_aftercare_item(care, item_id)
    if "remove" in request.POST:
        try:
            services.remove_aftercare_item(request, item)
        except InputError as error:
            messages.error(request, f"{error.allowed}." + (f" {error.hint}" if error.hint else ""))
            return HttpResponseRedirect(reverse("careplans:aftercare", args=[patient.pk]))
        return _to_aftercare(patient, "Item removed.", request)
    form = AftercareItemForm(request.POST, prefix=f"i{item.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_aftercare_item(
                request, item, on=data["on"], done=data["done"], note=data["note"]
            )
        except InputError as error:
            form.add_core_error(error)
        else:
            return _to_aftercare(patient, "Item saved.", request)
    return render(
        request,
        "careplans/aftercare.html",
        _aftercare_context(request, patient, item_errors=(item.pk, form)),
    )


# --- the programme's aftercare policy --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def aftercare_policy(request: HttpRequest) -> HttpResponse:
    """The programme's aftercare policy beside the core's cited defaults; programme admins
    and prescribers change it (audited)."""
    programmes, programme = chosen_programme(request, "careplan.view")
    can_edit = allowed(request.user, "aftercare.policy", programme.pk)
    current = policy.settings_for(programme.pk)
    form = AftercarePolicyForm(request.POST or None, instance=current)
    if request.method == "POST":
        require(request.user, "aftercare.policy", programme.pk)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in policy.EDITABLE}
            try:
                policy.save_policy(request, programme.pk, values)
            except InputError as error:
                form.add_core_error(error)
            else:
                messages.success(request, f"Aftercare policy of {programme.name} saved.")
                return HttpResponseRedirect(
                    reverse("careplans:aftercare_policy") + f"?programme={programme.pk}"
                )
    else:
        record(request, "careplan.aftercare_policy_viewed", programme=programme.pk)
    in_force = policy.policy_for(programme.pk)
    base_sources = {
        r["source"] for r in policy.policy_rows(in_force) if "," not in r["source"]
    } | {i.source for i in in_force.instruments}
    return render(
        request,
        "careplans/aftercare_policy.html",
        {
            "programmes": programmes,
            "programme": programme,
            "rows": policy.policy_rows(in_force),
            "form": form,
            "can_edit": can_edit,
            "citations": sorted((k, source_citation(k)) for k in base_sources),
            "updated": current,
        },
    )


# --- relapse prevention ----------------------------------------------------------------------


def relapse(request: HttpRequest, pk: int, number: int | None = None) -> HttpResponse:
    patient = get_patient(request, pk, "careplan.view")
    latest = relapse_plans.latest_relapse(patient)
    row = relapse_plans.get_relapse_version(patient, number) if number is not None else latest
    _viewed(
        request,
        patient,
        f"relapse-prevention plan v{row.number}" if row else "relapse-prevention plan",
    )
    context = _base(request, patient, "relapse")
    context.update(
        row=row,
        latest=latest,
        plan=relapse_plans.relapse_plan_of(row) if row else None,
        versions=list(patient.relapse_plans.select_related("created_by").order_by("-number")),
        roles=CONTACT_ROLES,
    )
    return render(request, "careplans/relapse.html", context)


@require_http_methods(["GET", "POST"])
def relapse_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient(request, pk, "relapse.edit")
    latest = relapse_plans.latest_relapse(patient)
    current = relapse_plans.relapse_plan_of(latest) if latest else None
    if request.method == "POST":
        form = RelapseForm(request.POST)
        triggers = TriggerFormSet(request.POST, prefix="trigger")
        contacts = ContactFormSet(request.POST, prefix="contact")
        valid = [form.is_valid(), triggers.is_valid(), contacts.is_valid()]
        if all(valid):
            value, reason, reviewed_on = relapse_value(form, triggers, contacts)
            try:
                row = relapse_plans.save_relapse_plan(
                    request, patient, value, reason=reason, reviewed_on=reviewed_on
                )
            except InputError as error:
                form.add_core_error(error)
            else:
                messages.success(request, f"Relapse-prevention plan saved as version {row.number}.")
                return HttpResponseRedirect(reverse("careplans:relapse", args=[patient.pk]))
    else:
        _viewed(request, patient, "relapse-prevention plan form")
        main, trigger_rows, contact_rows = relapse_initial(current)
        form = RelapseForm(initial=main)
        triggers = TriggerFormSet(initial=trigger_rows, prefix="trigger")
        contacts = ContactFormSet(initial=contact_rows, prefix="contact")
    context = _base(request, patient, "relapse")
    context.update(
        form=form,
        triggers=triggers,
        contacts=contacts,
        latest=latest,
        suggested=SUGGESTED_COPING,
        missing=[CONTACT_ROLES[r] for r in current.missing_roles()] if current else [],
    )
    return render(request, "careplans/relapse_form.html", context)


# --- adjunct medications ---------------------------------------------------------------------


def _named(note: AdjunctNote) -> AdjunctNote:
    note.name = core_adjuncts.adjunct(note.adjunct).name  # type: ignore[attr-defined]
    return note


def _latest_notes(patient: Patient) -> dict[str, AdjunctNote]:
    latest: dict[str, AdjunctNote] = {}
    for note in patient.adjunct_notes.select_related("created_by").order_by("created_at", "id"):
        latest[note.adjunct] = note
    return latest


def _medications_context(
    request: HttpRequest, patient: Patient, form: AdjunctNoteForm
) -> dict[str, Any]:
    circumstances = services.patient_circumstances(patient)
    latest = _latest_notes(patient)
    items = [
        {
            "adjunct": item,
            "cautions": core_adjuncts.cautions_for(item, opioids=circumstances["opioids"]),
            "note": latest.get(item.id),
        }
        for item in core_adjuncts.all_adjuncts()
    ]
    context = _base(request, patient, "medications")
    flumazenil = core_adjuncts.flumazenil()
    keys = {flumazenil.tapering.source, *(r.source for r in flumazenil.roles)}
    for item in core_adjuncts.all_adjuncts():
        keys |= {
            item.asam_2025.source,
            *(e.source for e in item.evidence),
            *(c.source for c in item.cautions),
        }
    prompts = core_adjuncts.safety_prompts(**circumstances)
    keys |= {p.source for p in prompts}
    context.update(
        form=form,
        items=items,
        circumstances=circumstances,
        prompts=prompts,
        flumazenil=flumazenil,
        notes=list(patient.adjunct_notes.select_related("created_by")),
        names={a.id: a.name for a in core_adjuncts.all_adjuncts()},
        citations=sorted((k, source_citation(k)) for k in keys),
    )
    return context


@require_http_methods(["GET", "POST"])
def medications(request: HttpRequest, pk: int) -> HttpResponse:
    action = "adjunct.edit" if request.method == "POST" else "careplan.view"
    patient = get_patient(request, pk, action)
    form = AdjunctNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_adjunct_note(
                request, patient, data["adjunct"], data["status"], data["note"]
            )
        except InputError as error:
            form.add_core_error(error)
        else:
            messages.success(request, "Note added.")
            return HttpResponseRedirect(reverse("careplans:medications", args=[patient.pk]))
    if request.method == "GET":
        _viewed(request, patient, "adjunct medications")
    return render(
        request, "careplans/medications.html", _medications_context(request, patient, form)
    )
