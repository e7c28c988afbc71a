"""Reading the care plan's own data files (the core's only I/O)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from ..errors import DataError

__all__ = ["load", "need_str"]


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed TOML file ``core/data/<name>``."""
    text = resources.files("benzodetox.core").joinpath("data", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def need_str(table: dict[str, Any], key: str, where: str) -> str:
    """``table[key]`` as a string, or a DataError naming the file position."""
    value = table.get(key)
    if not isinstance(value, str):
        raise DataError(f"{where}: {key!r} must be a string, got {value!r}")
    return value
