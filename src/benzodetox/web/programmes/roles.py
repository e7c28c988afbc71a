"""Roles a user holds in a programme, and which role may do what.

One table answers every "may this user do this here?" question; views and services ask
:func:`benzodetox.web.programmes.services.require` and the permission-matrix test walks it.
"""

from __future__ import annotations

from django.db import models

__all__ = ["PERMISSIONS", "Role", "roles_allowed"]


class Role(models.TextChoices):
    ADMIN = "admin", "Programme admin"
    PRESCRIBER = "prescriber", "Prescriber"
    NURSE = "nurse", "Nurse"
    COUNSELLOR = "counsellor", "Counsellor"
    READ_ONLY = "read-only", "Read-only"


_CLINICAL = frozenset({Role.PRESCRIBER, Role.NURSE})
_EVERYONE = frozenset(Role)

#: action → roles that may perform it in the programme the patient belongs to.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "patient.view": _EVERYONE,
    "patient.create": _CLINICAL,
    "patient.edit": _CLINICAL,
    "regimen.edit": _CLINICAL,
    "phase.change": _CLINICAL,
    "intake.edit": _CLINICAL | {Role.COUNSELLOR},
    "intake.decide": _CLINICAL,
    "plan.view": _EVERYONE,
    "plan.draft": _CLINICAL,
    "plan.approve": frozenset({Role.PRESCRIBER}),
    "audit.view": frozenset({Role.ADMIN}),
    "members.view": frozenset({Role.ADMIN}),
    # whether a plan needs a second prescriber's approval is programme governance
    "plan.policy": frozenset({Role.ADMIN}),
    # staged supply for patients at high risk (how much a pharmacy hands out at once)
    "pharmacy.policy": frozenset({Role.ADMIN}),
    # monitoring: the dashboard, monitoring pages, trends, advice and entries
    "monitoring.view": _EVERYONE,
    # CIWA-B, BWSQ, vital signs, emergency events, corrections of them
    "monitoring.record": _CLINICAL,
    # PHQ-9 and GAD-7 (mood and anxiety questionnaires a counsellor also gives)
    "monitoring.record_mood": _CLINICAL | {Role.COUNSELLOR},
    "alert.acknowledge": _CLINICAL,
    # make a plan version from the advice (a prescriber's approval makes it current)
    "advice.apply": _CLINICAL,
    # the programme's monitoring thresholds and frequencies
    "monitoring.settings": frozenset({Role.ADMIN, Role.PRESCRIBER}),
    # care plan: every member reads it and takes the documents of approved plans
    "careplan.view": _EVERYONE,
    "plan.export": _EVERYONE,
    # psychosocial courses are scheduled by counsellors and prescribers ...
    "psychosocial.edit": frozenset({Role.PRESCRIBER, Role.COUNSELLOR}),
    # ... and whoever runs or sees a session records attendance
    "attendance.record": _CLINICAL | {Role.COUNSELLOR},
    # aftercare contacts and reviews are run by the clinical team
    "aftercare.edit": _CLINICAL,
    # the programme's aftercare policy, like its monitoring settings
    "aftercare.policy": frozenset({Role.ADMIN, Role.PRESCRIBER}),
    "relapse.edit": frozenset({Role.PRESCRIBER, Role.COUNSELLOR}),
    "adjunct.edit": frozenset({Role.PRESCRIBER}),
    # which roles must sign in with two-factor: the programme's security governance
    "security.policy": frozenset({Role.ADMIN}),
    # programme outcomes (de-identified cohort figures and exports) and their definitions
    "outcomes.view": frozenset({Role.ADMIN, Role.PRESCRIBER}),
    "outcomes.settings": frozenset({Role.ADMIN}),
    # patient portal: invite a patient (a one-time link), revoke their access
    "portal.invite": _CLINICAL | {Role.ADMIN},
    # a patient's "this step is too hard" request: answered (advice applied or declined) by a
    # prescriber; the team sees requests with monitoring.view
    "request.answer": frozenset({Role.PRESCRIBER}),
    # API tokens of the programme (created, listed, revoked)
    "api.tokens": frozenset({Role.ADMIN}),
}


def roles_allowed(action: str) -> frozenset[Role]:
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}; add it to PERMISSIONS") from None
