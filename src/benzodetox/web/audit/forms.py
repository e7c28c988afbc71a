from __future__ import annotations

from django import forms


class AuditFilterForm(forms.Form):
    username = forms.CharField(required=False, label="User")
    action = forms.CharField(required=False, label="Action starts with")
    patient = forms.IntegerField(required=False, min_value=1, label="Patient id")
    since = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From"
    )
    until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To"
    )
