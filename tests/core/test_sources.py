"""Every figure in every core data file carries a source key that resolves in sources.toml.

This walks ALL of ``core/data/*.toml``, including files added after it was written, so that a new
data file (instruments, adjuncts, kinetics, vitals …) is checked without touching this test.

The rule (../shared/reference/README.md): a table or inline table that holds a number — directly or
in a list — must carry ``source`` itself or sit inside a table that does ("directly or through its
table"), or a per-field ``<field>_source`` key. Every ``source`` / ``*_source`` value and every
``sources`` list must resolve. A top-level ``schema`` number is the file's format version.
equivalence.toml is the one file keyed by source: its figure tables are named after the tables.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

LABELS = {"V", "V2", "R", "C"}
#: Top-level keys that describe the file, not a clinical figure (e.g. ``schema = 1``).
FORMAT_KEYS = {"schema"}


def _data_files() -> list[str]:
    folder = resources.files("benzodetox.core").joinpath("data")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml"))


def _load(name: str) -> dict[str, Any]:
    text = resources.files("benzodetox.core").joinpath("data", name).read_text("utf-8")
    return tomllib.loads(text, parse_float=Decimal)


SOURCES = _load("sources.toml")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _holds_number(table: dict[str, Any]) -> list[str]:
    """Keys of ``table`` whose value is a number or a list containing numbers."""
    found = []
    for key, value in table.items():
        if _is_number(value) or (isinstance(value, list) and any(_is_number(v) for v in value)):
            found.append(key)
    return found


def _source_refs(table: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(key, source key) pairs named by ``table`` itself."""
    for key, value in table.items():
        if key == "source" or key.endswith("_source"):
            if isinstance(value, str):
                yield key, value
            elif isinstance(value, list):
                yield from ((key, v) for v in value if isinstance(v, str))
        elif key == "sources" and isinstance(value, list):
            yield from ((key, v) for v in value if isinstance(v, str))


def _tables(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _tables(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _tables(value, f"{path}[{i}]")


def _table_sourced(node: dict[str, Any]) -> bool:
    """The table names a resolving ``source`` (a key, or a non-empty list of keys that all
    resolve), or a non-empty ``sources`` list that resolves."""
    for name in ("source", "sources"):
        value = node.get(name)
        if isinstance(value, str) and value in SOURCES:
            return True
        if isinstance(value, list) and value and all(v in SOURCES for v in value):
            return True
    return False


def _field_sourced(node: dict[str, Any], key: str) -> bool:
    """A per-field source: ``every_days_source`` covers ``every_days``; ``default_source`` covers
    ``default_sessions`` (a ``P_source`` key covers ``P`` and ``P_*``)."""
    for other, value in node.items():
        if other.endswith("_source") and isinstance(value, str) and value in SOURCES:
            prefix = other.removesuffix("_source")
            if key == prefix or key.startswith(prefix + "_"):
                return True
    return False


def _unsourced(node: Any, path: str, inherited: bool) -> Iterator[str]:
    """Paths of numbers with no resolving source on their table or an enclosing one."""
    if isinstance(node, list):
        for i, value in enumerate(node):
            yield from _unsourced(value, f"{path}[{i}]", inherited)
        return
    if not isinstance(node, dict):
        return
    sourced = inherited or _table_sourced(node)
    if not sourced:
        for key in _holds_number(node):
            if path == "" and key in FORMAT_KEYS:
                continue
            if not _field_sourced(node, key):
                yield f"{path}.{key}" if path else key
    for key, value in node.items():
        yield from _unsourced(value, f"{path}.{key}" if path else key, sourced)


def test_there_are_data_files_to_check():
    """The walk sees the catalogue's files (a broken glob would make every check pass)."""
    names = _data_files()
    for expected in ("sources.toml", "drugs.toml", "equivalence.toml", "products.toml"):
        assert expected in names


def test_every_source_entry_has_a_citation_and_a_known_label():
    """sources.toml: key → citation, label V/V2/R/C, url (may be empty); keys lower-case."""
    for key, row in SOURCES.items():
        assert key == key.lower() and " " not in key and "_" not in key, key
        assert isinstance(row.get("citation"), str) and row["citation"].strip(), key
        assert row.get("label") in LABELS, key
        assert isinstance(row.get("url", ""), str), key


@pytest.mark.parametrize("name", [n for n in _data_files() if n != "sources.toml"])
def test_every_source_key_named_in_a_data_file_resolves(name):
    """Each ``source``, ``*_source`` and ``sources`` value anywhere in the file is a key of
    sources.toml."""
    bad = [
        f"{path}.{key} = {ref!r}"
        for path, table in _tables(_load(name), "")
        for key, ref in _source_refs(table)
        if ref not in SOURCES
    ]
    assert not bad, f"{name}: unknown source keys: {bad}"


@pytest.mark.parametrize(
    "name", [n for n in _data_files() if n not in ("sources.toml", "equivalence.toml")]
)
def test_every_figure_in_a_data_file_carries_a_source(name):
    """No number in the file is outside a table that names a resolving source (its own or an
    enclosing table's)."""
    missing = list(_unsourced(_load(name), "", inherited=False))
    assert not missing, f"{name}: figures without a source: {missing}"


def test_equivalence_figures_are_keyed_by_source_tables():
    """equivalence.toml: [drug] → {source key: {lo, hi, label, doubled}}; every key resolves and
    every figure is a lo/hi pair with a label."""
    for drug, tables in _load("equivalence.toml").items():
        for table, fig in tables.items():
            assert table in SOURCES, (drug, table)
            assert set(fig) <= {"lo", "hi", "label", "doubled"}, (drug, table)
            assert fig["label"] in LABELS
            assert _is_number(fig["lo"]) and _is_number(fig["hi"])


@pytest.mark.parametrize("name", [n for n in _data_files() if n != "sources.toml"])
def test_figures_from_r_sources_are_never_marked_confirmed(name):
    """A table whose own source is [R] does not claim ``confirmed = true``."""
    bad = [
        path
        for path, table in _tables(_load(name), "")
        if isinstance(table.get("source"), str)
        and SOURCES.get(table["source"], {}).get("label") == "R"
        and table.get("confirmed") is True
    ]
    assert not bad, f"{name}: [R] figures marked confirmed: {bad}"
