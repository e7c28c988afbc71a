"""Forms of the patient record, regimen, intake, decision and phase. Each keeps what was
entered when it fails validation, and shows each error beside its field."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any, ClassVar, cast

from django import forms

from benzodetox.core.assessment.intake import DIMENSIONS
from benzodetox.core.catalogue import catalogue
from benzodetox.core.errors import InputError
from benzodetox.core.units import parse_amount, to_mg
from benzodetox.web.fields import set_choices
from benzodetox.web.programmes.models import Programme

from .choices import (
    FOLLOW_PLAN,
    LEVELS_OF_CARE,
    Decision,
    HomeSupport,
    Phase,
    Pregnancy,
    condition_choices,
    drug_choices,
    substance_choices,
    table_choices,
)
from .models import Intake, Patient


class PatientForm(forms.ModelForm):  # type: ignore[type-arg]
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), empty_label=None)

    class Meta:
        model = Patient
        fields = ("programme", "reference", "display_name", "year_of_birth")

    def __init__(self, *args: Any, programmes: list[Programme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [p.pk for p in programmes]
        self.fields["programme"].queryset = Programme.objects.filter(pk__in=ids)  # type: ignore[attr-defined]
        if self.instance.pk:
            del self.fields["programme"]
        elif len(programmes) == 1:
            self.fields["programme"].initial = programmes[0].pk
        self.fields["year_of_birth"].widget.attrs.update({"inputmode": "numeric"})

    def clean_reference(self) -> str:
        """Unique in the patient's programme. Django checks the constraint itself only where the
        form has the programme field, so editing (which hides it) checks here."""
        reference: str = self.cleaned_data["reference"]
        programme_id = self.instance.programme_id if self.instance.pk else None
        if programme_id is not None:
            taken = Patient.objects.filter(programme_id=programme_id, reference=reference)
            if taken.exclude(pk=self.instance.pk).exists():
                raise forms.ValidationError(
                    f"Reference {reference!r} is already used by another patient of this "
                    "programme; choose another.",
                    code="unique",
                )
        return reference


class RegimenRowForm(forms.Form):
    drug = forms.ChoiceField(required=False)
    amount = forms.CharField(required=False, max_length=12, label="Dose")
    unit = forms.ChoiceField(choices=[("mg", "mg"), ("µg", "µg")], initial="mg", required=False)
    time = forms.TimeField(
        required=False,
        input_formats=["%H:%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "drug", [("", "—"), *drug_choices()])
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "size": 6})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        drug, amount, at = data.get("drug"), data.get("amount"), data.get("time")
        if not drug and not amount and at is None and not self.errors:
            data["empty"] = True
            return data
        data["empty"] = False
        if not drug:
            self.add_error("drug", "Choose the drug.")
        if not amount:
            self.add_error("amount", "Enter the dose.")
        if at is None and "time" not in self.errors:
            self.add_error("time", "Enter the time of day (HH:MM).")
        if amount:
            try:
                data["mg"] = to_mg(parse_amount(amount, "amount"), data.get("unit") or "mg")
            except InputError as error:
                self.add_error("amount", f"{error.allowed}.")
        if drug and data.get("mg") is not None:
            limit = catalogue().drugs[drug].max_daily.mg
            if data["mg"] > limit:
                self.add_error(
                    "amount",
                    f"Above the plausible maximum daily dose of {limit} mg: check the amount.",
                )
        return data


class BaseRegimenFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        rows = [f.cleaned_data for f in self.forms if not f.cleaned_data.get("empty", True)]
        if not rows:
            raise forms.ValidationError("Enter at least one dose.")
        seen: set[tuple[str, time]] = set()
        for form in self.forms:
            data = form.cleaned_data
            if data.get("empty", True):
                continue
            key = (data["drug"], data["time"])
            if key in seen:
                form.add_error("time", "This drug already has a dose at this time.")
            seen.add(key)

    def doses(self) -> list[tuple[str, Decimal, time]]:
        return [
            (f.cleaned_data["drug"], f.cleaned_data["mg"], f.cleaned_data["time"])
            for f in self.forms
            if not f.cleaned_data.get("empty", True)
        ]


RegimenFormSet = cast(
    type[BaseRegimenFormSet],
    forms.formset_factory(
        RegimenRowForm, formset=BaseRegimenFormSet, extra=0, max_num=12, absolute_max=12
    ),
)


def regimen_initial(doses: list[Any], blank_rows: int = 3) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"drug": d.drug, "amount": f"{d.mg.normalize():f}", "unit": "mg", "time": d.time}
        for d in doses
    ]
    return rows + [{"unit": "mg"} for _ in range(blank_rows)]


DIMENSION_LABELS = {
    "withdrawal": "1. Acute intoxication / withdrawal potential",
    "biomedical": "2. Biomedical conditions and complications",
    "emotional": "3. Emotional, behavioural or cognitive conditions",
    "readiness": "4. Readiness to change",
    "relapse": "5. Relapse / continued use potential",
    "environment": "6. Recovery / living environment",
}


class IntakeForm(forms.ModelForm):  # type: ignore[type-arg]
    substances = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Other substances"
    )
    conditions = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Conditions"
    )
    equivalence_table = forms.ChoiceField(label="Equivalence table for the daily dose")
    basis = forms.ChoiceField(
        required=False,
        label="Where the table gives a range",
        choices=[("", "Refuse to pick (ask me)"), ("low", "Low end"), ("high", "High end")],
    )

    class Meta:
        model = Intake
        fields = (
            "duration_months",
            "days_per_week",
            "equivalence_table",
            "basis",
            "withdrawal_seizure_history",
            "withdrawal_delirium_history",
            "substances",
            "substances_note",
            "sud_medication",
            "conditions",
            "conditions_note",
            "pregnancy",
            "home_support",
            "care_partners",
            "notes",
        )
        widgets: ClassVar[dict[str, Any]] = {
            "substances_note": forms.Textarea(attrs={"rows": 2}),
            "conditions_note": forms.Textarea(attrs={"rows": 2}),
            "care_partners": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "pregnancy": forms.RadioSelect,
            "home_support": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "home_support", HomeSupport.choices)  # no blank radio button
        set_choices(self, "pregnancy", Pregnancy.choices)
        set_choices(self, "substances", substance_choices())
        set_choices(self, "conditions", condition_choices())
        set_choices(self, "equivalence_table", table_choices())
        for key in DIMENSIONS:
            name = f"dimension_{key}"
            self.fields[name] = forms.TypedChoiceField(
                label=DIMENSION_LABELS.get(key, key),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "not rated"), *[(i, str(i)) for i in range(5)]],
            )
            if self.instance.pk and key in (self.instance.dimensions or {}):
                self.initial[name] = self.instance.dimensions[key]
        self.fields["days_per_week"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["duration_months"].widget.attrs.update({"inputmode": "decimal"})

    def dimension_fields(self) -> list[Any]:
        return [self[f"dimension_{key}"] for key in DIMENSIONS]

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["dimensions"] = {
            key: self.cleaned_data[f"dimension_{key}"]
            for key in DIMENSIONS
            if self.cleaned_data.get(f"dimension_{key}") is not None
        }
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    chosen_level = forms.ChoiceField(
        required=False, label="Level of care chosen", choices=[("", "—"), *LEVELS_OF_CARE]
    )
    decision_reason = forms.CharField(
        required=False, label="Reason", widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == Decision.OTHER:
            if not data.get("chosen_level"):
                self.add_error("chosen_level", "Choose the level of care you decided on.")
            if not (data.get("decision_reason") or "").strip():
                self.add_error("decision_reason", "Say why you chose another level of care.")
        return data


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(
        choices=[(FOLLOW_PLAN, "As the approved plan says (follow its dates)"), *Phase.choices],
        label="Change phase of care to",
        help_text="A phase the plan does not give today stays until the next approval.",
    )
    reason = forms.CharField(max_length=300, label="Reason")
