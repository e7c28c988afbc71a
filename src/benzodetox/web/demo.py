"""The demo programme: accounts for every role and patients in different phases of care.

Seeded once (``benzodetox serve --demo``); the generated passwords are kept in
``<data dir>/demo_logins.json`` (readable by its owner only) so later starts print them again.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .system_request import system_request

DEMO_PROGRAMME = "Demo programme"
OTHER_PROGRAMME = "Demo programme (other site)"
ROLES = ("admin", "prescriber", "nurse", "counsellor", "read-only")


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    programme: str


def _logins_file() -> Path:
    return Path(settings.DATA_DIR) / "demo_logins.json"


def demo_logins() -> list[Login]:
    path = _logins_file()
    if not path.exists():
        return []
    return [Login(**row) for row in json.loads(path.read_text("utf-8"))]


def seed_demo() -> tuple[bool, list[Login]]:
    """Seed the demo once. Returns (seeded now?, logins)."""
    from benzodetox.web.programmes.models import Programme
    from benzodetox.web.programmes.scoping import unscoped

    logins = demo_logins()
    if Programme.objects.filter(name=DEMO_PROGRAMME).exists() and logins:
        if any(login.role == "patient" for login in logins):
            return False, logins
        # a demo seeded before the portal existed: its patient login is added once
        patient_login = _portal_login()
        if patient_login is None:
            return False, logins
        logins.append(patient_login)
        _save_logins(logins)
        return True, logins
    with unscoped(), transaction.atomic():
        logins = _seed()
    _save_logins(logins)
    return True, logins


def _save_logins(logins: list[Login]) -> None:
    path = _logins_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump([login.__dict__ for login in logins], handle, indent=2)


def _portal_login() -> Login | None:
    """The demo patient's portal login (DEMO-003, on an approved plan), made by the demo nurse
    through an invitation; None when it exists already."""
    from benzodetox.web.portal.demo import seed_demo_portal

    nurse = get_user_model().objects.filter(username="demo-nurse").first()
    if nurse is None:
        return None
    made = seed_demo_portal(nurse, DEMO_PROGRAMME)
    if made is None:
        return None
    from benzodetox.web.checkins.demo import seed_demo_checkins

    # the patient's diary, a check-in and a "too hard" request, for the team's pages
    seed_demo_checkins(DEMO_PROGRAMME)
    return Login(made[0], made[1], "patient", DEMO_PROGRAMME)


def _user(username: str, role: str, programme: str) -> tuple[Any, Login]:
    from benzodetox.web.programmes.services import add_member

    password = "-".join(secrets.token_hex(2) for _ in range(4))
    users = get_user_model()
    user, _ = users.objects.get_or_create(username=username)
    user.set_password(password)
    user.save()
    add_member(user, programme, role)
    return user, Login(username, password, role, programme)


def _seed() -> list[Login]:
    from benzodetox.web.patients import services as patients
    from benzodetox.web.patients.choices import HomeSupport, Phase
    from benzodetox.web.plans import services as plans
    from benzodetox.web.programmes.models import Programme

    logins = []
    users = {}
    for role in ROLES:
        name = "demo-" + role.replace("-", "")
        users[role], login = _user(name, role, DEMO_PROGRAMME)
        logins.append(login)
    other, login = _user("demo-other-prescriber", "prescriber", OTHER_PROGRAMME)
    logins.append(login)

    programme = Programme.objects.get(name=DEMO_PROGRAMME)
    as_prescriber = system_request(users["prescriber"])
    as_nurse = system_request(users["nurse"])
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())

    def patient(ref: str, name: str, born: int, doses: list[tuple[str, str, str]]) -> Any:
        p = patients.create_patient(
            as_nurse, programme, {"reference": ref, "display_name": name, "year_of_birth": born}
        )
        patients.set_regimen(
            as_nurse, p, [(d, Decimal(mg), time.fromisoformat(t)) for d, mg, t in doses]
        )
        return p

    def intake(p: Any, months: str, **extra: Any) -> None:
        values: dict[str, Any] = {
            "duration_months": Decimal(months),
            "days_per_week": 7,
            "equivalence_table": "ashton-2002",
            "basis": "",
            "withdrawal_seizure_history": False,
            "withdrawal_delirium_history": False,
            "substances": [],
            "substances_note": "",
            "conditions": [],
            "conditions_note": "",
            "pregnancy": "not-applicable",
            "home_support": HomeSupport.SUPPORTIVE,
            "care_partners": "",
            "notes": "",
            "dimensions": {},
        }
        decision = extra.pop("decision", None)
        values.update(extra)
        saved = patients.save_intake(as_nurse, p, None, values)
        if decision:
            patients.record_decision(as_prescriber, saved, *decision)

    def plan(p: Any, start: date, approve: bool = True, **params: Any) -> None:
        from benzodetox.core.plan import PlanRequest

        regimen = patients.regimen_of(p)
        request = PlanRequest(regimen=regimen, source="ashton-2002", start=start, **params)  # type: ignore[arg-type]
        parameters = {
            "source": "ashton-2002",
            "start": start.isoformat(),
            "strategy": params.get("strategy", "asam"),
            "market": params.get("market", "us"),
            "switch_to": params.get("switch_to") or "",
            "crossover_days": 7,
            "allow_liquid": params.get("allow_liquid", True),
        }
        version = plans.save_version(as_prescriber, p, request, parameters, "first plan")
        if approve:
            plans.approve(as_prescriber, version, "demo")

    p = patient(
        "DEMO-001", "A. B.", 1961, [("lorazepam", "1", "08:00"), ("lorazepam", "1", "22:00")]
    )
    intake(p, "24", conditions=["sleep_apnoea"])

    p = patient(
        "DEMO-002", "C. D.", 1975, [("alprazolam", "0.5", "08:00"), ("alprazolam", "1", "21:00")]
    )
    intake(p, "36", substances=["alcohol_use_disorder"], decision=("agree", "", ""))
    plan(p, monday, switch_to="diazepam")
    patients.change_phase(as_nurse, p, Phase.CROSSOVER, "crossover to diazepam started")

    p = patient(
        "DEMO-003", "E. F.", 1968, [("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")]
    )
    intake(p, "60")
    plan(p, monday - timedelta(days=56))
    patients.change_phase(as_nurse, p, Phase.TAPERING, "plan approved, first reduction done")

    p = patient("DEMO-004", "G. H.", 1952, [("clonazepam", "1", "22:00")])
    intake(
        p,
        "120",
        home_support=HomeSupport.LIMITED,
        decision=("other", "2-WM", "lives alone; daily nurse contact agreed"),
    )
    plan(p, monday - timedelta(days=84), strategy="hyperbolic", switch_to="diazepam")
    patients.change_phase(as_nurse, p, Phase.HOLD, "withdrawal symptoms; taper paused")

    p = patient("DEMO-005", "I. J.", 1980, [("zopiclone", "7.5", "22:00")])
    intake(p, "8")
    plan(p, monday - timedelta(days=140), market="uk", strategy="deprescribing")
    patients.change_phase(as_nurse, p, Phase.COMPLETED, "last dose taken")
    patients.change_phase(as_nurse, p, Phase.AFTERCARE, "monthly follow-up agreed")

    p = patient("DEMO-006", "K. L.", 1990, [("temazepam", "20", "22:00")])
    intake(p, "4")
    plan(p, monday, approve=False, market="uk")

    # Two draft plans a prescriber can open in the builder: nitrazepam, which the US market sells
    # no product of (the patient's own supply until the crossover replaces it), and alprazolam
    # tablets only (the planner states its departures and offers the liquid or an early switch).
    p = patient("DEMO-008", "Q. R.", 1949, [("nitrazepam", "5", "22:00")])
    intake(p, "180")
    plan(p, monday, approve=False, switch_to="diazepam")

    p = patient("DEMO-009", "S. T.", 1985, [("alprazolam", "0.5", "22:00")])
    intake(p, "14")
    plan(p, monday, approve=False, allow_liquid=False)

    p = patient("DEMO-007", "M. N.", 1958, [("diazepam", "5", "22:00")])
    intake(p, "2")
    patients.change_phase(as_nurse, p, Phase.DISCONTINUED, "moved away; care handed over")

    from benzodetox.web.monitoring.demo import seed_monitoring

    seed_monitoring(users["nurse"], programme)

    other_programme = Programme.objects.get(name=OTHER_PROGRAMME)
    patients.create_patient(
        system_request(other),
        other_programme,
        {"reference": "OTHER-001", "display_name": "O. P.", "year_of_birth": 1970},
    )

    from benzodetox.web.careplans.demo import seed_demo_careplan

    seed_demo_careplan()  # idempotent: the aftercare patient's care plan

    from benzodetox.web.outcomes.demo_history import seed_outcome_history

    # synthetic historical patients (SYN-…), so the outcomes page has something to show
    seed_outcome_history(programme, users["prescriber"], users["nurse"], today)
    patient_login = _portal_login()
    if patient_login is not None:
        logins.append(patient_login)
    return logins
