"""The outcomes page's filters. Choices come from the cohort itself (the strategies, drugs and
bands that occur), so a filter can only name something that exists; anything else is a field
error, never a server error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from benzodetox.core.catalogue import catalogue
from benzodetox.core.outcomes import CohortFilter, EpisodeOutcome

from .models import OutcomeSettings

__all__ = ["FilterForm", "SettingsForm"]

SETTINGS = (("inpatient", "Inpatient at the start"), ("outpatient", "Outpatient at the start"))


def _choices(values: set[str], words: dict[str, str] | None = None) -> list[tuple[str, str]]:
    words = words or {}
    return [("", "All")] + [(v, words.get(v, v)) for v in sorted(values) if v]


class FilterForm(forms.Form):
    start_from = forms.DateField(
        required=False, label="Started from", widget=forms.DateInput(attrs={"type": "date"})
    )
    start_to = forms.DateField(
        required=False, label="Started until", widget=forms.DateInput(attrs={"type": "date"})
    )
    start_month = forms.ChoiceField(required=False, label="Start month")
    strategy = forms.ChoiceField(required=False, label="Strategy")
    setting = forms.ChoiceField(required=False, label="Setting", choices=[("", "All"), *SETTINGS])
    drug = forms.ChoiceField(required=False, label="Starting drug")
    dose_band = forms.ChoiceField(required=False, label="Starting dose (diazepam-eq/day)")
    age_band = forms.ChoiceField(required=False, label="Age at the start")

    def __init__(self, *args: Any, outcomes: Sequence[EpisodeOutcome] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        drugs = catalogue().drugs
        names = {key: d.name for key, d in drugs.items()}
        fields: dict[str, tuple[str, dict[str, str] | None]] = {
            "start_month": ("start_month", None),
            "strategy": ("strategy", None),
            "drug": ("starting_drug", names),
            "dose_band": ("dose_band", None),
            "age_band": ("age_band", None),
        }
        for name, (attr, words) in fields.items():
            values = {str(getattr(o, attr)) for o in outcomes}
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = _choices(values, words)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lo, hi = data.get("start_from"), data.get("start_to")
        if lo and hi and hi < lo:
            self.add_error("start_to", "Enter a day on or after 'Started from'.")
        return data

    def cohort_filter(self) -> CohortFilter:
        """The filter the valid form asks for (everyone when it is not valid)."""
        if not self.is_valid():
            return CohortFilter()
        d = self.cleaned_data
        return CohortFilter(
            start_from=d.get("start_from"),
            start_to=d.get("start_to"),
            strategy=d.get("strategy") or "",
            setting=d.get("setting") or "",
            drug=d.get("drug") or "",
            dose_band=d.get("dose_band") or "",
            age_band=d.get("age_band") or "",
            start_month=d.get("start_month") or "",
        )

    def described(self) -> dict[str, str]:
        """The filters in force, for the audit log and the PDF."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v}


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """A programme's own outcome definitions; blank keeps the programme definition shown."""

    class Meta:
        model = OutcomeSettings
        fields = ("lost_to_follow_up_days", "small_cell_threshold", "stayed_off_days")
