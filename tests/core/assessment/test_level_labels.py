"""The ASAM withdrawal-management levels are worded once, in levels_of_care.toml."""

from __future__ import annotations

from benzodetox.core.assessment import level_labels
from benzodetox.core.assessment.level_of_care import WM_LEVELS


def test_every_level_is_labelled_with_its_key_first_lowest_first():
    """One label per WM level, in the levels' order, each starting with its key."""
    labels = level_labels()
    assert [key for key, _ in labels] == list(WM_LEVELS)
    assert all(text.startswith(f"{key} ") and len(text) > len(key) + 5 for key, text in labels)
