"""Every example in a docstring of the package runs and gives what it shows (issue 15, item 3).

The modules are found by walking ``src/benzodetox``: a new docstring example is tested without
being listed anywhere."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import benzodetox

PACKAGE_DIR = Path(benzodetox.__file__).parent


def _modules_with_examples() -> list[str]:
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "migrations" in path.parts or ">>> " not in path.read_text(encoding="utf-8"):
            continue
        relative = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        names.append(".".join(parts))
    return names


MODULES = _modules_with_examples()


def test_examples_are_found_in_the_core_and_the_adapters() -> None:
    assert any(name.startswith("benzodetox.core.") for name in MODULES)
    assert any(name.startswith("benzodetox.web.") for name in MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} holds '>>> ' but no example doctest can run"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
