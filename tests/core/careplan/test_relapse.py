"""The relapse-prevention plan is versioned: every change is a new value with a reason."""

from datetime import date

import pytest

from benzodetox.core.careplan.relapse import (
    CONTACT_ROLES,
    Lifestyle,
    RelapsePlan,
    SupportContact,
    Trigger,
    revise,
)
from benzodetox.core.errors import InputError


def plan() -> RelapsePlan:
    return RelapsePlan(
        goals=("Sleep without tablets",),
        triggers=(
            Trigger("Lying awake at night", "internal", ("Get up and read for 20 minutes",)),
            Trigger("Visits to my brother's flat", "external", ("Leave the situation",)),
        ),
        warning_signs=("Skipping meals",),
        contacts=(SupportContact("support_person", "Sam", "07700 900123"),),
        after_lapse=("Tell my prescriber within a week",),
        lifestyle=Lifestyle(sleep="Up at 7 every day"),
        updated_on=date(2025, 3, 3),
    )


def test_triggers_are_split_into_internal_and_external():
    """Internal and external triggers each keep their coping strategies."""
    p = plan()
    assert [t.description for t in p.internal_triggers] == ["Lying awake at night"]
    assert p.external_triggers[0].coping == ("Leave the situation",)


def test_a_revision_is_a_new_version_with_its_reason():
    """Revising returns version + 1 with the reason and date; the old value is unchanged."""
    old = plan()
    new = revise(old, reason="reviewed at week 4", on=date(2025, 3, 31),
                 lifestyle=Lifestyle(sleep="Up at 7", exercise="Walk daily"))
    assert (new.version, new.reason, new.updated_on) == (2, "reviewed at week 4", date(2025, 3, 31))
    assert new.lifestyle.exercise == "Walk daily"
    assert old.version == 1 and old.lifestyle.exercise == ""


def test_a_revision_needs_a_reason_and_known_fields():
    """No silent edits: a reason is required and only plan fields can change."""
    with pytest.raises(InputError):
        revise(plan(), reason=" ", on=date(2025, 4, 1), goals=("x",))
    with pytest.raises(InputError):
        revise(plan(), reason="r", on=date(2025, 4, 1), version=7)
    with pytest.raises(InputError):
        revise(plan(), reason="r", on=date(2025, 1, 1), goals=("x",))


def test_missing_support_roles_are_listed():
    """Roles with nobody named (peer, prescriber, crisis line...) are reported as gaps."""
    assert set(plan().missing_roles()) == set(CONTACT_ROLES) - {"support_person"}


def test_bad_trigger_kinds_and_contact_roles_are_refused():
    """Trigger kinds and contact roles come from fixed lists."""
    with pytest.raises(InputError):
        Trigger("Stress", "other")
    with pytest.raises(InputError):
        SupportContact("neighbour", "Ann")
