"""The calculator's form: the regimen rows of the patient's regimen form and the plan builder's
parameters (the same fields, parsing and messages), without anything that is only for saving
(the version's reason, a past start's confirmation, an override reason), plus a second strategy
to compare and the pharmacy order's supply period.

Everything comes from GET parameters, so the form's state is the URL; there is no name field, so
a URL never carries who the plan is for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils import timezone

from benzodetox.core.catalogue import EQUIVALENCE_TABLES
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.supply import SUPPLY_PERIODS
from benzodetox.core.tapering import STRATEGY_NAMES
from benzodetox.web.fields import NumberField
from benzodetox.web.patients.forms import RegimenFormSet, RegimenRowForm
from benzodetox.web.plans.forms import (
    STRATEGY_LABELS,
    PlanForm,
    apply_changes,
    initial_parameters,
    strategy_changes,
)

__all__ = [
    "DOSE_PREFIX",
    "STRATEGY_CHANGED",
    "CalculatorForm",
    "CalculatorInput",
    "canonical_query",
    "read_input",
    "regimen_rows",
]

#: The regimen rows' parameter prefix: dose-0-drug, dose-0-amount, dose-0-unit, dose-0-time.
DOSE_PREFIX = "dose"
#: Sent by the strategy control when it changes: the form takes the new strategy's figures.
STRATEGY_CHANGED = "strategy_changed"
#: Regimen rows shown at least (blank ones to fill in), and at most (the regimen form's limit).
MIN_ROWS, MAX_ROWS = 3, 12
#: Builder fields that only matter when a version is saved.
SAVE_ONLY = ("reason", "confirm_past_start", "past_start_reason", "override_reason")
#: Strategies a comparison can be built with from the same request (custom needs its own steps).
COMPARABLE = tuple(name for name in STRATEGY_NAMES if name != "custom")

_ROW_KEY = re.compile(rf"^{DOSE_PREFIX}-(\d+)-(drug|amount|unit|time)$")


class CalculatorForm(PlanForm):
    """The plan builder's form without the fields that are only for saving, with a strategy to
    compare and the supply period of the pharmacy order."""

    compare_strategy = forms.ChoiceField(
        required=False,
        label="Compare with strategy",
        choices=[("", "— none —"), *((n, STRATEGY_LABELS.get(n, n)) for n in COMPARABLE)],
    )
    compare_percent = NumberField(
        label="Comparison: reduction per step (%)",
        allowed="a percentage such as 10 or 7.5 within that strategy's range, or empty for "
        "its default (stated beside the comparison)",
        places=2,
    )
    compare_interval_days = NumberField(
        whole=True,
        least=1,
        most=120,
        label="Comparison: days between reductions",
        allowed="a whole number of days within that strategy's range, or empty for its default "
        "(stated beside the comparison)",
    )
    supply_days = forms.ChoiceField(
        required=False,
        label="Pharmacy quantities per",
        initial="28",
        choices=[
            *((str(d), f"{d} day{'s' if d > 1 else ''}") for d in SUPPLY_PERIODS),
            ("step", "plan step"),
        ],
        help_text="Empty: 28 days.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SAVE_ONLY:
            del self.fields[name]

    def supply_period(self) -> int | None:
        """Days per supply period of the pharmacy order; None is one period per plan step."""
        value = self.cleaned_data.get("supply_days") or "28"
        return None if value == "step" else int(value)


@dataclass
class CalculatorInput:
    """The submitted calculator: the regimen rows and the plan form, bound to the same data
    (or unbound, with the starting values, when nothing was submitted)."""

    rows: Any  # RegimenFormSet
    form: CalculatorForm
    data: QueryDict
    submitted: bool
    changed_names: tuple[str, ...] = ()

    def regimen(self) -> Regimen | None:
        """The regimen when every row is valid (errors stay on the rows' fields)."""
        if not self.submitted or not self.rows.is_valid():
            return None
        doses = tuple(Dose(time=t, drug=drug, mg=mg) for drug, mg, t in self.rows.doses())
        return Regimen(doses)

    def row_errors(self) -> list[str]:
        """Every regimen row's errors, each naming its row and field."""
        out = [str(e) for e in self.rows.non_form_errors()]
        for number, row in enumerate(self.rows.forms, start=1):
            for name, errors in row.errors.items():
                label = row.fields[name].label or name.capitalize() if name in row.fields else ""
                for error in errors:
                    out.append(f"Regimen row {number}, {label}: {error}" if label else str(error))
        return out


def _row_count(data: QueryDict) -> int:
    numbers = [int(m.group(1)) for key in data if (m := _ROW_KEY.match(key))]
    return max(numbers, default=-1) + 1


def _starting_values() -> dict[str, Any]:
    values = initial_parameters(None, EQUIVALENCE_TABLES[0])
    values["supply_days"] = "28"
    return values


def read_input(query: QueryDict) -> CalculatorInput:
    """The calculator form from GET parameters. Nothing submitted: the starting values (the
    first equivalence table, the outpatient default strategy with its figures, today). With
    ``strategy_changed``, the new strategy's figures are put into the form, as in the builder."""
    submitted = any(_ROW_KEY.match(key) for key in query) or "strategy" in query
    data = query.copy()
    changed: tuple[str, ...] = ()
    strategy = data.get("strategy", "")
    if STRATEGY_CHANGED in data:
        if strategy in STRATEGY_LABELS:
            data, changed = apply_changes(data, strategy_changes(strategy))
        data.pop(STRATEGY_CHANGED, None)
    count = min(_row_count(data), MAX_ROWS + 1)  # one past the limit: the formset says so
    data[f"{DOSE_PREFIX}-TOTAL_FORMS"] = str(count)
    data[f"{DOSE_PREFIX}-INITIAL_FORMS"] = "0"
    if not submitted:
        form = CalculatorForm(initial=_starting_values())
        initial = [{"unit": "mg"} for _ in range(MIN_ROWS)]
        rows = RegimenFormSet(prefix=DOSE_PREFIX, initial=initial)
        return CalculatorInput(rows=rows, form=form, data=data, submitted=False)
    rows = RegimenFormSet(data, prefix=DOSE_PREFIX)
    return CalculatorInput(
        rows=rows, form=CalculatorForm(data), data=data, submitted=True, changed_names=changed
    )


def regimen_rows(entered: CalculatorInput) -> list[forms.Form]:
    """The regimen rows to show: those submitted (with their errors) and blank ones after them,
    at least MIN_ROWS in all and one blank row while there is room."""
    shown = list(entered.rows.forms)[:MAX_ROWS]
    filled = sum(
        1
        for row in shown
        if row.is_bound and any(row.data.get(row.add_prefix(f)) for f in ("drug", "amount", "time"))
    )
    wanted = min(MAX_ROWS, max(MIN_ROWS, filled + 1, len(shown)))
    for number in range(len(shown), wanted):
        shown.append(RegimenRowForm(prefix=f"{DOSE_PREFIX}-{number}", initial={"unit": "mg"}))
    return shown


def canonical_query(data: QueryDict) -> str:
    """The form's state as a short query string: no empty values, no management fields, the
    regimen's filled rows numbered from 0. The same plan comes back from it."""
    pairs: list[tuple[str, str]] = []
    rows: dict[int, dict[str, str]] = {}
    for key, values in data.lists():
        match = _ROW_KEY.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = values[-1]
            continue
        if key.startswith(f"{DOSE_PREFIX}-") or key == STRATEGY_CHANGED:
            continue
        pairs += [(key, v) for v in values if v != ""]
    filled = [
        row
        for _, row in sorted(rows.items())
        if row.get("drug") or row.get("amount") or row.get("time")
    ]
    row_pairs = [
        (f"{DOSE_PREFIX}-{n}-{field}", row[field])
        for n, row in enumerate(filled)
        for field in ("drug", "amount", "unit", "time")
        if row.get(field)
    ]
    return urlencode(row_pairs + pairs)


def today_iso() -> str:
    return timezone.localdate().isoformat()
