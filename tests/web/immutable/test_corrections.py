"""The correction path: a correction is a new row with its reason and the old row stays as it
was — a plan's new version, an assessment's correction (its next version; the old one only
gains the pointer to it), a relapse plan's new version."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from benzodetox.web.careplans.relapse_plans import relapse_from_dict, save_relapse_plan
from benzodetox.web.demo import system_request
from benzodetox.web.monitoring.models import Assessment
from benzodetox.web.monitoring.services import Entry, record_assessment
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.plans.services import plan_of, save_plan_version
from benzodetox.web.programmes.scoping import unscoped
from tests.web.careplans.conftest import RELAPSE_CONTENT
from tests.web.conftest import make_version
from tests.web.immutable.conftest import snapshot

MILD = (1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0)


def _ciwa(user: Any, patient: Any, answers: tuple[int, ...], **kwargs: Any) -> Assessment:
    entry = Entry(kind="ciwa-b", at=timezone.now() - timedelta(minutes=5), answers=answers)
    with unscoped():
        return record_assessment(system_request(user), patient, entry, **kwargs)


def test_a_plan_is_corrected_by_a_new_version_and_the_old_one_is_unchanged(
    patient_a: Any, prescriber: Any
) -> None:
    """The new version carries its reason and points at the one it is based on."""
    old = make_version(patient_a, prescriber)
    before = snapshot(PlanVersion, old.pk)
    with unscoped():
        new = save_plan_version(
            system_request(prescriber),
            patient_a,
            plan_of(old),
            dict(old.parameters),
            "start moved: the patient is away that week",
            based_on=old,
        )
    assert (new.number, new.reason, new.based_on_id) == (
        2,
        "start moved: the patient is away that week",
        old.pk,
    )
    assert snapshot(PlanVersion, old.pk) == before


def test_an_assessment_is_corrected_by_its_next_version_and_the_old_one_only_gains_the_pointer(
    patient_a: Any, nurse: Any
) -> None:
    """Every column of the corrected row is as recorded, except superseded_by (set once)."""
    first = _ciwa(nurse, patient_a, MILD)
    before = snapshot(Assessment, first.pk)
    second = _ciwa(
        nurse, patient_a, (0,) * 20, supersedes=first, reason="item 1 entered on the wrong row"
    )
    after = snapshot(Assessment, first.pk)
    assert after.pop("superseded_by_id") == second.pk
    assert before.pop("superseded_by_id") is None
    assert after == before
    assert (second.version, second.supersedes_id, second.correction_reason) == (
        2,
        first.pk,
        "item 1 entered on the wrong row",
    )


def _refused(sql: str, params: list[Any]) -> None:
    with (
        pytest.raises(IntegrityError) as refused,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    assert "immutable" in str(refused.value)


def test_the_successor_pointer_is_set_once_and_never_with_anything_else(
    patient_a: Any, nurse: Any
) -> None:
    """Moving, clearing, or setting it along with another column is refused by the database;
    so is rewriting a row that already has its successor."""
    first = _ciwa(nurse, patient_a, MILD)
    second = _ciwa(nurse, patient_a, (0,) * 20, supersedes=first, reason="typo")
    third = _ciwa(nurse, patient_a, MILD)
    table = '"monitoring_assessment"'
    _refused(f"UPDATE {table} SET superseded_by_id = %s WHERE id = %s", [third.pk, first.pk])
    _refused(f"UPDATE {table} SET superseded_by_id = NULL WHERE id = %s", [first.pk])
    _refused(
        f"UPDATE {table} SET superseded_by_id = %s, total = 99 WHERE id = %s", [third.pk, second.pk]
    )
    _refused(f"UPDATE {table} SET notes = 'x' WHERE id = %s", [first.pk])
    assert snapshot(Assessment, first.pk)["superseded_by_id"] == second.pk
    assert snapshot(Assessment, second.pk)["superseded_by_id"] is None


def test_a_relapse_plan_is_corrected_by_a_new_version_and_the_old_one_is_unchanged(
    patient_a: Any, counsellor: Any
) -> None:
    """Reviewing the plan writes version 2 with its reason; version 1 is as it was."""
    content = relapse_from_dict(RELAPSE_CONTENT)
    request = system_request(counsellor)
    with unscoped():
        first = save_relapse_plan(
            request, patient_a, content, reason="first plan", reviewed_on=date(2026, 1, 5)
        )
        before = snapshot(type(first), first.pk)
        second = save_relapse_plan(
            request,
            patient_a,
            replace(content, goals=(*content.goals, "Walk every morning")),
            reason="reviewed at visit",
            reviewed_on=date(2026, 2, 2),
        )
    assert (second.number, second.reason) == (2, "reviewed at visit")
    assert "Walk every morning" in second.content["goals"]
    assert snapshot(type(first), first.pk) == before
