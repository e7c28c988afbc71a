"""Every figure and statement in the care plan's data files names a source that exists."""

import tomllib
from datetime import date
from importlib import resources

import pytest

from benzodetox.core.careplan.aftercare import aftercare_plan, default_policy
from benzodetox.core.careplan.relapse import RelapsePlan

DATA = resources.files("benzodetox.core").joinpath("data")
SOURCES = tomllib.loads(DATA.joinpath("sources.toml").read_text(encoding="utf-8"))
SOURCE_FIELDS = {"source", "asam_source", "tapering_source", "every_days_source",
                 "default_source", "recommendation_source", "rationale_source", "targets_source"}


def walk(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SOURCE_FIELDS:
                yield f"{path}.{key}", value
            elif key == "studies":
                for i, s in enumerate(value):
                    yield f"{path}.studies[{i}]", s
            else:
                yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from walk(item, f"{path}[{i}]")


@pytest.mark.parametrize("name", ["adjuncts.toml", "aftercare.toml"])
def test_every_source_key_in_the_careplan_data_resolves(name):
    """Each source key names a table of sources.toml."""
    data = tomllib.loads(DATA.joinpath(name).read_text(encoding="utf-8"))
    keys = list(walk(data))
    assert keys
    missing = [(where, key) for where, key in keys if key not in SOURCES]
    assert missing == []


def test_the_generated_plans_cite_only_known_sources():
    """Aftercare items and the relapse plan cite keys of sources.toml."""
    care = aftercare_plan(date(2025, 1, 1), sud=True)
    cited = {s for item in care.items for s in item.sources} | {RelapsePlan().source}
    assert cited <= set(SOURCES)


def test_figures_marked_r_in_sources_are_unconfirmed_in_the_policy():
    """A policy figure whose source is labelled R is shown as unconfirmed."""
    policy = default_policy()
    for figure in (policy.review_every, *(p.every for p in policy.contact_phases)):
        if SOURCES[figure.source]["label"] == "R":
            assert not figure.confirmed
