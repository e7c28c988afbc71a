"""The plan builder's form: every PlanRequest parameter, with field-level errors, plus the reason
for the version (needed to save, not to preview)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.http import QueryDict
from django.utils import timezone

from benzodetox.core.errors import InputError
from benzodetox.core.plan import CustomStep, PlanRequest
from benzodetox.core.regimen import Regimen, parse_time
from benzodetox.core.tapering import STRATEGY_NAMES
from benzodetox.web.patients.choices import (
    drug_choices,
    drug_name,
    market_choices,
    table_choices,
)

STRATEGY_LABELS = {
    "asam": "ASAM 2025 (5–10 % every 2–4 weeks)",
    "ashton": "Ashton manual",
    "hyperbolic": "Hyperbolic (percent of the current dose)",
    "deprescribing": "deprescribing.org",
    "inpatient": "Inpatient stabilise, then outpatient",
    "custom": "Custom steps",
}

#: Core field names (InputError.field) that differ from the form's field names.
CORE_FIELD_ALIASES = {
    "final_dose": "final_dose_mg",
    "plateau": "plateau_mg",
    "discharge": "discharge_mg",
    "discharge_dose": "discharge_mg",
    "stabilise": "stabilise_days",
    "interval": "interval_days",
    "every": "interval_days",
    "table": "source",
    "override": "override_reason",
    "times": "dose_times",
}

#: Fields holding times of day, entered as "HH:MM" separated by commas.
TIME_LIST_FIELDS = ("dose_times", "reduce_order")

_DEC = {"max_digits": 9, "decimal_places": 3, "required": False}


class PlanForm(forms.Form):
    source = forms.ChoiceField(label="Equivalence table")
    basis = forms.ChoiceField(
        required=False,
        label="Where the table gives a range",
        choices=[("", "Refuse to pick (ask me)"), ("low", "Low end"), ("high", "High end")],
    )
    switch_to = forms.ChoiceField(required=False, label="Switch to (crossover)")
    switch_first = forms.TimeField(
        required=False,
        label="Dose time substituted first",
        input_formats=["%H:%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        help_text="Default: the latest dose of the day.",
    )
    crossover_days = forms.IntegerField(
        min_value=1, max_value=28, initial=7, label="Days per crossover stage"
    )
    strategy = forms.ChoiceField(label="Strategy")
    percent = forms.DecimalField(
        label="Reduction per step (%)", help_text="Empty: the strategy's default.", **_DEC
    )
    interval_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=120,
        label="Days between reductions",
        help_text="Empty: the strategy's default.",
    )
    final_dose_mg = forms.DecimalField(
        label="Stop from (diazepam-eq mg/day)", help_text="Empty: the strategy's default.", **_DEC
    )
    plateau_mg = forms.DecimalField(
        label="End on a maintenance dose (diazepam-eq mg/day)",
        help_text="Empty: taper to zero.",
        **_DEC,
    )
    dose_times = forms.CharField(
        required=False,
        max_length=100,
        label="Divide across times of day",
        help_text="HH:MM separated by commas, e.g. '08:00, 22:00': the one working drug (after "
        "a switch) is divided evenly across these times before the reductions. Empty: keep the "
        "current times.",
    )
    reduce_order = forms.CharField(
        required=False,
        max_length=100,
        label="Reduce the dose times in this order",
        help_text="HH:MM separated by commas, e.g. '08:00, 14:00'; times not listed follow, "
        "earliest first. Empty: earliest first, bedtime last.",
    )
    stabilise_days = forms.IntegerField(
        required=False, min_value=1, max_value=60, label="Inpatient: days to stabilise"
    )
    discharge_mg = forms.DecimalField(
        label="Inpatient: hand-over dose (diazepam-eq mg/day)", **_DEC
    )
    then = forms.ChoiceField(required=False, label="Inpatient: outpatient strategy after")
    custom_steps = forms.CharField(
        required=False,
        label="Custom steps",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One step a line: daily mg of the working drug, then days, e.g. '18 14'.",
    )
    drug_free_nights = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=6,
        label="deprescribing.org: drug-free nights a week near the end",
        help_text="0–6; empty or 0 for none.",
    )
    allow_liquid = forms.BooleanField(required=False, initial=True, label="Allow oral liquid")
    market = forms.ChoiceField(label="Market (products available)")
    start = forms.DateField(
        label="Start date", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    override_reason = forms.CharField(
        required=False,
        max_length=300,
        label="Override reason",
        help_text="Only to allow a step beyond the strategy's ceiling; recorded on the plan.",
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        label="Why this version",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = table_choices()
        self.fields["switch_to"].choices = [("", "No switch"), *drug_choices()]
        names = [(n, STRATEGY_LABELS.get(n, n)) for n in STRATEGY_NAMES]
        self.fields["strategy"].choices = names
        self.fields["then"].choices = [
            ("", "—"),
            *[(n, label) for n, label in names if n not in ("inpatient", "custom")],
        ]
        self.fields["market"].choices = market_choices()
        for name in ("percent", "final_dose_mg", "plateau_mg", "discharge_mg"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "any"})

    def clean_custom_steps(self) -> tuple[CustomStep, ...]:
        text = self.cleaned_data.get("custom_steps") or ""
        steps = []
        for number, line in enumerate(text.splitlines(), start=1):
            parts = line.replace(",", " ").split()
            if not parts:
                continue
            try:
                mg, days = Decimal(parts[0]), int(parts[1])
                if len(parts) != 2 or mg < 0 or days < 1 or not mg.is_finite():
                    raise ValueError
            except (ValueError, IndexError, ArithmeticError):
                raise forms.ValidationError(
                    f"Line {number} ('{line.strip()}'): write the daily mg then the days, "
                    "e.g. '18 14'."
                ) from None
            steps.append(CustomStep(daily_mg=mg, days=days))
        return tuple(steps)

    def _clean_times(self, name: str) -> tuple[time, ...]:
        text = self.cleaned_data.get(name) or ""
        times = []
        for part in text.replace(";", ",").split(","):
            if not part.strip():
                continue
            try:
                times.append(parse_time(part, name))
            except InputError:
                raise forms.ValidationError(
                    f"'{part.strip()}': write times of day as HH:MM separated by commas, "
                    "e.g. '08:00, 22:00'."
                ) from None
        return tuple(times)

    def clean_dose_times(self) -> tuple[time, ...]:
        return self._clean_times("dose_times")

    def clean_reduce_order(self) -> tuple[time, ...]:
        return self._clean_times("reduce_order")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("strategy") == "custom"
            and not data.get("custom_steps")
            and "custom_steps" not in self.errors
        ):
            self.add_error("custom_steps", "Enter at least one step for a custom plan.")
        return data

    def plan_request(self, regimen: Regimen) -> PlanRequest:
        d = self.cleaned_data
        return PlanRequest(
            regimen=regimen,
            source=d["source"],
            start=d["start"],
            strategy=d["strategy"],
            market=d["market"],
            basis=d.get("basis") or None,
            percent=d.get("percent"),
            interval_days=d.get("interval_days"),
            switch_to=d.get("switch_to") or None,
            switch_first=d.get("switch_first"),
            crossover_days=d.get("crossover_days") or 7,
            final_dose_mg=d.get("final_dose_mg"),
            plateau_mg=d.get("plateau_mg"),
            reduce_order=d.get("reduce_order") or (),
            dose_times=d.get("dose_times") or (),
            stabilise_days=d.get("stabilise_days"),
            discharge_mg=d.get("discharge_mg"),
            then=d.get("then") or "asam",
            drug_free_nights=d.get("drug_free_nights") or 0,
            allow_liquid=bool(d.get("allow_liquid")),
            custom_steps=d.get("custom_steps") or (),
            override_reason=d.get("override_reason") or "",
        )

    def parameters(self) -> dict[str, Any]:
        """The entered parameters as JSON-safe text (stored with the version, reloaded into
        the builder)."""
        out: dict[str, Any] = {}
        for name in self.fields:
            if name == "reason":
                continue
            value = self.cleaned_data.get(name)
            if name == "custom_steps":
                value = "\n".join(f"{s.daily_mg} {s.days}" for s in value or ())
            elif name in TIME_LIST_FIELDS:
                value = ", ".join(t.strftime("%H:%M") for t in value or ())
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, time):
                value = value.strftime("%H:%M")
            elif isinstance(value, Decimal):
                value = str(value)
            out[name] = value
        return out

    def add_core_error(self, error: InputError) -> None:
        """A core InputError/PlanError on the field it names, or on the whole form."""
        name = error.field.split(".")[0].split("[")[0]
        name = CORE_FIELD_ALIASES.get(name, name)
        message = f"{error.allowed}." + (f" {error.hint}" if error.hint else "")
        if name in self.fields and name != "reason":
            self.add_error(name, f"{error.value!s}: not allowed; expected {message}")
        else:
            self.add_error(None, str(error))


def initial_parameters(previous: dict[str, Any] | None, intake_table: str | None) -> dict[str, Any]:
    """The builder's starting values: the last version's parameters, else sensible blanks."""
    if previous:
        return dict(previous)
    return {
        "source": intake_table or "",
        "strategy": "asam",
        "market": "us",
        "crossover_days": 7,
        "allow_liquid": True,
        "start": timezone.localdate(),
    }


# -- the core's alternatives as one click: their changes applied to the builder's form -----------

#: The button that applies an alternative posts its changes under this name.
ALTERNATIVE_PARAM = "alternative"


def form_field_for(name: str) -> str:
    """The builder's form field for a PlanRequest field an alternative changes (refused, as an
    InputError, for one the builder has no control for)."""
    field = CORE_FIELD_ALIASES.get(name, name)
    if field not in PlanForm.base_fields or field == "reason":
        raise InputError(ALTERNATIVE_PARAM, name, "a change to a field of the plan builder")
    return field


def encode_changes(changes: Iterable[tuple[str, str]]) -> str:
    """'allow_liquid=true&switch_to=diazepam': an alternative's changes as its button posts them."""
    return urlencode(list(changes))


