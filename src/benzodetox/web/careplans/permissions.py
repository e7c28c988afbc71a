"""Who may do what in the care plan: the careplans app's rows of the one permission table.

They are added to ``programmes.roles.PERMISSIONS`` when the app is ready, so every check goes
through ``programmes.services.require``/``allowed`` like the rest of the application and the
permission-matrix tests walk one table.
"""

from __future__ import annotations

from benzodetox.web.programmes.roles import PERMISSIONS, Role

__all__ = ["CAREPLAN_PERMISSIONS", "register"]

_EVERYONE = frozenset(Role)

#: action → roles that may perform it in the programme the patient belongs to.
CAREPLAN_PERMISSIONS: dict[str, frozenset[Role]] = {
    # every member of the patient's programme may read the care plan and take the documents
    "careplan.view": _EVERYONE,
    "plan.export": _EVERYONE,
    # psychosocial courses: counsellors and prescribers schedule them ...
    "psychosocial.edit": frozenset({Role.PRESCRIBER, Role.COUNSELLOR}),
    # ... and whoever runs or sees the session records attendance
    "attendance.record": frozenset({Role.PRESCRIBER, Role.NURSE, Role.COUNSELLOR}),
    # aftercare contacts and reviews are run by the clinical team
    "aftercare.edit": frozenset({Role.PRESCRIBER, Role.NURSE}),
    # the programme's aftercare policy: programme admins and prescribers, like thresholds
    "aftercare.policy": frozenset({Role.ADMIN, Role.PRESCRIBER}),
    "relapse.edit": frozenset({Role.PRESCRIBER, Role.COUNSELLOR}),
    "adjunct.edit": frozenset({Role.PRESCRIBER}),
}


def register() -> None:
    """Add the rows above to the application's permission table (once; never overriding)."""
    for action, roles in CAREPLAN_PERMISSIONS.items():
        existing = PERMISSIONS.setdefault(action, roles)
        if existing != roles:
            raise RuntimeError(f"permission {action!r} is already defined differently")
