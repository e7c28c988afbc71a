"""The demo programme's synthetic historical patients: labelled, deterministic, quick, and
enough for every chart of the outcomes page to show something."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from benzodetox.web.outcomes import demo_history, services
from benzodetox.web.outcomes.report import figures
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.models import Membership, Programme
from benzodetox.web.programmes.scoping import unscoped


@pytest.fixture
def seeded(db: Any) -> tuple[Programme, Any, float]:
    programme = Programme.objects.create(name="Demo programme")
    users = get_user_model()
    prescriber = users.objects.create(username="demo-prescriber")
    nurse = users.objects.create(username="demo-nurse")
    Membership.objects.create(user=prescriber, programme=programme, role="prescriber")
    Membership.objects.create(user=nurse, programme=programme, role="nurse")
    started = time.perf_counter()
    with unscoped():
        demo_history.seed_outcome_history(programme, prescriber, nurse, timezone.localdate())
    return programme, prescriber, time.perf_counter() - started


def test_the_synthetic_patients_are_labelled_and_seeded_once_quickly(seeded):
    """Every synthetic patient is SYN-… 'Synthetic history n'; a second call adds none; the seed
    takes well under 10 s."""
    programme, prescriber, seconds = seeded
    with unscoped():
        synthetic = Patient.objects.filter(programme=programme)
        assert synthetic.count() == demo_history.PATIENTS
        assert all(
            p.reference.startswith("SYN-") and p.display_name.startswith("Synthetic history")
            for p in synthetic
        )
        assert (
            demo_history.seed_outcome_history(
                programme, prescriber, prescriber, timezone.localdate()
            )
            == 0
        )
    assert seconds < 10


def test_every_chart_and_outcome_has_something_to_show(seeded):
    """The curve, the trajectory and the funnel are drawn; every outcome but the rarest
    occurs; holds, step backs and returns to use are among them."""
    programme, prescriber, _ = seeded
    with unscoped():
        outcomes = services.outcomes_for(programme.pk, timezone.localdate())
        f = figures(outcomes, services.definitions_for(programme.pk))
    assert len(f.km) > 3 and any(q.median is not None for _w, q in f.weeks)
    assert f.funnel[1].count and f.funnel[1].count > 0
    statuses = {o.status for o in outcomes}
    assert {"completed", "ongoing", "discontinued", "lost", "returned"} <= statuses
    assert any(o.holds for o in outcomes) and any(o.step_backs for o in outcomes)
    assert any(o.moved_setting for o in outcomes) and any(o.emergencies for o in outcomes)
    client = Client()
    client.force_login(prescriber)
    assert client.get("/programme/outcomes/").status_code == 200
