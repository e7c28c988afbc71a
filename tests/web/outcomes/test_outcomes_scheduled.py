"""The server's periodic jobs keep programme outcomes current, so the page computes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from benzodetox.web.outcomes.models import EpisodeSnapshot
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.scheduler.runner import JOBS

from .conftest import add_episode


def test_the_outcomes_job_computes_every_programmes_outcomes_before_anyone_asks(
    programme_a: Any, programme_b: Any, prescriber: Any, other_clinician: Any
) -> None:
    """Patients in two programmes: after one run each has a kept outcome, and a second run
    recomputes nothing (nothing changed)."""
    start = timezone.localdate() - timedelta(days=60)
    for i in range(3):
        add_episode(programme_a, prescriber, f"JOB-A{i}", start)
    add_episode(programme_b, other_clinician, "JOB-B0", start)
    with unscoped():
        assert EpisodeSnapshot.objects.count() == 0
    summary = JOBS["outcomes-refresh"]()
    assert summary == "recomputed 4 outcomes, 0 left"
    with unscoped():
        assert EpisodeSnapshot.objects.filter(programme=programme_a).count() == 3
        assert EpisodeSnapshot.objects.filter(programme=programme_b).count() == 1
    assert JOBS["outcomes-refresh"]() == "recomputed 0 outcomes, 0 left"
