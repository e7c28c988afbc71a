"""Import a regimen from FHIR: paste or upload a Bundle, MedicationStatement or
MedicationRequest, preview the draft (each refused entry with its reason), confirm.

The preview never saves. Confirming reads the same JSON again (nothing computed in the browser is
trusted), checks the rows with the regimen form's own rules, and saves through
``patients.services.set_regimen`` — the service the regimen form uses — in one transaction with
its audit event: all or nothing. Entries that were refused are left out only when the clinician
ticks that they should be; otherwise nothing is saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from benzodetox.core.errors import InputError
from benzodetox.core.units import format_mg, plain_decimal
from benzodetox.interop.fhir import Draft, Refusal, read_fhir
from benzodetox.web.audit.services import record
from benzodetox.web.patients import services
from benzodetox.web.patients.choices import drug_name
from benzodetox.web.patients.forms import RegimenFormSet
from benzodetox.web.patients.models import Patient

__all__ = ["FhirImportForm", "regimen_import"]

#: the most JSON text accepted (characters); a regimen's resources are far smaller
MAX_CHARS = 1_000_000


class FhirImportForm(forms.Form):
    fhir = forms.CharField(
        label="FHIR JSON",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text="A Bundle, a MedicationStatement or a MedicationRequest as JSON.",
    )
    upload = forms.FileField(label="or upload a .json file", required=False)
    leave_out_refused = forms.BooleanField(
        label="Save without the refused entries (they are not part of the regimen)",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        text = data.get("fhir") or ""
        if upload is not None:
            if upload.size > MAX_CHARS:
                self.add_error("upload", f"The file is larger than {MAX_CHARS:,} bytes.")
                return data
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("upload", "The file is not UTF-8 text.")
                return data
        if not text.strip():
            self.add_error("fhir", "Paste the FHIR JSON or upload a file.")
            return data
        if len(text) > MAX_CHARS:
            self.add_error("fhir", f"The text is longer than {MAX_CHARS:,} characters.")
            return data
        try:
            data["parsed"] = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            self.add_error(
                "fhir", f"Not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}."
            )
        except RecursionError:
            self.add_error("fhir", "Not valid JSON: nested too deeply.")
        data["text"] = text
        return data


@dataclass(frozen=True)
class Row:
    drug: str
    name: str
    mg: Decimal
    time: Any
    entry: str

    @property
    def dose(self) -> str:
        return format_mg(self.mg)


def _form_check(draft: Draft) -> Draft:
    """Run the draft's doses through the regimen form's own rules; an entry with a dose the
    form refuses is refused whole, with the form's words."""
    doses = list(draft.doses)
    if not doses:
        return draft
    data = {"dose-TOTAL_FORMS": str(len(doses)), "dose-INITIAL_FORMS": "0"}
    for i, dose in enumerate(doses):
        data[f"dose-{i}-drug"] = dose.drug
        data[f"dose-{i}-amount"] = plain_decimal(dose.mg)
        data[f"dose-{i}-unit"] = "mg"
        data[f"dose-{i}-time"] = dose.time.strftime("%H:%M")
    formset = RegimenFormSet(data, prefix="dose")
    if formset.is_valid():
        return draft
    refused: dict[str, str] = {}
    for dose, form in zip(doses, formset.forms, strict=False):
        if form.errors:
            words = " ".join(str(e) for errs in form.errors.values() for e in errs)
            refused.setdefault(dose.entry, f"the regimen form refuses it: {words}")
    if not refused:
        words = " ".join(str(e) for e in formset.non_form_errors())
        raise InputError("fhir", f"{len(doses)} doses", f"a regimen the form accepts ({words})")
    keep = tuple(d for d in doses if d.entry not in refused)
    extra = tuple(Refusal(entry, why) for entry, why in refused.items())
    return Draft(keep, draft.refused + extra, draft.ignored)


def _draft(parsed: Any, today: date) -> Draft:
    return _form_check(read_fhir(parsed, today))


def _rows(draft: Draft) -> list[Row]:
    return [Row(d.drug, drug_name(d.drug), d.mg, d.time, d.entry) for d in draft.doses]


@transaction.atomic
def _save(request: HttpRequest, patient: Patient, draft: Draft) -> None:
    services.set_regimen(request, patient, [(d.drug, d.mg, d.time) for d in draft.doses])
    record(
        request,
        "regimen.imported_fhir",
        obj=patient,
        patient=patient,
        summary=f"regimen imported from FHIR: {len(draft.doses)} doses, "
        f"{len(draft.refused)} entries left out",
        detail={
            "doses": len(draft.doses),
            "refused": [{"entry": r.entry, "reason": r.reason} for r in draft.refused],
            "ignored": len(draft.ignored),
        },
    )


@require_http_methods(["GET", "POST"])
def regimen_import(request: HttpRequest, pk: int) -> HttpResponse:
    patient = services.get_patient(request, pk, "regimen.edit")
    form = FhirImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"patient": patient, "form": form}
    if request.method == "GET":
        record(request, "patient.viewed", obj=patient, patient=patient, summary="FHIR import form")
        return render(request, "api/fhir_import.html", context)
    if not form.is_valid():
        return render(request, "api/fhir_import.html", context, status=400)
    try:
        draft = _draft(form.cleaned_data["parsed"], timezone.localdate())
    except InputError as error:
        allowed = error.allowed[:1].upper() + error.allowed[1:]
        form.add_error("fhir", f"{allowed} (got {error.value}).")
        return render(request, "api/fhir_import.html", context, status=400)
    context.update(draft=draft, rows=_rows(draft), text=form.cleaned_data["text"])
    if request.POST.get("action") != "confirm":
        return render(request, "api/fhir_import.html", context)
    if not draft.doses:
        form.add_error(None, "There is no dose to save: nothing was saved.")
        return render(request, "api/fhir_import.html", context, status=400)
    if draft.refused and not form.cleaned_data.get("leave_out_refused"):
        form.add_error(
            "leave_out_refused",
            "Some entries were refused: tick this to save the regimen without them, or correct "
            "the source. Nothing was saved.",
        )
        return render(request, "api/fhir_import.html", context, status=400)
    try:
        _save(request, patient, draft)
    except InputError as error:
        form.add_error(None, f"{error} Nothing was saved.")
        return render(request, "api/fhir_import.html", context, status=400)
    messages.success(request, f"Regimen imported from FHIR ({len(draft.doses)} doses).")
    return HttpResponseRedirect(reverse("patients:detail", args=[patient.pk]))
