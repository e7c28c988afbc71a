"""Properties of recording a return to use: a date is accepted exactly when it lies between the
first plan's start and today, and a refusal names the date field and that range; after any
sequence of reports, corrections and withdrawals, the current reports are exactly the reports
nobody replaced (every row still stored)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benzodetox.core.errors import InputError
from benzodetox.web.careplans import return_to_use
from benzodetox.web.careplans.models import ReturnToUseReport
from benzodetox.web.programmes.scoping import unscoped

from ..outcomes.conftest import add_episode

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def setup(programme_a: Any, prescriber: Any, nurse: Any) -> tuple[Any, date, Any]:
    """A patient whose plan started 120 days ago; a nurse's request."""
    start = timezone.localdate() - timedelta(days=120)
    patient, _last = add_episode(programme_a, prescriber, "RTU-P", start)
    request = RequestFactory().post("/")
    request.user = nurse
    with unscoped():
        span = return_to_use.date_range(patient)
    assert span is not None
    return patient, span.first, request


@SETTINGS
@given(offset=st.integers(min_value=-400, max_value=400))
def test_a_date_is_accepted_exactly_within_the_first_plans_start_and_today(
    setup: tuple[Any, date, Any], offset: int
) -> None:
    """Drawn: a day up to 400 days either side of the first plan's start."""
    patient, first, request = setup
    on = first + timedelta(days=offset)
    inside = first <= on <= timezone.localdate()
    with unscoped():
        before = ReturnToUseReport.objects.filter(patient=patient).count()
        if inside:
            row = return_to_use.record_return(
                request, patient, on=on, reported_by="patient", substance="diazepam"
            )
            assert row.on == on
        else:
            with pytest.raises(InputError) as refused:
                return_to_use.record_return(
                    request, patient, on=on, reported_by="patient", substance="diazepam"
                )
            assert refused.value.field == "on" and first.isoformat() in refused.value.allowed
        after = ReturnToUseReport.objects.filter(patient=patient).count()
    assert after == before + (1 if inside else 0)


ACTIONS = st.lists(
    st.tuples(st.sampled_from(["report", "correct", "withdraw"]), st.integers(0, 20)),
    min_size=1,
    max_size=8,
)


@SETTINGS
@given(actions=ACTIONS)
def test_current_reports_are_the_ones_nobody_replaced_after_any_sequence(
    setup: tuple[Any, date, Any], actions: list[tuple[str, int]]
) -> None:
    """Drawn: reports, corrections and withdrawals of a current report (chosen by index);
    a correction or withdrawal when none is current is skipped (it is legitimately refused)."""
    patient, first, request = setup
    with unscoped():
        stored_before = set(
            ReturnToUseReport.objects.filter(patient=patient).values_list("pk", flat=True)
        )
        expected = {r.pk for r in return_to_use.current_reports(patient)}
        for action, pick in actions:
            on = first + timedelta(days=pick)
            current = sorted(expected)
            if action == "report":
                row = return_to_use.record_return(
                    request, patient, on=on, reported_by="clinician", substance="lorazepam"
                )
                expected.add(row.pk)
            elif current:
                target = current[pick % len(current)]
                if action == "correct":
                    row = return_to_use.record_return(
                        request, patient, on=on, reported_by="patient", substance="diazepam",
                        corrects=target,
                    )  # fmt: skip
                    expected.add(row.pk)
                else:
                    return_to_use.withdraw_return(request, patient, target, "made in error")
                expected.discard(target)
        assert {r.pk for r in return_to_use.current_reports(patient)} == expected
        stored = set(ReturnToUseReport.objects.filter(patient=patient).values_list("pk", flat=True))
        assert stored_before <= stored and expected <= stored
