"""A programme's aftercare policy: the core's cited defaults (``core/data/aftercare.toml``)
with the programme's own values where it set them.

A value the programme sets is programme policy: its figure is sourced to
``PROGRAMME_SOURCE``, labelled "programme" and shown as unconfirmed. The length is never below
the core's minimum (90 days, NIDA 2018): the core refuses it (``AftercarePolicy.with_changes``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from benzodetox.core.careplan import aftercare as core_aftercare
from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.programmes.services import require

from .models import AftercarePolicySettings

__all__ = [
    "EDITABLE",
    "PROGRAMME_SOURCE",
    "policy_for",
    "policy_from",
    "policy_rows",
    "save_policy",
    "settings_for",
]

PROGRAMME_SOURCE = "programme policy"
#: the last day of the later contact phase when the programme sets the phases: "to the end"
_OPEN_END = 3650
EDITABLE = (
    "days",
    "early_contact_every",
    "early_until_day",
    "late_contact_every",
    "review_every",
    "instruments",
)


def _own(value: int) -> core_aftercare.Figure:
    return core_aftercare.Figure(value, PROGRAMME_SOURCE, "programme", confirmed=False)


def settings_for(programme_id: int) -> AftercarePolicySettings | None:
    return AftercarePolicySettings.objects.filter(programme_id=programme_id).first()


def _default_ids() -> list[str]:
    return [i.id for i in core_aftercare.default_policy().instruments]


def policy_from(row: AftercarePolicySettings | None) -> core_aftercare.AftercarePolicy:
    """The policy in force: the core's default with the row's values (validated by the core;
    an ``InputError`` names the core's field)."""
    base = core_aftercare.default_policy()
    if row is None:
        return base
    policy = base
    if row.days is not None:
        policy = policy.with_changes(days=row.days, reason=PROGRAMME_SOURCE)
        policy = replace(policy, days=_own(row.days))
    if row.review_every is not None:
        policy = policy.with_changes(review_every_days=row.review_every)
        policy = replace(policy, review_every=_own(row.review_every))
    contacts = (row.early_contact_every, row.early_until_day, row.late_contact_every)
    if any(v is not None for v in contacts) and base.contact_phases:
        early, late = base.contact_phases[0], base.contact_phases[-1]
        until = row.early_until_day if row.early_until_day is not None else early.until_day
        if until >= policy.days.value:
            raise InputError(
                "early_until_day",
                until,
                f"a day before the end of aftercare (day {policy.days.value})",
            )
        early_every = row.early_contact_every or early.every.value
        late_every = row.late_contact_every or late.every.value
        policy = policy.with_changes(
            contact_phases=((1, until, early_every), (until + 1, _OPEN_END, late_every))
        )
        policy = replace(
            policy,
            contact_phases=(
                core_aftercare.ContactPhase(
                    1,
                    until,
                    early.every if row.early_contact_every is None else _own(early_every),
                ),
                core_aftercare.ContactPhase(
                    until + 1,
                    _OPEN_END,
                    late.every if row.late_contact_every is None else _own(late_every),
                ),
            ),
        )
    if row.instruments and list(row.instruments) != _default_ids():
        policy = policy.with_changes(instruments=tuple(row.instruments))
    return policy


def policy_for(programme_id: int) -> core_aftercare.AftercarePolicy:
    return policy_from(settings_for(programme_id))


def _phase_text(phase: core_aftercare.ContactPhase, days: int) -> str:
    end = "the end" if phase.until_day >= days else f"day {phase.until_day}"
    return f"every {phase.every.value} days from day {phase.from_day} to {end}"


def policy_rows(policy: core_aftercare.AftercarePolicy) -> list[dict[str, Any]]:
    """One row per figure: in force, the core's default, the default's source and label."""
    base = core_aftercare.default_policy()

    def row(label: str, value: str, default: str, figure: core_aftercare.Figure,
            changed: bool) -> dict[str, Any]:
        return {
            "label": label,
            "value": value,
            "default": default,
            "source": figure.source,
            "source_label": figure.label,
            "confirmed": figure.confirmed,
            "changed": changed,
        }

    rows = [
        row(
            "Minimum length (not changeable)",
            f"{policy.minimum_days.value} days",
            f"{base.minimum_days.value} days",
            base.minimum_days,
            False,
        ),
        row(
            "Length after the last dose",
            f"{policy.days.value} days",
            f"{base.days.value} days",
            base.days,
            policy.days != base.days,
        ),
    ]
    for i, phase in enumerate(policy.contact_phases):
        default = base.contact_phases[min(i, len(base.contact_phases) - 1)]
        rows.append(
            row(
                f"Contacts, phase {i + 1}",
                _phase_text(phase, policy.days.value),
                _phase_text(default, base.days.value),
                default.every,
                phase != default,
            )
        )
    rows.append(
        row(
            "Reviews",
            f"every {policy.review_every.value} days",
            f"every {base.review_every.value} days",
            base.review_every,
            policy.review_every != base.review_every,
        )
    )
    names = ", ".join(i.name for i in policy.instruments)
    rows.append(
        {
            "label": "Checks at each review",
            "value": names,
            "default": ", ".join(i.name for i in base.instruments),
            "source": ", ".join(i.source for i in base.instruments),
            "source_label": "/".join(dict.fromkeys(i.label for i in base.instruments)),
            "confirmed": True,
            "changed": policy.instruments != base.instruments,
        }
    )
    return rows


@transaction.atomic
def save_policy(
    request: HttpRequest, programme_id: int, values: dict[str, Any]
) -> AftercarePolicySettings:
    """Store the programme's values (blank = the core's default) after the core has accepted
    them; audited with every change."""
    require(request.user, "aftercare.policy", programme_id)
    current = settings_for(programme_id) or AftercarePolicySettings(programme_id=programme_id)
    before = {k: getattr(current, k) for k in values}
    for name, value in values.items():
        setattr(current, name, value)
    policy_from(current)  # the core refuses a length under 90 days or a bad interval
    current.updated_by = request.user  # type: ignore[assignment]
    current._change_reason = "aftercare policy changed"  # type: ignore[attr-defined]
    current.save()
    changed = {k: [str(before[k]), str(v)] for k, v in values.items() if before[k] != v}
    record(
        request,
        "careplan.aftercare_policy_changed",
        obj=current,
        programme=programme_id,
        summary=(
            ", ".join(f"{k}: {a} → {b}" for k, (a, b) in changed.items()) or "no change"
        )[:300],
        detail={"changed": changed},
    )
    return current
