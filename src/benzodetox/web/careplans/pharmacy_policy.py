"""A programme's pharmacy (supply) policy: staged supply for patients the intake rates at high
withdrawal risk, and the default supply period it gives each patient's pharmacy order.

Where the risk comes from: the latest intake's rating, which the core's assessment made when
the intake was saved (``patients.services.save_intake`` → ``core.assessment``); the rule that
turns risk and policy into a period is the core's (``core.supply.supply_period_for``). The page
is tiny: programme admins change it, every member reads it, each view and change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from benzodetox.core.assessment.risk import LEVELS
from benzodetox.core.errors import InputError
from benzodetox.core.supply import DEFAULT_PERIOD_DAYS, SUPPLY_PERIODS, supply_period_for
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.patients.services import latest_intake
from benzodetox.web.programmes.services import allowed, chosen_programme, require

from .models import PharmacyPolicySettings

__all__ = [
    "DEFAULT_DAYS",
    "POLICY_ACTION",
    "STAGED_DAYS",
    "OrderDefault",
    "PharmacyPolicyForm",
    "order_default",
    "pharmacy_policy",
    "policy_text",
    "save_policy",
    "settings_for",
]

#: who changes the policy: programme admins
POLICY_ACTION = "pharmacy.policy"
#: the ordinary supply period, and the staged periods a programme may choose
DEFAULT_DAYS = DEFAULT_PERIOD_DAYS
STAGED_DAYS = tuple(days for days in SUPPLY_PERIODS if days < DEFAULT_PERIOD_DAYS)
_DAY_LABELS = {1: "1 day (daily supply)", 7: "7 days (weekly supply)", 14: "14 days"}


def _level_label(level: str) -> str:
    """'high' → 'high risk'; a lower level → 'significant risk or higher'."""
    top = LEVELS[-1]
    return f"{level} risk" if level == top else f"{level} risk or higher"


def settings_for(programme_id: int) -> PharmacyPolicySettings | None:
    return PharmacyPolicySettings.objects.filter(programme_id=programme_id).first()


def policy_text(row: PharmacyPolicySettings | None) -> str:
    """The policy in one sentence."""
    if row is None or not row.staged_from_risk:
        return f"No staged supply: every pharmacy order defaults to {DEFAULT_DAYS} days."
    return (
        f"Staged supply: patients whose latest intake is rated {_level_label(row.staged_from_risk)}"
        f" get their pharmacy order in periods of {_DAY_LABELS.get(row.staged_days or 0, '?')} "
        f"by default; everyone else {DEFAULT_DAYS} days."
    )


@dataclass(frozen=True)
class OrderDefault:
    """The supply period a patient's order opens with, and why (shown beside the select)."""

    days: int | None
    why: str
    staged: bool
    note: str = ""  # printed beside the period on the order when it is the staged one

    @property
    def key(self) -> str:
        return "step" if self.days is None else str(self.days)


def order_default(patient: Patient) -> OrderDefault:
    """The programme's staged period for a patient rated at or above its risk level, else 28
    days; ``why`` names the rating and the policy."""
    row = settings_for(patient.programme_id)
    intake = latest_intake(patient)
    risk = intake.risk if intake is not None else ""
    if row is None or not row.staged_from_risk:
        return OrderDefault(DEFAULT_DAYS, "", staged=False)
    days = supply_period_for(risk, row.staged_from_risk, row.staged_days, DEFAULT_DAYS)
    if days != DEFAULT_DAYS:
        return OrderDefault(
            days,
            f"Staged supply: the intake rates this patient {risk} withdrawal risk, and the "
            f"programme supplies patients at {_level_label(row.staged_from_risk)} every "
            f"{_DAY_LABELS.get(days or 0, str(days))}.",
            staged=True,
            note=f"staged supply: the intake rates this patient {risk} withdrawal risk",
        )
    rated = f"rated {risk} risk" if risk else "not yet rated (no assessed intake)"
    return OrderDefault(
        DEFAULT_DAYS,
        f"The programme stages supply from {_level_label(row.staged_from_risk)}; this patient "
        f"is {rated}, so the order defaults to {DEFAULT_DAYS} days.",
        staged=False,
    )


