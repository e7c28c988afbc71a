"""Plans and regimens become dose events in hours from the start of day 1."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import numpy as np
import pytest

from benzodetox.core.errors import InputError
from benzodetox.core.kinetics.events import events_from_plan, events_from_regimen
from benzodetox.core.plan import Plan, ScheduledDose, Step
from benzodetox.core.regimen import Dose, Regimen


def _dose(at: time, drug: str, mg: str) -> ScheduledDose:
    return ScheduledDose(time=at, drug=drug, target_mg=Decimal(mg), mg=Decimal(mg))


def _plan() -> Plan:
    start = date(2025, 1, 1)
    steps = (
        Step(
            0,
            start,
            date(2025, 1, 3),
            "current",
            (_dose(time(8), "diazepam", "5"), _dose(time(22, 30), "diazepam", "5")),
            Decimal(10),
            Decimal(0),
        ),
        Step(
            1,
            date(2025, 1, 4),
            date(2025, 1, 5),
            "reduction",
            (_dose(time(22, 30), "diazepam", "4.5"),),
            Decimal("4.5"),
            Decimal(55),
        ),
        Step(2, date(2025, 1, 6), date(2025, 1, 6), "stop", (), Decimal(0), Decimal(100)),
    )
    return Plan(
        "ashton-2002", "us", "asam", (), start, steps, Decimal(10), (Decimal(10), Decimal(10))
    )


def test_every_day_of_every_step_becomes_an_event_at_its_clock_time():
    """Step days are inclusive; 22:30 on day 4 is hour 3·24 + 22.5."""
    ev = events_from_plan(_plan())["diazepam"]
    assert ev.count == 3 * 2 + 2
    assert ev.times_h[:2].tolist() == [8.0, 22.5]
    assert ev.times_h[-2:].tolist() == [3 * 24 + 22.5, 4 * 24 + 22.5]
    assert ev.mg.sum() == pytest.approx(3 * 10 + 2 * 4.5)


def test_stop_after_days_keeps_only_the_first_n_days():
    """With stop-after-days 2 the last dose is on day 2."""
    ev = events_from_plan(_plan(), stop_after_days=2)["diazepam"]
    assert ev.times_h.max() == 24 + 22.5
    assert events_from_plan(_plan(), stop_after_days=0) == {}
    with pytest.raises(InputError):
        events_from_plan(_plan(), stop_after_days=-1)


def test_a_regimen_is_taken_every_day_for_the_given_days():
    """A regimen of two doses a day over 3 days is 6 sorted events."""
    regimen = Regimen(
        (Dose(time(20), "diazepam", Decimal(2)), Dose(time(8), "diazepam", Decimal(5)))
    )
    ev = events_from_regimen(regimen, 3)["diazepam"]
    assert np.all(np.diff(ev.times_h) > 0)
    assert ev.mg.tolist() == [5, 2, 5, 2, 5, 2]
