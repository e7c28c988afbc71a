"""Care-plan forms. Each keeps what was entered when it fails validation and shows each error
beside its field; a core ``InputError`` lands on the field it names."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, cast

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone

from benzodetox.core.careplan.adjuncts import all_adjuncts
from benzodetox.core.careplan.aftercare import default_policy
from benzodetox.core.careplan.psychosocial import course_types
from benzodetox.core.careplan.relapse import (
    CONTACT_ROLES,
    Lifestyle,
    RelapsePlan,
    SupportContact,
    Trigger,
)
from benzodetox.core.errors import InputError
from benzodetox.web.fields import set_choices

from .models import AdjunctNote, AftercareItem, AftercarePolicySettings

_DATE = {"type": "date"}


def _lines(text: str) -> tuple[str, ...]:
    """One entry per non-blank line."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


class CoreErrorMixin:
    """Put a core InputError on the form field it names (aliases map core names to fields)."""

    CORE_FIELDS: ClassVar[dict[str, str]] = {}

    def add_core_error(self, error: InputError) -> None:
        name = error.field.split(".")[0].split("[")[0]
        name = self.CORE_FIELDS.get(name, name)
        message = f"{error.allowed}." + (f" {error.hint}" if error.hint else "")
        form: Any = self
        if name in form.fields:
            form.add_error(name, f"{error.value!s}: not allowed; expected {message}")
        else:
            form.add_error(None, str(error))


def course_choices() -> list[tuple[str, str]]:
    return [(c.id, c.title) for c in course_types()]


