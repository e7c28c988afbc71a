"""What the calculator shows and downloads, built from its form on every request and never
stored: no database row (not even an audit event — the audit log records who did what with a
patient's data, and the calculator has no patient), no session, no file.

The plan is made by the plan builder's own services (``web/plans/services.py``): the same plan,
step table, chart, range across tables, warnings and alternatives as the builder previews.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.http import QueryDict

from benzodetox.core.catalogue import catalogue
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan
from benzodetox.core.tapering import build_plan
from benzodetox.core.tapering.proposal import OUTPATIENT_STRATEGY, strategy_defaults
from benzodetox.interop.json_contract import alternatives_data
from benzodetox.interop.plan_json import plan_to_dict
from benzodetox.web.plans import services as plans
from benzodetox.web.plans.forms import STRATEGY_LABELS, apply_changes, describe_change

from .forms import CalculatorInput, canonical_query

__all__ = [
    "Comparison",
    "Source",
    "calculator_context",
    "plan_json",
    "strategy_sources",
]


@dataclass(frozen=True)
class Source:
    key: str
    citation: str
    url: str


@dataclass(frozen=True)
class Comparison:
    """A second strategy built from the same request, with the figures it used (its defaults
    where the comparison's fields were left empty, said so)."""

    label: str
    figures: str
    plan: Plan
    rows: list[dict[str, Any]]
    chart: str
    departures: int


def _source(key: str) -> Source:
    found = catalogue().sources.get(key)
    if found is None:
        return Source(key, key, "")
    return Source(key, found.citation, getattr(found, "url", "") or "")


def strategy_sources(strategy: str) -> tuple[Source, ...]:
    """The sources of a strategy's figures (its default reduction and interval)."""
    if strategy not in STRATEGY_LABELS or strategy == "custom":
        return ()
    return tuple(_source(key) for key in strategy_defaults(strategy).sources)


def table_sources() -> tuple[Source, ...]:
    """Every equivalence table the calculator offers, with its citation."""
    from benzodetox.core.catalogue import EQUIVALENCE_TABLES

    return tuple(_source(key) for key in EQUIVALENCE_TABLES)


def _figures(plan: Plan) -> str:
    return "; ".join(text for _, text in plan.parameters)


def comparison(entered: CalculatorInput, plan: Plan) -> Comparison | None:
    """The comparison strategy's plan from the same request; its errors land on the
    comparison's fields."""
    form = entered.form
    strategy = form.cleaned_data.get("compare_strategy")
    if not strategy or plan.request is None:
        return None
    defaults = strategy_defaults(strategy)
    percent = form.cleaned_data.get("compare_percent")
    interval = form.cleaned_data.get("compare_interval_days")
    request = replace(
        plan.request,
        strategy=strategy,
        percent=percent if percent is not None else defaults.percent,
        interval_days=interval if interval is not None else defaults.interval_days,
        then=plan.request.then or OUTPATIENT_STRATEGY,
        custom_steps=(),
        override_reason="",
    )
    try:
        other = build_plan(request)
    except InputError as error:
        field = {
            "percent": "compare_percent",
            "interval": "compare_interval_days",
            "interval_days": "compare_interval_days",
            "every": "compare_interval_days",
        }
        name = field.get(error.field.split(".")[0], "compare_strategy")
        form.add_error(name, f"{error.value!s}: not allowed; expected {error.allowed}.")
        return None
    rows = plans.step_rows(other)
    used_defaults = [
        label
        for label, given, default in (
            ("reduction", percent, defaults.percent),
            ("interval", interval, defaults.interval_days),
        )
        if given is None and default is not None
    ]
    return Comparison(
        label=STRATEGY_LABELS.get(strategy, strategy),
        figures=_figures(other)
        + (f" (the strategy's default {' and '.join(used_defaults)})" if used_defaults else ""),
        plan=other,
        rows=rows,
        chart=plans.chart_svg(other),
        departures=plans.departures(other),
    )


def _alternative_links(entered: CalculatorInput, plan: Plan, before: int) -> list[dict[str, Any]]:
    """The core's alternatives, each as a link: the calculator's URL with its changes."""
    if before == 0:
        return []
    from benzodetox.core.tapering import alternatives

    out = []
    for alt in alternatives(plan):
        data, _ = apply_changes(entered.data, alt.changes)
        out.append(
            {
                "key": alt.key,
                "label": alt.label,
                "changes": tuple(describe_change(n, v) for n, v in alt.changes),
                "query": canonical_query(data),
                "before": before,
                "after": alt.departures,
                "steps": len(alt.plan.steps),
                "last_dose": alt.plan.last_dose_date,
            }
        )
    return out


def calculator_context(entered: CalculatorInput, today: date) -> dict[str, Any]:
    """Validate and build: the plan (``preview``) with everything the builder's preview shows,
    the comparison, and the sources; or the errors on their fields (nothing typed is lost)."""
    form = entered.form
    context: dict[str, Any] = {
        "entered": entered,
        "form": form,
        "rows_form": entered.rows,
        "preview": None,
        "table_sources": table_sources(),
        "changed_names": entered.changed_names,
        "changed_fields": tuple(form[name] for name in entered.changed_names),
        "query": canonical_query(entered.data),
    }
    if not entered.submitted:
        return context
    form_ok = form.is_valid()
    regimen = entered.regimen()
    context["row_errors"] = entered.row_errors()
    if regimen is None or not form_ok:
        return context
    try:
        preview = plans.build_preview(form.plan_request(regimen))
    except InputError as error:
        form.add_core_error(error)
        return context
    plan = preview.plan
    departures = plans.departures(plan)
    context.update(
        preview=preview,
        plan=plan,
        rows=plans.step_rows(plan),
        chart=plans.chart_svg(plan),
        citation=plans.source_citation(plan.source),
        past_start=form.past_start_note(today),
        departures=departures,
        alternative_links=_alternative_links(entered, plan, departures),
        strategy_sources=strategy_sources(plan.strategy),
        table_source=_source(plan.source),
        comparison=comparison(entered, plan),
    )
    if form.errors:  # the comparison's fields: the plan stands, the comparison is refused
        context["comparison"] = None
    return context


def plan_json(plan: Plan) -> str:
    """The plan as the CLI writes it with ``--format json`` (``interop.plan_json`` with the
    alternatives), so a file from the calculator reads back with ``benzodetox plan --plan``."""
    data = plan_to_dict(plan)
    data["source_defaulted"] = False
    data["alternatives"] = alternatives_data(plan)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def empty_query() -> QueryDict:
    return QueryDict("")
