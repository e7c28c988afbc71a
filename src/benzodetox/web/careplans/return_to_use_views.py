"""The aftercare page's return-to-use section: its forms and the two views that record a
report and withdraw one. A failed form shows the aftercare page again with the error beside
its field; the page itself gets the section from the ``return_to_use`` template tag."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from benzodetox.core.errors import InputError
from benzodetox.web.patients.models import Patient
from benzodetox.web.patients.services import get_patient

from . import return_to_use
from .forms import CoreErrorMixin
from .return_model import REPORTERS, ReturnToUseReport
from .views import _aftercare_context

__all__ = ["ReturnForm", "WithdrawForm", "record_view", "section", "withdraw_view"]

_DATE = {"type": "date"}


def _report_label(report: ReturnToUseReport) -> str:
    return (
        f"{report.on.isoformat()} — {return_to_use.substance_name(report.substance)}, "
        f"{report.get_reported_by_display()}"
    )


class ReturnForm(CoreErrorMixin, forms.Form):
    on = forms.DateField(
        label="Date of use (the first day)",
        widget=forms.DateInput(attrs=_DATE),
        error_messages={"invalid": "Enter a real date as YYYY-MM-DD."},
    )
    reported_by = forms.ChoiceField(label="Reported by", choices=REPORTERS)
    substance = forms.ChoiceField(label="Substance")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    corrects = forms.TypedChoiceField(
        label="Corrects an earlier report",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="The earlier report is kept, marked as corrected by this one.",
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.span = return_to_use.date_range(patient)
        field: Any = self.fields["substance"]
        field.choices = [("", "—"), *return_to_use.substance_choices()]
        corrects: Any = self.fields["corrects"]
        corrects.choices = [("", "No: a new report")] + [
            (r.pk, _report_label(r)) for r in return_to_use.current_reports(patient)
        ]
        on: Any = self.fields["on"]
        if self.span is not None:
            on.widget.attrs.update(min=self.span.first.isoformat(), max=self.span.last.isoformat())
            on.help_text = self.span.allowed[0].upper() + self.span.allowed[1:] + "."

    def clean_on(self) -> Any:
        on = self.cleaned_data["on"]
        if self.span is None:
            raise forms.ValidationError("No taper plan yet: nothing to return from.")
        if not self.span.first <= on <= self.span.last:
            raise forms.ValidationError(
                f"{on.isoformat()}: not allowed; expected {self.span.allowed}."
            )
        return on


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Why it was wrong", max_length=300)


def section(patient: Patient, can_edit: bool, form: ReturnForm | None = None) -> dict[str, Any]:
    """What the aftercare page's return-to-use section shows."""
    reports = list(return_to_use.current_reports(patient))
    return {
        "reports": [
            (r, return_to_use.substance_name(r.substance), WithdrawForm(prefix=f"w{r.pk}"))
            for r in reports
        ],
        "can_edit": can_edit,
        "form": (
            form
            if form is not None
            else (ReturnForm(prefix="rtu", patient=patient) if can_edit else None)
        ),
        "has_plan": return_to_use.date_range(patient) is not None,
    }


def _again(request: HttpRequest, patient: Patient, form: ReturnForm) -> HttpResponse:
    context = _aftercare_context(request, patient)
    context["return_section"] = section(patient, True, form)
    return render(request, "careplans/aftercare.html", context)


def _to_page(request: HttpRequest, patient: Patient, message: str) -> HttpResponse:
    messages.success(request, message)
    url = reverse("careplans:aftercare", args=[patient.pk]) + "#return-to-use"
    return HttpResponseRedirect(url)


@require_POST
def record_view(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient(request, pk, "aftercare.edit")
    form = ReturnForm(request.POST, prefix="rtu", patient=patient)
    if form.is_valid():
        data = form.cleaned_data
        try:
            return_to_use.record_return(
                request,
                patient,
                on=data["on"],
                reported_by=data["reported_by"],
                substance=data["substance"],
                note=data["note"],
                corrects=data["corrects"],
            )
        except InputError as error:
            form.add_core_error(error)
        else:
            return _to_page(request, patient, "Return to use recorded.")
    return _again(request, patient, form)


@require_POST
def withdraw_view(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    patient = get_patient(request, pk, "aftercare.edit")
    form = WithdrawForm(request.POST, prefix=f"w{report_id}")
    if form.is_valid():
        try:
            return_to_use.withdraw_return(request, patient, report_id, form.cleaned_data["reason"])
        except InputError as error:
            messages.error(request, f"Nothing withdrawn: {error}")
            return HttpResponseRedirect(reverse("careplans:aftercare", args=[patient.pk]))
        return _to_page(request, patient, "Report withdrawn.")
    messages.error(request, "Withdrawing a report needs its reason (why it was wrong).")
    return HttpResponseRedirect(reverse("careplans:aftercare", args=[patient.pk]))
