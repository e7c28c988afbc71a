"""Recording forms: an instrument on one screen (every item a labelled radio group, 0–4 or the
instrument's range), vital signs, an emergency event; and the programme's settings. Each keeps
what was entered when it fails validation and shows each error beside its field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from benzodetox.core.assessment import instrument
from benzodetox.core.errors import InputError
from benzodetox.web.fields import set_choices

from .models import INSTRUMENT_KINDS, Assessment, Event, Judgement, MonitoringSettings
from .policy import SCHEDULE_FIELDS, ciwa_b_max, vitals_set_choices
from .recording import Entry

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

ANSWER_WORDS = {
    "ciwa-b": ("0 none", "1 mild", "2 moderate", "3 severe", "4 very severe"),
    "bwsq": ("0 no", "1 yes, moderate", "2 yes, severe"),
    "phq-9": ("0 not at all", "1 several days", "2 more than half the days", "3 nearly every day"),
    "gad-7": ("0 not at all", "1 several days", "2 more than half the days", "3 nearly every day"),
}

VITAL_SIGNS: tuple[tuple[str, str, int, str, str], ...] = (
    # name, label, decimals, min, max (the core refuses readings outside its ranges)
    ("pulse", "Pulse (/min)", 0, "0", "300"),
    ("sbp", "Systolic BP (mmHg)", 0, "0", "350"),
    ("dbp", "Diastolic BP (mmHg)", 0, "0", "250"),
    ("temperature", "Temperature (°C)", 1, "25", "45"),
    ("respiratory_rate", "Respiratory rate (/min)", 0, "0", "100"),
    ("spo2", "SpO₂ (%)", 0, "0", "100"),
)


def now_local() -> str:
    return timezone.localtime().strftime(DATETIME_FORMAT)


class _Base(forms.Form):
    at = forms.DateTimeField(
        label="Observed at",
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"type": "datetime-local"}),
        help_text="When it was observed; change it when recording late.",
        error_messages={
            "required": "Enter when it was observed.",
            "invalid": "Enter a date and time.",
        },
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    correction_reason = forms.CharField(
        label="Why is this corrected?",
        required=False,
        max_length=300,
        help_text="A correction is a new version; the entry it replaces is kept.",
    )

    def __init__(self, *args: Any, correcting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.correcting = correcting
        if not correcting:
            del self.fields["correction_reason"]
        else:
            self.fields["correction_reason"].required = True
            self.fields["correction_reason"].error_messages["required"] = (
                "Say why the entry is corrected."
            )

    def add_core_error(self, error: InputError) -> None:
        """Put a core error on the field it names, else on the form."""
        name = error.field.replace(" ", "_").split(".")[-1]
        target = {"correction": None, "vitals": None}.get(name, name)
        message = f"{error.allowed}." + (f" {error.hint}" if error.hint else "")
        if target in self.fields:
            self.add_error(target, message)
        else:
            self.add_error(None, str(error))


class InstrumentForm(_Base):
    """All items of one instrument on one screen."""

    sleep_disturbance = forms.BooleanField(label="Significant sleep disturbance", required=False)
    judgement = forms.ChoiceField(
        label="Clinician's judgement of the withdrawal symptoms",
        choices=Judgement.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Overrides the CIWA-B thresholds in the advice when given.",
    )

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.instrument = instrument(kind)
        words = ANSWER_WORDS[kind]
        for item in self.instrument.items:
            self.fields[f"item_{item.number}"] = forms.TypedChoiceField(
                label=item.label,
                choices=[(str(n), words[n]) for n in range(len(words))],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose an answer for item {item.number}.",
                },
            )
        if kind != "ciwa-b":
            del self.fields["judgement"]
        if kind not in ("ciwa-b", "bwsq"):
            del self.fields["sleep_disturbance"]

    def item_rows(self) -> list[tuple[Any, Any]]:
        return [(item, self[f"item_{item.number}"]) for item in self.instrument.items]

    def entry(self) -> Entry:
        data = self.cleaned_data
        return Entry(
            kind=self.kind,
            at=data["at"],
            answers=tuple(data[f"item_{i.number}"] for i in self.instrument.items),
            sleep_disturbance=bool(data.get("sleep_disturbance")),
            judgement=data.get("judgement") or "",
            notes=data.get("notes") or "",
        )

    def add_core_error(self, error: InputError) -> None:
        if error.field.startswith("item "):
            name = "item_" + error.field.split()[1]
            if name in self.fields:
                self.add_error(name, f"{error.allowed}.")
                return
        super().add_core_error(error)


class VitalsForm(_Base):
    sleep_disturbance = forms.BooleanField(label="Significant sleep disturbance", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, decimals, lo, hi in VITAL_SIGNS:
            self.fields[name] = forms.DecimalField(
                label=label,
                required=False,
                max_digits=4,
                decimal_places=decimals,
                min_value=Decimal(lo),
                max_value=Decimal(hi),
                widget=forms.NumberInput(
                    attrs={"inputmode": "decimal", "step": "0.1" if decimals else "1"}
                ),
            )
        # the readings first, then time and notes
        self.order_fields([v[0] for v in VITAL_SIGNS] + ["at", "sleep_disturbance", "notes"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(data.get(v[0]) is not None for v in VITAL_SIGNS):
            raise forms.ValidationError("Enter at least one reading.")
        return data

    def entry(self) -> Entry:
        data = self.cleaned_data
        return Entry(
            kind="vitals",
            at=data["at"],
            vitals={v[0]: data[v[0]] for v in VITAL_SIGNS if data.get(v[0]) is not None},
            sleep_disturbance=bool(data.get("sleep_disturbance")),
            notes=data.get("notes") or "",
        )


class EventForm(_Base):
    event = forms.ChoiceField(
        label="Event",
        choices=Event.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the event."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notes"].required = True
        self.fields["notes"].label = "What happened and what was done"
        self.fields["notes"].error_messages["required"] = "Describe what happened."
        self.order_fields(["event", "at", "notes"])

    def entry(self) -> Entry:
        data = self.cleaned_data
        return Entry(kind="event", at=data["at"], event=data["event"], notes=data["notes"])


def form_for(kind: str, *args: Any, **kwargs: Any) -> InstrumentForm | VitalsForm | EventForm:
    if kind in INSTRUMENT_KINDS:
        return InstrumentForm(kind, *args, **kwargs)
    if kind == "vitals":
        return VitalsForm(*args, **kwargs)
    return EventForm(*args, **kwargs)


def initial_from(row: Assessment) -> dict[str, Any]:
    """A correction form starts from the entry it corrects."""
    at: datetime = timezone.localtime(row.at)
    initial: dict[str, Any] = {
        "at": at.strftime(DATETIME_FORMAT),
        "notes": row.notes,
        "sleep_disturbance": row.sleep_disturbance,
        "judgement": row.judgement,
        "event": row.event,
    }
    for n, answer in enumerate(row.answers, start=1):
        initial[f"item_{n}"] = str(answer)
    for name, *_ in VITAL_SIGNS:
        initial[name] = getattr(row, name)
    return initial


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    vitals_set = forms.ChoiceField(label="Vital-sign threshold set", required=False)

    class Meta:
        model = MonitoringSettings
        fields = (
            "ciwa_b_moderate_from",
            "ciwa_b_severe_from",
            "ciwa_b_very_severe_from",
            "hold_days",
            "vitals_set",
            "pulse_above",
            "sbp_from",
            "dbp_from",
            "temperature_above",
            "spo2_below",
            "respiratory_rate_above",
            "recent_days",
            *SCHEDULE_FIELDS,
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "vitals_set", [("", "core default"), *vitals_set_choices()])
        for name, field in self.fields.items():
            if name != "vitals_set":
                field.widget.attrs.update(
                    {"inputmode": "numeric" if name in SCHEDULE_FIELDS else "decimal"}
                )
                field.help_text = "Blank: the default shown in the table."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        moderate = data.get("ciwa_b_moderate_from")
        severe = data.get("ciwa_b_severe_from")
        very = data.get("ciwa_b_very_severe_from")
        if self.errors:
            return data
        from .policy import policy_from

        defaults = policy_from(None)
        top = ciwa_b_max()
        for name in ("ciwa_b_moderate_from", "ciwa_b_severe_from", "ciwa_b_very_severe_from"):
            value = data.get(name)
            if value is not None and not 2 <= value <= top:
                self.add_error(name, f"A CIWA-B total between 2 and {top}.")
        eff = (
            moderate or defaults.moderate_from,
            severe or defaults.severe_from,
            very or defaults.very_severe_from,
        )
        if not self.errors and not eff[0] < eff[1] < eff[2] <= top:
            named = [
                n
                for n, v in (
                    ("ciwa_b_moderate_from", moderate),
                    ("ciwa_b_severe_from", severe),
                    ("ciwa_b_very_severe_from", very),
                )
                if v is not None
            ]
            self.add_error(
                named[-1] if named else None,
                f"Thresholds must rise: moderate {eff[0]} < severe {eff[1]} < very severe "
                f"{eff[2]} ≤ {top}.",
            )
        self._clean_schedule(data, defaults)
        if not self.errors:
            fields = {f.name for f in MonitoringSettings._meta.fields}
            try:
                policy_from(MonitoringSettings(**{k: v for k, v in data.items() if k in fields}))
            except InputError as error:
                self.add_error(None, str(error))
        hold = data.get("hold_days")
        if hold is not None and not 1 <= hold <= 180:
            self.add_error("hold_days", "1 to 180 days.")
        recent = data.get("recent_days")
        if recent is not None and not 1 <= recent <= 60:
            self.add_error("recent_days", "1 to 60 days.")
        return data

    def _clean_schedule(self, data: dict[str, Any], defaults: Any) -> None:
        """Hours from 1 to 168, days from 0 to 28; the second of each pair (overdue, last
        day) not before the first, counting a blank one as its default."""
        by_row: dict[str, Any] = {row.name: row.default for row in defaults.rows}
        for first, second, low, high, unit in (
            ("stabilisation_due_hours", "stabilisation_overdue_hours", 1, 168, "hours"),
            ("tapering_due_hours", "tapering_overdue_hours", 1, 168, "hours"),
            ("escalation_due_hours", "escalation_overdue_hours", 1, 168, "hours"),
            ("follow_up_from_day", "follow_up_to_day", 0, 28, "days"),
        ):
            bad = False
            for name in (first, second):
                value = data.get(name)
                if value is not None and not low <= value <= high:
                    self.add_error(name, f"{low} to {high} {unit}.")
                    bad = True
            if bad or (data.get(first) is None and data.get(second) is None):
                continue
            typed_a, typed_b = data.get(first), data.get(second)
            a = typed_a if typed_a is not None else by_row[first]
            b = typed_b if typed_b is not None else by_row[second]
            if b < a:
                self.add_error(
                    second if data.get(second) is not None else first,
                    f"The {'overdue time' if unit == 'hours' else 'last day'} ({b}) comes "
                    f"before the {'due time' if unit == 'hours' else 'first day'} ({a}).",
                )
