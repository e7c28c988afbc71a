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
from benzodetox.core.plan import crossover_days as crossover_stage
from benzodetox.core.regimen import Regimen, parse_time
from benzodetox.core.tapering import STRATEGY_NAMES
from benzodetox.core.tapering.proposal import (
    OUTPATIENT_STRATEGY,
    strategy_defaults,
    strategy_for_level,
    switch_targets,
)
from benzodetox.web.fields import NumberField, set_choices
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

#: How far in the past a plan may start, and only with the clinician's confirmation and reason
#: (a plan already begun on the ward, written up a few days late). Further back, the regimen
#: should be brought up to date and the plan start from today. Programme software policy, not a
#: clinical figure.
PAST_START_DAYS = 7


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
    crossover_days = NumberField(
        whole=True,
        least=crossover_stage().least,
        most=crossover_stage().most,
        required=True,
        initial=crossover_stage().default,
        label="Days per crossover stage",
        allowed=f"{crossover_stage().allowed} (Joint Guideline: {crossover_stage().note})",
    )
    strategy = forms.ChoiceField(label="Strategy")
    percent = NumberField(
        label="Reduction per step (%)",
        allowed="a percentage such as 10 or 7.5 within the strategy's range (ASAM 2025: 0.5 to "
        "25); needed for the strategies that reduce by a percentage, empty for the others",
        places=2,
        help_text="Filled with the strategy's default when you choose the strategy.",
    )
    interval_days = NumberField(
        whole=True,
        least=1,
        most=120,
        label="Days between reductions",
        allowed="a whole number of days within the strategy's range (ASAM 2025: 7 to 84); "
        "needed for the strategies with an interval, empty for inpatient and custom",
        help_text="Filled with the strategy's default when you choose the strategy.",
    )
    final_dose_mg = NumberField(
        label="Stop from (diazepam-eq mg/day)",
        allowed="0 mg or more, up to 3 decimals (e.g. 0.5), or empty for the strategy's default",
        help_text="Empty: the strategy's default (shown in the preview's parameters).",
    )
    plateau_mg = NumberField(
        label="End on a maintenance dose (diazepam-eq mg/day)",
        allowed="above 0 and at most the starting daily dose, up to 3 decimals, or empty to taper "
        "to zero",
        help_text="Empty: taper to zero.",
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
    stabilise_days = NumberField(
        whole=True,
        least=1,
        most=60,
        label="Inpatient: days to stabilise",
        allowed="a whole number of days, 2 to 7 (eTG), or empty for eTG's 3 days",
        help_text="Empty: 3 days (eTG: 2–7).",
    )
    discharge_mg = NumberField(
        label="Inpatient: hand-over dose (diazepam-eq mg/day)",
        allowed="above 0 and at most 20 mg (eTG), up to 3 decimals, or empty for 20 mg",
        help_text="Empty: 20 mg diazepam-eq/day (eTG: discharge at 20 mg or less).",
    )
    then = forms.ChoiceField(required=False, label="Inpatient: outpatient strategy after")
    custom_steps = forms.CharField(
        required=False,
        label="Custom steps",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One step a line: daily mg of the working drug, then days, e.g. '18 14'.",
    )
    drug_free_nights = NumberField(
        whole=True,
        least=0,
        most=6,
        label="deprescribing.org: drug-free nights a week near the end",
        allowed="a whole number of nights from 0 to 6, or empty for none",
        help_text="0–6; empty or 0 for none.",
    )
    allow_liquid = forms.BooleanField(required=False, initial=True, label="Allow oral liquid")
    market = forms.ChoiceField(label="Market (products available)")
    start = forms.DateField(
        label="Start date", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    confirm_past_start = forms.BooleanField(
        required=False,
        label="I confirm the start date is in the past",
    )
    past_start_reason = forms.CharField(
        required=False,
        max_length=300,
        label="… because",
        help_text=f"Only for a start date up to {PAST_START_DAYS} days ago, e.g. 'plan begun on "
        "the ward on admission'; recorded with the version.",
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
        set_choices(self, "source", table_choices())
        targets = switch_targets()  # the drugs the planner accepts, in its order
        set_choices(
            self,
            "switch_to",
            [
                ("", "No switch"),
                *sorted(
                    ((k, n) for k, n in drug_choices() if k in targets),
                    key=lambda choice: targets.index(choice[0]),
                ),
            ],
        )
        names = [(n, STRATEGY_LABELS.get(n, n)) for n in STRATEGY_NAMES]
        set_choices(self, "strategy", names)
        set_choices(
            self,
            "then",
            [("", "—"), *[(n, label) for n, label in names if n not in ("inpatient", "custom")]],
        )
        set_choices(self, "market", market_choices())

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
        strategy = data.get("strategy")
        if strategy in STRATEGY_NAMES:
            self._require_strategy_figures(strategy, data)
        if strategy == "inpatient" and not data.get("then") and "then" not in self.errors:
            self.add_error(
                "then",
                "Inpatient: outpatient strategy after: choose the strategy that follows the "
                "hand-over (e.g. ASAM 2025); it is not picked for you.",
            )
        return data

    def _require_strategy_figures(self, strategy: str, data: dict[str, Any]) -> None:
        """A strategy that reduces by a percentage, or at an interval, needs it in the form
        (filled with its default when the strategy is chosen): an emptied field is refused,
        never read as "the default"."""
        defaults = strategy_defaults(strategy)
        label = STRATEGY_LABELS.get(strategy, strategy)
        wanted = (
            ("percent", defaults.percent, defaults.percent_min, defaults.percent_max, " %"),
            (
                "interval_days",
                defaults.interval_days,
                defaults.interval_min,
                defaults.interval_max,
                " days",
            ),
        )
        for name, default, least, most, unit in wanted:
            if default is None or name in self.errors or data.get(name) is not None:
                continue
            self.add_error(
                name,
                f"{self.fields[name].label}: empty; {label} needs it. Allowed: "
                f"{_plain(least)} to {_plain(most)}{unit} (its default: {_plain(default)}{unit}).",
            )

    def check_start(self, today: date) -> None:
        """Saving: a start date in the past is refused, except up to PAST_START_DAYS days ago
        with the confirmation ticked and a reason; the message states the rule."""
        start = self.cleaned_data.get("start")
        if start is None or start >= today:
            return
        days = (today - start).days
        rule = (
            f"a plan starts today or later, or up to {PAST_START_DAYS} days in the past when you "
            "tick the confirmation and say why"
        )
        if days > PAST_START_DAYS:
            self.add_error(
                "start",
                f"Start date: {start.isoformat()} is {days} days in the past; refused ({rule}). "
                "For a taper already under way, record today's doses as the regimen and start "
                "from today.",
            )
        elif not self.cleaned_data.get("confirm_past_start"):
            self.add_error(
                "confirm_past_start",
                f"Start date: {start.isoformat()} is {days} day{'s' if days > 1 else ''} in the "
                f"past; tick the confirmation and say why ({rule}).",
            )
        elif not (self.cleaned_data.get("past_start_reason") or "").strip():
            self.add_error(
                "past_start_reason",
                f"Say why the plan starts {days} day{'s' if days > 1 else ''} in the past "
                f"({rule}).",
            )

    def past_start_note(self, today: date) -> str:
        """What the preview says about a start date in the past (saving then needs it
        confirmed, or refuses it)."""
        start = self.cleaned_data.get("start") if hasattr(self, "cleaned_data") else None
        if start is None or start >= today:
            return ""
        days = (today - start).days
        if days > PAST_START_DAYS:
            return (
                f"The start date is {days} days in the past: saving will refuse it (at most "
                f"{PAST_START_DAYS} days in the past, confirmed)."
            )
        return (
            f"The start date is {days} day{'s' if days > 1 else ''} in the past: saving needs "
            "the confirmation and a reason."
        )

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
            crossover_days=d.get("crossover_days") or crossover_stage().default,
            final_dose_mg=d.get("final_dose_mg"),
            plateau_mg=d.get("plateau_mg"),
            reduce_order=d.get("reduce_order") or (),
            dose_times=d.get("dose_times") or (),
            stabilise_days=d.get("stabilise_days"),
            discharge_mg=d.get("discharge_mg"),
            then=d.get("then") or OUTPATIENT_STRATEGY,  # required by clean() for inpatient
            drug_free_nights=d.get("drug_free_nights") or 0,  # empty is "none", as labelled
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


def _plain(value: Decimal | int | None) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return "—" if value is None else str(value)


#: Parameters that are never carried into the next version: a confirmation is given each time.
NOT_CARRIED = ("confirm_past_start", "past_start_reason")


def with_strategy_figures(parameters: dict[str, Any]) -> dict[str, Any]:
    """``parameters`` with an empty percent and interval filled with the strategy's defaults,
    where it has them (a version saved before the builder showed them meant exactly these)."""
    out = {k: v for k, v in parameters.items() if k not in NOT_CARRIED}
    strategy = out.get("strategy")
    if strategy not in STRATEGY_NAMES:
        return out
    defaults = strategy_defaults(strategy)
    if out.get("percent") in (None, "") and defaults.percent is not None:
        out["percent"] = _plain(defaults.percent)
    if out.get("interval_days") in (None, "") and defaults.interval_days is not None:
        out["interval_days"] = defaults.interval_days
    if strategy == "inpatient" and not out.get("then"):
        out["then"] = OUTPATIENT_STRATEGY
    return out


def strategy_changes(strategy: str) -> tuple[tuple[str, str], ...]:
    """The builder fields a change of strategy sets: its default percent and interval (empty
    where it has none), and for the inpatient strategy the outpatient strategy after it."""
    defaults = strategy_defaults(strategy)
    changes = [
        ("percent", _plain(defaults.percent) if defaults.percent is not None else ""),
        ("interval_days", str(defaults.interval_days or "")),
    ]
    if strategy == "inpatient":
        changes.append(("then", OUTPATIENT_STRATEGY))
    return tuple(changes)


def initial_parameters(
    previous: dict[str, Any] | None, intake_table: str | None, level: str | None = None
) -> dict[str, Any]:
    """The builder's starting values: the last version's parameters, else the strategy the
    core proposes for the level of care with its default figures, shown in the form."""
    if previous:
        return with_strategy_figures(previous)
    return with_strategy_figures(
        {
            "source": intake_table or "",
            "strategy": strategy_for_level(level).strategy,
            "market": "us",
            "crossover_days": crossover_stage().default,
            "allow_liquid": True,
            "start": timezone.localdate(),
        }
    )


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


class ApproveForm(forms.Form):
    """Approving a version: an explicit confirmation, and the approver's password (or, where
    they enrolled an authenticator, its one-time code) typed again."""

    confirm = forms.BooleanField(
        required=True,
        label="I have checked this version's doses and dates and approve it",
        error_messages={"required": "Tick the confirmation to approve this version."},
    )
    password = forms.CharField(
        required=False,
        strip=False,
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    token = forms.CharField(
        required=False,
        max_length=8,
        label="6-digit code from your authenticator app",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    note = forms.CharField(required=False, max_length=300, label="Approval note (optional)")

    def __init__(self, *args: Any, otp: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.otp = otp
        del self.fields["password" if otp else "token"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = "token" if self.otp else "password"
        if not data.get(name) and name not in self.errors:
            self.add_error(
                name,
                "Enter the current code from your authenticator app to approve."
                if self.otp
                else "Enter your password to approve.",
            )
        return data


class PlanPolicyForm(forms.Form):
    two_person_approval = forms.BooleanField(
        required=False,
        label="A second prescriber must approve each plan version",
        help_text="The first prescriber's approval is recorded as a first signature; the version "
        "is approved (and monitoring, phase and downloads follow it) only when a different "
        "prescriber approves it too. The one who made the version can never be the only "
        "approver.",
    )