def decode_changes(text: str) -> tuple[tuple[str, str], ...]:
    """The changes a button posted; each names a builder field (InputError otherwise)."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, max_num_fields=8)
    except ValueError:
        raise InputError(ALTERNATIVE_PARAM, text, "changes as field=value pairs") from None
    for name, _value in pairs:
        form_field_for(name)
    return tuple(pairs)


def describe_change(name: str, value: str) -> tuple[str, str]:
    """('Allow oral liquid', 'yes'), ('Switch to (crossover)', 'Diazepam'): a change in the
    builder's own words."""
    field = PlanForm.base_fields[form_field_for(name)]
    if isinstance(field, forms.BooleanField):
        return str(field.label), "yes" if value == "true" else "no"
    if name == "switch_to" and value:
        return str(field.label), drug_name(value)
    return str(field.label), value or "—"


def apply_changes(
    data: QueryDict, changes: Iterable[tuple[str, str]]
) -> tuple[QueryDict, tuple[str, ...]]:
    """The posted builder data with ``changes`` applied as the form's controls would carry them
    (a ticked box posts 'on', an unticked one nothing), and the form fields changed."""
    out = data.copy()
    out.pop(ALTERNATIVE_PARAM, None)
    changed = []
    for name, value in changes:
        field = form_field_for(name)
        if isinstance(PlanForm.base_fields[field], forms.BooleanField):
            if value == "true":
                out[field] = "on"
            else:
                out.pop(field, None)
        else:
            out[field] = value
        changed.append(field)
    return out, tuple(dict.fromkeys(changed))
