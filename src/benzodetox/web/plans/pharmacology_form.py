"""The Pharmacology page's form: the ED50/EC50 the user states, the second strategy to compare
and flumazenil in research mode; a core InputError lands on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms

from benzodetox.core.errors import InputError
from benzodetox.core.kinetics.flumazenil import parse_rate
from benzodetox.core.kinetics.occupancy import Ed50, parse_ed50
from benzodetox.core.tapering import STRATEGY_NAMES

from .forms import STRATEGY_LABELS

__all__ = ["PharmacologyForm", "core_message"]

#: Core field names (InputError.field) → this form's fields.
CORE_FIELDS = {
    "ed50": "ed50",
    "strategy": "compare_strategy",
    "percent": "compare_percent",
    "interval": "compare_interval_days",
    "interval_days": "compare_interval_days",
    "every": "compare_interval_days",
    "flumazenil-infusion": "flumazenil_rate",
    "flumazenil-days": "flumazenil_days",
    "flumazenil-route": "flumazenil_route",
}


class PharmacologyForm(forms.Form):
    ed50 = forms.CharField(
        required=False,
        max_length=200,
        label="Occupancy ED50 / EC50 (your assumption)",
        help_text=(
            "'40 mg/day' (diazepam-equivalent dose) or 'diazepam=300 ng/mL' (concentration); "
            "several separated by ';'. Empty: the three illustration values of the reference, "
            "labelled as an illustration — no published curve exists."
        ),
    )
    compare_strategy = forms.ChoiceField(required=False, label="Compare with strategy")
    compare_percent = forms.DecimalField(
        required=False,
        max_digits=6,
        decimal_places=3,
        label="Its reduction per step (%)",
        help_text="Empty: that strategy's default.",
    )
    compare_interval_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=120,
        label="Its days between reductions",
        help_text="Empty: that strategy's default.",
    )
    flumazenil_rate = forms.CharField(
        required=False,
        max_length=40,
        label="Flumazenil infusion rate",
        help_text="e.g. '1 mg/24h'. Research mode only; empty for none.",
    )
    flumazenil_days = forms.IntegerField(
        required=False, min_value=1, max_value=30, label="Infusion days", initial=7
    )
    flumazenil_route = forms.ChoiceField(
        required=False,
        label="Route",
        choices=[("sc", "subcutaneous"), ("iv", "intravenous")],
        initial="sc",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        strategy = self.fields["compare_strategy"]
        assert isinstance(strategy, forms.ChoiceField)
        strategy.choices = [
            ("", "No comparison"),
            *[(n, STRATEGY_LABELS.get(n, n)) for n in STRATEGY_NAMES if n != "custom"],
        ]
        self.fields["compare_percent"].widget.attrs.update({"inputmode": "decimal", "step": "any"})

    def clean_ed50(self) -> tuple[Ed50, ...]:
        text = self.cleaned_data.get("ed50") or ""
        out = []
        for part in text.split(";"):
            if not part.strip():
                continue
            try:
                out.append(parse_ed50(part))
            except InputError as error:
                raise forms.ValidationError(core_message(error)) from None
        return tuple(out)

    def clean_flumazenil_rate(self) -> float | None:
        text = (self.cleaned_data.get("flumazenil_rate") or "").strip()
        if not text:
            return None
        try:
            return parse_rate(text)
        except InputError as error:
            raise forms.ValidationError(core_message(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("compare_strategy"):
            for name in ("compare_percent", "compare_interval_days"):
                if data.get(name) is not None:
                    self.add_error(name, "Choose the strategy to compare with first.")
        return data

    def add_core_error(self, error: InputError, default: str | None = None) -> None:
        name = CORE_FIELDS.get(error.field.split(".")[0], default)
        if name is not None and name in self.fields:
            self.add_error(name, core_message(error))
        else:
            self.add_error(None, str(error))


def core_message(error: InputError) -> str:
    hint = f" {error.hint}" if error.hint else ""
    return f"{error.value!s}: not accepted; expected {error.allowed}.{hint}"
