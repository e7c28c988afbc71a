"""The patient forms' level-of-care choices are the core's words, not a copy."""

from __future__ import annotations

from benzodetox.core.assessment import level_labels
from benzodetox.web.patients.choices import LEVELS_OF_CARE
from benzodetox.web.patients.forms import DecisionForm


def test_the_level_of_care_choices_are_the_cores_labels():
    """LEVELS_OF_CARE is level_labels() itself, and the decision form offers exactly those."""
    assert list(level_labels()) == LEVELS_OF_CARE
    offered = [c for c in DecisionForm.base_fields["chosen_level"].choices if c[0]]
    assert offered == list(level_labels())