class PharmacyPolicyForm(forms.Form):
    staged_from_risk = forms.ChoiceField(
        label="Staged supply for",
        required=False,
        help_text="The withdrawal risk the intake's assessment gives (its latest intake).",
    )
    staged_days = forms.TypedChoiceField(
        label="Staged supply period",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *((d, _DAY_LABELS[d]) for d in STAGED_DAYS)],
        help_text="What their pharmacy order defaults to; a clinician may still choose another.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "No staged supply")] + [
            (level, f"Patients at {_level_label(level)}") for level in reversed(LEVELS[1:])
        ]
        field = self.fields["staged_from_risk"]
        field.choices = choices  # type: ignore[attr-defined]
        allowed_levels = ", ".join(level for level, _ in choices if level)
        field.error_messages["invalid_choice"] = (
            f"Staged supply for: %(value)s is not a risk level; choose {allowed_levels} "
            "or no staged supply."
        )
        self.fields["staged_days"].error_messages["invalid_choice"] = (
            "Staged supply period: %(value)s is not allowed; choose 1, 7 or 14 days."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        level, days = data.get("staged_from_risk"), data.get("staged_days")
        if level and days is None and "staged_days" not in self.errors:
            self.add_error("staged_days", "Choose the staged supply period: 1, 7 or 14 days.")
        if not level and days is not None and "staged_from_risk" not in self.errors:
            self.add_error(
                "staged_from_risk",
                "Choose which patients get staged supply, or leave the period empty.",
            )
        return data


@transaction.atomic
def save_policy(
    request: HttpRequest, programme_id: int, staged_from_risk: str, staged_days: int | None
) -> PharmacyPolicySettings:
    """Store the programme's staged supply after the core has accepted it (a level the core
    rates, a period it supplies in); audited with what changed."""
    require(request.user, POLICY_ACTION, programme_id)
    if staged_from_risk:
        supply_period_for(LEVELS[-1], staged_from_risk, staged_days)  # refuses bad values
        if staged_days not in STAGED_DAYS:
            raise InputError("staged_days", staged_days, "1, 7 or 14 days")
    else:
        staged_days = None
    row = settings_for(programme_id) or PharmacyPolicySettings(programme_id=programme_id)
    before = (row.staged_from_risk, row.staged_days) if row.pk else ("", None)
    row.staged_from_risk = staged_from_risk
    row.staged_days = staged_days
    row.updated_by = request.user  # type: ignore[assignment]
    row._change_reason = "pharmacy policy changed"  # type: ignore[attr-defined]
    row.save()
    after = (staged_from_risk, staged_days)
    record(
        request,
        "careplan.pharmacy_policy_changed",
        obj=row,
        programme=programme_id,
        summary=(
            f"staged supply {before[0] or 'off'}/{before[1] or '-'} → "
            f"{after[0] or 'off'}/{after[1] or '-'}"
            + (" (unchanged)" if before == after else "")
        ),
        detail={"before": list(before), "after": list(after)},
    )
    return row


@require_http_methods(["GET", "POST"])
def pharmacy_policy(request: HttpRequest) -> HttpResponse:
    """The programme's staged-supply policy; every member reads it, programme admins change
    it (audited, with history)."""
    programmes, programme = chosen_programme(request, "careplan.view")
    can_edit = allowed(request.user, POLICY_ACTION, programme.pk)
    current = settings_for(programme.pk)
    initial = {
        "staged_from_risk": current.staged_from_risk if current else "",
        "staged_days": current.staged_days if current else None,
    }
    form = PharmacyPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(request.user, POLICY_ACTION, programme.pk)
        if form.is_valid():
            try:
                row = save_policy(
                    request,
                    programme.pk,
                    form.cleaned_data["staged_from_risk"] or "",
                    form.cleaned_data["staged_days"],
                )
            except InputError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Pharmacy policy of {programme.name} saved. "
                                 + policy_text(row))
                return HttpResponseRedirect(
                    reverse("careplans:pharmacy_policy") + f"?programme={programme.pk}"
                )
    else:
        record(request, "careplan.pharmacy_policy_viewed", programme=programme.pk)
    return render(
        request,
        "careplans/pharmacy_policy.html",
        {
            "programmes": programmes,
            "programme": programme,
            "policy": current,
            "policy_text": policy_text(current),
            "form": form,
            "can_edit": can_edit,
        },
    )