class CourseForm(CoreErrorMixin, forms.Form):
    kind = forms.ChoiceField(label="Course")
    start = forms.DateField(label="First session", widget=forms.DateInput(attrs=_DATE))
    sessions = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=104,
        label="Number of sessions",
        help_text="Leave empty for the course's sourced default (CBT 10, CBT-I 8); counselling, "
        "groups and family sessions need the programme's number.",
    )
    every_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=365,
        label="Days between sessions",
        help_text="Leave empty for weekly CBT / CBT-I; other courses need the programme's "
        "interval.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", course_choices())
        self.fields["sessions"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["every_days"].widget.attrs.update({"inputmode": "numeric"})


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("yes", "Attended"), ("no", "Missed")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(required=False, max_length=300)


class MoveSessionForm(CoreErrorMixin, forms.Form):
    CORE_FIELDS: ClassVar[dict[str, str]] = {"session": "on"}

    on = forms.DateField(label="New date", widget=forms.DateInput(attrs=_DATE))
    reason = forms.CharField(label="Why", required=False, max_length=200)


class AftercarePolicyForm(CoreErrorMixin, forms.ModelForm):  # type: ignore[type-arg]
    """The programme's aftercare policy; blank means the core's cited default."""

    CORE_FIELDS: ClassVar[dict[str, str]] = {
        "aftercare days": "days",
        "review_every_days": "review_every",
        "contact every_days": "early_contact_every",
        "contact phase": "early_until_day",
        "instrument": "instruments",
    }

    instruments = forms.MultipleChoiceField(
        label="Checks at each review",
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one; the core's default is all three.",
    )

    class Meta:
        model = AftercarePolicySettings
        fields = (
            "days",
            "early_contact_every",
            "early_until_day",
            "late_contact_every",
            "review_every",
            "instruments",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        defaults = default_policy()
        set_choices(self, "instruments", [(i.id, i.name) for i in defaults.instruments])
        if not self.initial.get("instruments"):
            self.initial["instruments"] = [i.id for i in defaults.instruments]
        early, late = defaults.contact_phases[0], defaults.contact_phases[-1]
        blanks = {
            "days": f"blank: {defaults.days.value}; at least {defaults.minimum_days.value} "
            "(NIDA 2018)",
            "early_contact_every": f"blank: {early.every.value}",
            "early_until_day": f"blank: day {early.until_day}",
            "late_contact_every": f"blank: {late.every.value}",
            "review_every": f"blank: {defaults.review_every.value}",
        }
        for name, text in blanks.items():
            field = self.fields[name]
            field.help_text = text
            field.widget.attrs.update({"inputmode": "numeric", "min": "1"})
            field.validators.append(MaxValueValidator(3650 if name == "days" else 365))

    def clean_days(self) -> int | None:
        """The core's minimum (NIDA 2018) on this field, before the database's check."""
        days: int | None = self.cleaned_data.get("days")
        if days is not None:
            try:
                default_policy().with_changes(days=days)
            except InputError as error:
                raise forms.ValidationError(
                    f"{days}: not allowed; expected {error.allowed}. {error.hint}".strip()
                ) from None
        return days

    def clean_instruments(self) -> list[str]:
        return list(self.cleaned_data["instruments"])


class GenerateAftercareForm(CoreErrorMixin, forms.Form):
    CORE_FIELDS: ClassVar[dict[str, str]] = {"aftercare days": "days"}

    days = forms.IntegerField(
        label="Days of aftercare after the last dose",
        min_value=1,
        max_value=3650,
        help_text="At least 90 (NIDA 2018); the programme policy's default is filled in.",
    )


class ExtendAftercareForm(GenerateAftercareForm):
    pass


class AftercareItemForm(CoreErrorMixin, forms.Form):
    CORE_FIELDS: ClassVar[dict[str, str]] = {"date": "on"}

    on = forms.DateField(label="Date", widget=forms.DateInput(attrs=_DATE))
    done = forms.TypedChoiceField(
        label="Done?",
        choices=[("", "not yet recorded"), ("yes", "done"), ("no", "not done")],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )
    note = forms.CharField(required=False, max_length=300)


class NewAftercareItemForm(CoreErrorMixin, forms.Form):
    CORE_FIELDS: ClassVar[dict[str, str]] = {"date": "on"}

    on = forms.DateField(label="Date", widget=forms.DateInput(attrs=_DATE))
    kind = forms.ChoiceField(choices=AftercareItem.KINDS)
    title = forms.CharField(max_length=200, label="What")
    note = forms.CharField(required=False, max_length=300)


class AdjunctNoteForm(CoreErrorMixin, forms.Form):
    adjunct = forms.ChoiceField(label="Medication")
    status = forms.ChoiceField(choices=AdjunctNote.STATUSES)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why, what was agreed, who follows it up.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "adjunct", [("", "—"), *((a.id, a.name) for a in all_adjuncts())])


# --- relapse-prevention plan -------------------------------------------------------------------


class RelapseForm(CoreErrorMixin, forms.Form):
    goals = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Goals",
        help_text="One per line, in the patient's words.",
    )
    warning_signs = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Early warning signs",
        help_text="One per line.",
    )
    after_lapse = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What to do after a lapse",
        help_text="One step per line.",
    )
    sleep = forms.CharField(required=False, max_length=300)
    exercise = forms.CharField(required=False, max_length=300)
    nutrition = forms.CharField(required=False, max_length=300)
    routine = forms.CharField(required=False, max_length=300)
    reviewed_on = forms.DateField(label="Reviewed on", widget=forms.DateInput(attrs=_DATE))
    reason = forms.CharField(
        label="Why this version",
        max_length=300,
        help_text="e.g. 'first plan', 'reviewed at visit, new trigger added'.",
    )

    CORE_FIELDS: ClassVar[dict[str, str]] = {"date": "reviewed_on"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and "reviewed_on" not in self.initial:
            self.initial["reviewed_on"] = timezone.localdate()


class TriggerForm(forms.Form):
    description = forms.CharField(required=False, max_length=200, label="Trigger")
    kind = forms.ChoiceField(
        required=False,
        choices=[
            ("", "—"),
            ("internal", "Internal (feelings, thoughts, body)"),
            ("external", "External (people, places, things)"),
        ],
        label="Kind",
    )
    coping = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Coping strategies",
        help_text="One per line.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        description, kind, coping = data.get("description"), data.get("kind"), data.get("coping")
        data["empty"] = not (description or kind or coping)
        if data["empty"]:
            return data
        if not description:
            self.add_error("description", "Describe the trigger.")
        if not kind:
            self.add_error("kind", "Say whether it is internal or external.")
        return data

    def value(self) -> Trigger:
        data = self.cleaned_data
        return Trigger(data["description"], data["kind"], _lines(data.get("coping", "")))


class ContactForm(forms.Form):
    role = forms.ChoiceField(required=False, choices=[("", "—"), *CONTACT_ROLES.items()])
    name = forms.CharField(required=False, max_length=120)
    phone = forms.CharField(required=False, max_length=40)
    note = forms.CharField(required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["empty"] = not any(data.get(k) for k in ("role", "name", "phone", "note"))
        if data["empty"]:
            return data
        if not data.get("role"):
            self.add_error("role", "Choose who this is.")
        if not data.get("name"):
            self.add_error("name", "Enter a name (or the service's name for a crisis line).")
        return data

    def value(self) -> SupportContact:
        data = self.cleaned_data
        return SupportContact(
            data["role"], data["name"], data.get("phone", ""), data.get("note", "")
        )


class _RowFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def values(self) -> tuple[Any, ...]:
        return tuple(f.value() for f in self.forms if not f.cleaned_data.get("empty", True))


TriggerFormSet = cast(
    type[_RowFormSet],
    forms.formset_factory(TriggerForm, formset=_RowFormSet, extra=0, max_num=30, absolute_max=30),
)
ContactFormSet = cast(
    type[_RowFormSet],
    forms.formset_factory(ContactForm, formset=_RowFormSet, extra=0, max_num=20, absolute_max=20),
)


def relapse_initial(
    plan: RelapsePlan | None, blank_triggers: int = 2, blank_contacts: int = 2
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Starting values for the form, its triggers and its contacts (the current version's,
    with a few blank rows to add more)."""
    if plan is None:
        main: dict[str, Any] = {}
        triggers: list[dict[str, Any]] = []
        contacts: list[dict[str, Any]] = []
    else:
        main = {
            "goals": "\n".join(plan.goals),
            "warning_signs": "\n".join(plan.warning_signs),
            "after_lapse": "\n".join(plan.after_lapse),
            "sleep": plan.lifestyle.sleep,
            "exercise": plan.lifestyle.exercise,
            "nutrition": plan.lifestyle.nutrition,
            "routine": plan.lifestyle.routine,
        }
        triggers = [
            {"description": t.description, "kind": t.kind, "coping": "\n".join(t.coping)}
            for t in plan.triggers
        ]
        contacts = [
            {"role": c.role, "name": c.name, "phone": c.phone, "note": c.note}
            for c in plan.contacts
        ]
    return (
        main,
        triggers + [{} for _ in range(blank_triggers)],
        contacts + [{} for _ in range(blank_contacts)],
    )


def relapse_value(
    form: RelapseForm, triggers: _RowFormSet, contacts: _RowFormSet
) -> tuple[RelapsePlan, str, date]:
    """The plan the valid forms describe, the reason and the review date."""
    data = form.cleaned_data
    plan = RelapsePlan(
        goals=_lines(data["goals"]),
        triggers=triggers.values(),
        warning_signs=_lines(data["warning_signs"]),
        contacts=contacts.values(),
        after_lapse=_lines(data["after_lapse"]),
        lifestyle=Lifestyle(
            sleep=data["sleep"],
            exercise=data["exercise"],
            nutrition=data["nutrition"],
            routine=data["routine"],
        ),
    )
    return plan, data["reason"], data["reviewed_on"]
