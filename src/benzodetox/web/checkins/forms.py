"""Team-side forms: the programme's check-in settings and the answer to a patient's request."""

from __future__ import annotations

from django import forms

from .models import CheckinSettings

__all__ = ["AnswerForm", "CheckinSettingsForm"]


class CheckinSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """Blank keeps the core's default (shown beside each field with its source)."""

    class Meta:
        model = CheckinSettings
        fields = (
            "after_reduction_from_day",
            "every_days",
            "mood_every_days",
            "ciwa_b_alert_from",
            "bwsq_alert_from",
        )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(
            ("apply", "Apply it: make a new plan version (approved the normal way)"),
            ("decline", "Decline it, with a message to the patient"),
        ),
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label="Message to the patient (required when declining)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_latest = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
