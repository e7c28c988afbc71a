"""Who may do what in monitoring, added to the one permission table
(``programmes.roles.PERMISSIONS``) when the app loads, so ``require()`` and ``allowed()`` answer
for these actions exactly as for the others."""

from __future__ import annotations

from benzodetox.web.programmes.roles import PERMISSIONS, Role

_CLINICAL = frozenset({Role.PRESCRIBER, Role.NURSE})

MONITORING_PERMISSIONS: dict[str, frozenset[Role]] = {
    "monitoring.view": frozenset(Role),
    # CIWA-B, BWSQ, vital signs, emergency events, corrections of them
    "monitoring.record": _CLINICAL,
    # PHQ-9 and GAD-7 (mood and anxiety questionnaires a counsellor also gives)
    "monitoring.record_mood": _CLINICAL | {Role.COUNSELLOR},
    "alert.acknowledge": _CLINICAL,
    # make a plan version from the advice (a prescriber's approval makes it current)
    "advice.apply": _CLINICAL,
    "monitoring.settings": frozenset({Role.ADMIN, Role.PRESCRIBER}),
}


def register() -> None:
    for action, roles in MONITORING_PERMISSIONS.items():
        PERMISSIONS.setdefault(action, roles)
