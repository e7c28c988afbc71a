"""Today's page: the doses of the day are the plan's own dispensing (the handout's words and
pictures), the next change and its date, only approved versions, and a new approved version is
announced once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from benzodetox.reports.common import format_day
from benzodetox.reports.patient_words import take_words
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.plans.services import plan_of
from benzodetox.web.portal import today as today_service
from benzodetox.web.portal import views
from benzodetox.web.programmes.scoping import scope_programmes, unscoped

from ..conftest import make_version
from .conftest import approve

pytestmark = pytest.mark.django_db


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(views, "_today", lambda: day)


def test_each_dose_time_lists_exactly_the_plans_takes_for_the_day(
    approved_a: Any, patient_a: Any
) -> None:
    with unscoped():
        plan = plan_of(approved_a)
    for step in plan.steps[:6]:
        day = step.start + timedelta(days=1) if step.end > step.start else step.start
        with scope_programmes({patient_a.programme_id}):
            view = today_service.today_for(patient_a, day)
        expected = [
            (dose.time.strftime("%H:%M"), f"{dose.drug}: {take_words(take)}")
            for dose in sorted(step.doses, key=lambda d: (d.time, d.drug))
            if dose.mg > 0 and not dose.from_supply
            for take in dose.takes
            if take.mg > 0
        ]
        shown = [(cell.time, words) for cell in view.doses for words, _pic in cell.items]
        assert shown == expected
        assert view.state == "during"


def test_the_page_shows_the_doses_pictures_and_the_next_change(
    approved_a: Any, patient_a: Any, patient_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unscoped():
        plan = plan_of(approved_a)
    second = next(s for s in plan.steps if s.start > plan.start)
    _on(monkeypatch, plan.start)
    page = patient_client.get(reverse("portal:today"))
    assert page.status_code == 200
    text = page.content.decode()
    first = plan.steps[0]
    for dose in first.doses:
        for take in dose.takes:
            if take.mg > 0:
                assert take_words(take) in text
    assert "data:image/svg+xml;base64," in text  # the tablet pictures
    assert format_day(second.start) in text
    assert "Next change" in text
    for note in first.notes:  # clinician notes never reach the patient
        assert note not in text


def test_a_draft_version_is_never_shown(
    patient_a: Any, personas: dict[str, Any], patient_client: Client
) -> None:
    make_version(patient_a, personas["nurse"])
    page = patient_client.get(reverse("portal:today"))
    assert page.status_code == 200
    assert b"has not finished your plan" in page.content
    assert b"Your doses today" not in page.content


def test_a_new_approved_version_is_announced_once(
    approved_a: Any,
    patient_a: Any,
    personas: dict[str, Any],
    patient_client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with unscoped():
        plan = plan_of(approved_a)
    _on(monkeypatch, plan.start)
    first = patient_client.get(reverse("portal:today"))
    assert b"Your plan has changed" not in first.content
    approve(make_version(patient_a, personas["nurse"], number=2), personas["prescriber"])
    second = patient_client.get(reverse("portal:today"))
    assert b"Your plan has changed" in second.content
    third = patient_client.get(reverse("portal:today"))
    assert b"Your plan has changed" not in third.content


def test_before_the_start_and_after_the_last_dose(
    approved_a: Any, patient_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unscoped():
        plan = plan_of(approved_a)
    _on(monkeypatch, plan.start - timedelta(days=3))
    before = patient_client.get(reverse("portal:today"))
    assert b"Your plan starts on" in before.content
    assert plan.last_dose_date is not None
    _on(monkeypatch, plan.last_dose_date + timedelta(days=2))
    after = patient_client.get(reverse("portal:today"))
    assert b"no more doses" in after.content


def test_the_calendar_lists_every_week_and_marks_this_week(
    approved_a: Any, patient_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unscoped():
        plan = plan_of(approved_a)
    monkeypatch.setattr(views, "_today", lambda: plan.start + timedelta(days=8))
    page = patient_client.get(reverse("portal:calendar"))
    assert page.status_code == 200
    weeks = (plan.end - plan.start).days // 7 + 1
    assert page.content.decode().count('<li class="portal-week') == weeks
    assert b"This week" in page.content


def test_every_read_is_audited_as_the_patient(
    approved_a: Any, patient_a: Any, patient_client: Client
) -> None:
    patient_client.get(reverse("portal:today"))
    patient_client.get(reverse("portal:calendar"))
    with unscoped():
        rows = list(
            AuditEvent.objects.filter(patient=patient_a, action__startswith="portal.viewed")
            .values_list("action", "username", "detail")
        )
    assert {r[0] for r in rows} == {"portal.viewed_today", "portal.viewed_calendar"}
    assert all(r[1] == "patient-a" and r[2]["by"] == "patient" for r in rows)


def test_the_calendar_opens_on_this_week_with_the_earlier_weeks_folded(
    approved_a: Any, patient_a: Any
) -> None:
    with unscoped():
        plan = plan_of(approved_a)
    day = plan.start + timedelta(days=15)  # in week 3
    with scope_programmes({patient_a.programme_id}):
        view = today_service.today_for(patient_a, day, calendar=True)
    assert view.this_week == "3"
    assert [w.number for w in view.earlier_weeks] == ["1", "2"]
    assert view.coming_weeks[0].number == "3"
    assert len(view.earlier_weeks) + len(view.coming_weeks) == len(view.weeks)


def test_the_calendar_names_every_medicine_of_the_plan(approved_a: Any, patient_a: Any) -> None:
    with unscoped():
        plan = plan_of(approved_a)
    with scope_programmes({patient_a.programme_id}):
        view = today_service.today_for(patient_a, plan.start, calendar=True)
    drugs = {d.drug for s in plan.steps for d in s.doses if d.mg > 0}
    assert drugs and all(drug in view.medicines for drug in drugs)
