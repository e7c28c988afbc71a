from __future__ import annotations

from datetime import date

from django import forms

#: The last day 'To' may name: the filter ends at the start of the following day.
LAST_UNTIL = date(9999, 12, 30)


class AuditFilterForm(forms.Form):
    username = forms.CharField(required=False, label="User", max_length=150)
    action = forms.CharField(required=False, label="Action starts with", max_length=64)
    patient = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, label="Patient id"
    )
    since = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From"
    )
    until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To"
    )

    def clean_until(self) -> date | None:
        until: date | None = self.cleaned_data.get("until")
        if until is not None and until > LAST_UNTIL:
            raise forms.ValidationError(f"To: a date up to {LAST_UNTIL.isoformat()}.")
        return until
