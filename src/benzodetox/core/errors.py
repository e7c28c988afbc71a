"""One small hierarchy of errors for the core. Adapters turn these into form messages,
HTTP 4xx answers naming the field, or CLI exit status 2."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["BenzodetoxError", "DataError", "InputError", "PlanError"]


class BenzodetoxError(Exception):
    """Base class for every error the core raises on purpose."""


class InputError(BenzodetoxError, ValueError):
    """A value given to the core is not allowed.

    ``field`` names what was wrong (as the user would call it), ``value`` is what was given,
    ``allowed`` says in words what would be accepted.

    >>> str(InputError("unit", "grams", "mg, µg or mcg"))
    "unit: 'grams' is not allowed; expected mg, µg or mcg"
    """

    def __init__(self, field: str, value: object, allowed: str, hint: str = "") -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.hint = hint
        shown = "nothing" if value is None else repr(value) if isinstance(value, str) else value
        message = f"{field}: {shown} is not allowed; expected {allowed}"
        if value == "missing":
            message = f"{field}: missing; expected {allowed}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self)


class PlanError(InputError):
    """A plan cannot be built as asked without breaking a safety rule (the message says which
    rule and what the clinician can change)."""


class DataError(BenzodetoxError):
    """The core's own data files are inconsistent (a bug in the data, not in the input)."""


def closest_names(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Names from ``candidates`` that look like ``name``, best first (for "did you mean")."""
    import difflib

    return difflib.get_close_matches(name.lower(), list(candidates), n=n, cutoff=0.5)
