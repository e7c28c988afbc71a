"""Plans and regimens for the FHIR mapping tests, built by the core."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from benzodetox.core.plan import Plan, PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan


def regimen(*doses: tuple[str, str, str]) -> Regimen:
    return Regimen(tuple(Dose(time.fromisoformat(t), drug, Decimal(mg)) for drug, mg, t in doses))


@pytest.fixture
def crossover_plan() -> Plan:
    """Alprazolam twice a day crossed over to diazepam (two drugs, concurrent doses)."""
    return build_plan(
        PlanRequest(
            regimen=regimen(("alprazolam", "0.5", "08:00"), ("alprazolam", "1", "22:00")),
            source="ashton-2002",
            start=date(2025, 1, 6),
            switch_to="diazepam",
        )
    )


@pytest.fixture
def diazepam_plan() -> Plan:
    """Diazepam 10 mg twice a day tapered by ASAM steps (half tablets near the end)."""
    return build_plan(
        PlanRequest(
            regimen=regimen(("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")),
            source="ashton-2002",
            start=date(2025, 1, 6),
        )
    )
