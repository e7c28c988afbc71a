from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from benzodetox.core.regimen import Dose, Regimen

START = date(2026, 1, 5)


def regimen(*doses: tuple[str, str, str]) -> Regimen:
    """regimen(("diazepam", "10", "08:00"), ...)"""
    return Regimen(tuple(Dose(time.fromisoformat(at), drug, Decimal(mg)) for drug, mg, at in doses))


@pytest.fixture
def start() -> date:
    return START
