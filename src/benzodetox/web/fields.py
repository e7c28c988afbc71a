"""Form fields shared by the web app's forms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms

__all__ = ["NumberField", "set_choices"]


def set_choices(form: forms.BaseForm, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """Give the choice field ``name`` of ``form`` its choices at run time (e.g. from the core's
    catalogue); a form's ``fields`` are typed as plain ``Field``, so this checks the kind."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = list(choices)

_DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_WHOLE = re.compile(r"^[0-9]+$")


class NumberField(forms.Field):
    """A number typed as text, so the browser sends exactly what was typed (an ``<input
    type=number>`` sends '' for '1e' or '1,5', which would read as "empty: the default").

    Empty is None (or refused when ``required``); anything else must be digits with at most one
    point and ``places`` decimals, within ``least``–``most``; every refusal names the field, what
    was typed and what is allowed."""

    def __init__(
        self,
        *,
        label: str,
        allowed: str,
        whole: bool = False,
        least: Decimal | int | None = None,
        most: Decimal | int | None = None,
        places: int = 3,
        required: bool = False,
        **kwargs: Any,
    ) -> None:
        attrs = {
            "inputmode": "numeric" if whole else "decimal",
            "autocomplete": "off",
            "spellcheck": "false",
            "pattern": r"[0-9]+" if whole else r"[0-9]+(\.[0-9]+)?",
            "class": "number",
        }
        super().__init__(
            label=label, required=required, widget=forms.TextInput(attrs=attrs), **kwargs
        )
        self.allowed = allowed
        self.whole = whole
        self.least = least
        self.most = most
        self.places = places

    def _refuse(self, text: str, why: str) -> forms.ValidationError:
        return forms.ValidationError(
            f"{self.label}: {why}. Allowed: {self.allowed}.", code="invalid"
        )

    def to_python(self, value: Any) -> Decimal | int | None:
        text = ("" if value is None else str(value)).strip()
        if not text:
            return None
        if len(text) > 30:  # int() of thousands of digits is slow, then refused by Python
            raise self._refuse(text[:12] + "…", "too many characters for a number")
        if "," in text:
            raise self._refuse(text, f"'{text}' has a comma; write decimals with a point (1.5)")
        if text.startswith(("-", "−")):
            raise self._refuse(text, f"'{text}' is negative or not a number")
        if self.whole and not _WHOLE.match(text):
            raise self._refuse(text, f"'{text}' is not a whole number")
        if not self.whole and not _DECIMAL.match(text):
            raise self._refuse(text, f"'{text}' is not a number")
        number: Decimal | int = int(text) if self.whole else Decimal(text)
        if not self.whole and "." in text and len(text.split(".")[1]) > self.places:
            raise self._refuse(text, f"'{text}' has more than {self.places} decimals")
        if (self.least is not None and number < self.least) or (
            self.most is not None and number > self.most
        ):
            raise self._refuse(text, f"{text} is out of range")
        return number

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise forms.ValidationError(
                f"{self.label}: empty; enter a number. Allowed: {self.allowed}.", code="required"
            )

    def prepare_value(self, value: Any) -> Any:
        return f"{value:f}" if isinstance(value, Decimal) else value
