"""The order-select / order-sign rules: which drugs an order names, what its daily dose is, and
the cards a set of draft orders raises.

An order is recognised by its RxNorm code (the catalogue's products carry the CDC
benzodiazepine value set's codes) or by a drug name in its text or code display; opioids by
ingredient name (cds.toml [opioids], an unconfirmed list: the reference transcribes no opioid
codes). Three rules (issue 14, item 3; Joint Guideline Recs 1a, 2, 16–18, 21):

- a benzodiazepine with an opioid, at least one of them among the orders judged → the
  concurrent-use card with a naloxone suggestion and the CDC card's override reasons;
- a new benzodiazepine order for a patient whose plan is in force → the current step and plan;
- the ordered benzodiazepines' diazepam equivalent under a named table, with a link to the
  calculator prefilled with the regimen.

>>> line = OrderLine("MedicationRequest/1", rxnorm=("197591",), dose=Decimal(1),
...                  dose_unit="tablet", per_day=Decimal(2))
>>> found = recognise(line)
>>> found.kind, found.drug, found.daily_mg
('benzodiazepine', 'diazepam', Decimal('10.000'))
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from urllib.parse import urlencode

from ..catalogue import EQUIVALENCE_TABLES, Product, catalogue
from ..equivalence import Conversion, convert
from ..errors import InputError
from ..phase import next_change, phase_on
from ..plan import Step
from ..regimen import Dose, Regimen, parse_time
from ..units import floor_to_microgram, format_mg, plain_decimal
from ._data import card_source, data, label_of, shorten
from .cards import Action, Card, Link, OverrideReason, Suggestion

__all__ = [
    "TAPER_PHASES",
    "OrderFacts",
    "OrderLine",
    "Recognised",
    "TaperState",
    "concurrent_card",
    "equivalent_card",
    "order_cards",
    "recognise",
    "taper_card",
]

#: The phases in which a patient is taking the plan's doses (phase.PHASES less aftercare).
TAPER_PHASES = ("crossover", "stabilise", "tapering", "hold")
_MG_UNITS = {"mg": Decimal(1), "ug": Decimal("0.001"), "µg": Decimal("0.001"),
             "mcg": Decimal("0.001"), "g": Decimal(1000)}
_UNIT_UNITS = {"tab", "tablet", "tablets", "{tbl}", "{tab}", "cap", "capsule", "capsules",
               "{cap}", "odt", "1"}
_ML_UNITS = {"ml", "milliliter", "millilitre"}
_STRENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*mg\b(?!\s*/)", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class OrderLine:
    """One medication order as the client sent it. ``dose`` in ``dose_unit`` per
    administration, ``per_day`` administrations a day (None where the order does not say),
    ``times`` the times of day it gives."""

    ref: str
    rxnorm: tuple[str, ...] = ()
    text: str = ""
    dose: Decimal | None = None
    dose_unit: str = ""
    per_day: Decimal | None = None
    times: tuple[time, ...] = ()


@dataclass(frozen=True)
class Recognised:
    """What an order is: ``kind`` "benzodiazepine", "z-drug", "opioid" or "other"; ``drug``
    the catalogue key (or the opioid's name); ``daily_mg`` None with ``why`` where the daily
    dose cannot be read."""

    line: OrderLine
    kind: str
    drug: str = ""
    product: Product | None = None
    strength_mg: Decimal | None = None
    daily_mg: Decimal | None = None
    why: str = ""

    @property
    def is_benzodiazepine(self) -> bool:
        return self.kind in ("benzodiazepine", "z-drug")


@dataclass(frozen=True)
class TaperState:
    """The approved plan in force: its version number and steps."""

    version: int
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class OrderFacts:
    """What the order rules look at. ``judged`` are the orders the hook is about (the
    selections of order-select, every draft of order-sign); ``others`` the rest of the drafts
    and the patient's active medications. ``table`` is the equivalence table to state (the
    patient's, else the calculator's first); ``table_recorded`` says whether it was the
    patient's."""

    judged: tuple[OrderLine, ...]
    today: date
    others: tuple[OrderLine, ...] = ()
    taper: TaperState | None = None
    table: str = EQUIVALENCE_TABLES[0]
    table_recorded: bool = False
    calculator_url: str = "/calculator/"
    patient_ref: str = ""


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _product_by_code(codes: Sequence[str]) -> Product | None:
    for product in catalogue().products:
        if product.rxnorm and product.rxnorm in codes:
            return product
    return None


def _drug_by_text(text: str) -> str:
    words = _words(text)
    lowered = text.lower()
    for drug in catalogue().drugs.values():
        names = (drug.key.replace("_", " "), drug.name.lower(), *(b.lower() for b in drug.brands))
        for name in names:
            if (" " in name and name in lowered) or name in words:
                return drug.key
    return ""


def _opioid_by_text(text: str) -> str:
    words = _words(text)
    return next((n for n in data()["opioids"]["names"] if n in words), "")


def _strength(product: Product | None, text: str) -> Decimal | None:
    if product is not None:
        return product.strength_mg
    match = _STRENGTH.search(text)
    return Decimal(match.group(1)) if match else None


def _dose_mg(line: OrderLine, product: Product | None, strength: Decimal | None) -> Decimal | str:
    """The mg per administration, or why it cannot be read."""
    if line.dose is None:
        return "no dose quantity"
    if line.dose <= 0:
        return "a dose quantity that is not above zero"
    unit = line.dose_unit.strip().lower()
    if unit in _MG_UNITS:
        return line.dose * _MG_UNITS[unit]
    liquid = product is not None and product.is_liquid
    if unit in _UNIT_UNITS and strength is not None and not liquid:
        return line.dose * strength
    if unit in _ML_UNITS and liquid and strength is not None:
        return line.dose * strength
    return f"a dose in {line.dose_unit or 'no unit'} without a strength to convert it"


def recognise(line: OrderLine) -> Recognised:
    """What ``line`` orders, and its daily dose in mg where it can be read.

    >>> recognise(OrderLine("x", text="oxycodone 5 MG Oral Tablet")).kind
    'opioid'
    >>> r = recognise(OrderLine("x", text="Xanax 0.5 mg", dose=Decimal(1), dose_unit="tablet"))
    >>> r.drug, r.daily_mg, r.why
    ('alprazolam', None, 'no number of doses a day')
    """
    product = _product_by_code(line.rxnorm)
    drug = product.drug if product is not None else _drug_by_text(line.text)
    if not drug:
        opioid = _opioid_by_text(line.text)
        return Recognised(line, "opioid", opioid) if opioid else Recognised(line, "other")
    kind = catalogue().drugs[drug].drug_class
    strength = _strength(product, line.text)
    per_dose = _dose_mg(line, product, strength)
    if isinstance(per_dose, str):
        return Recognised(line, kind, drug, product, strength, None, per_dose)
    if line.per_day is None or line.per_day <= 0:
        return Recognised(line, kind, drug, product, strength, None, "no number of doses a day")
    daily = floor_to_microgram(per_dose * line.per_day)
    return Recognised(line, kind, drug, product, strength, daily)


def _names(found: Sequence[Recognised]) -> str:
    seen = dict.fromkeys(r.drug or "an unnamed drug" for r in found)
    return " and ".join(seen)


def concurrent_card(
    judged: Sequence[Recognised], others: Sequence[Recognised], patient_ref: str = ""
) -> Card | None:
    """The concurrent-use card when a benzodiazepine and an opioid are ordered or taken
    together and at least one of them is among the ``judged`` orders."""
    every = (*judged, *others)
    benzos = [r for r in every if r.is_benzodiazepine]
    opioids = [r for r in every if r.kind == "opioid"]
    if not benzos or not opioids:
        return None
    if not any(r.is_benzodiazepine or r.kind == "opioid" for r in judged):
        return None
    row = data()["concurrent"]
    detail = row["detail"].format(
        benzodiazepines=_names(benzos).capitalize(), opioids=_names(opioids)
    )
    sud = data()["opioids"]["sud_medications"]
    on_sud = [n for n in sud["names"] if any(r.drug == n for r in opioids)]
    if on_sud:
        detail += " " + sud["text"].format(drugs=" and ".join(on_sud))
    resource: dict[str, object] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
        "medicationCodeableConcept": {"text": row["naloxone_text"]},
    }
    if patient_ref:
        resource["subject"] = {"reference": patient_ref}
    naloxone = Suggestion(
        row["naloxone_label"],
        (Action("create", row["naloxone_text"], resource),),
        is_recommended=True,
    )
    reasons = tuple(
        OverrideReason(o["code"], o["display"], o["source"]) for o in row["override"]
    )
    extra = () if not on_sud else (sud["source"],)
    return Card(
        summary=row["summary"],
        indicator=row["indicator"],
        source=card_source(row, extra),
        detail=detail,
        suggestions=(naloxone,),
        override_reasons=reasons,
        kind="concurrent-opioid",
    )


def _step_text(step: Step) -> str:
    doses = ", ".join(
        f"{d.time:%H:%M} {d.drug} {format_mg(d.mg)}" for d in step.doses if d.mg > 0
    )
    eq = format_mg(step.diazepam_eq_mg)
    return f"step {step.index} ({step.kind}): {doses or 'no dose'}, {eq} diazepam-eq/day"


def taper_card(judged: Sequence[Recognised], taper: TaperState | None, today: date) -> Card | None:
    """The card for a new benzodiazepine order while the patient's plan is in force (in a
    taper phase today, or starting later)."""
    if taper is None or not taper.steps or not any(r.is_benzodiazepine for r in judged):
        return None
    found = phase_on(taper.steps, today)
    if found is not None and found.phase not in TAPER_PHASES:
        return None
    row = data()["taper"]
    if found is None:
        start = taper.steps[0].start
        today_text = f"the plan starts on {start.isoformat()}"
        phase, since = "starting", start.isoformat()
        step_text = f"It starts on {start.isoformat()} with {_step_text(taper.steps[0])}."
    else:
        step = found.step or taper.steps[-1]
        today_text = _step_text(step)
        phase, since = found.phase, found.since.isoformat()
        step_text = f"Today: {today_text}."
    change = next_change(taper.steps, today)
    if change is not None:
        nxt = f"Next change on {change.on.isoformat()}: {format_mg(change.to_mg)} diazepam-eq/day."
    else:
        nxt = "No further change is planned."
    return Card(
        summary=shorten(row["summary"].format(today=today_text)),
        indicator=row["indicator"],
        source=card_source(row),
        detail=row["detail"].format(
            version=taper.version, phase=phase, since=since, step=step_text, next=nxt
        ),
        kind="taper-in-force",
    )


def _times(r: Recognised) -> tuple[time, ...] | None:
    if r.line.times and r.line.per_day in (None, Decimal(len(r.line.times))):
        return r.line.times
    if r.line.per_day is None or r.line.per_day != r.line.per_day.to_integral_value():
        return None
    texts = data()["prefill_times"].get(str(int(r.line.per_day)))
    return tuple(parse_time(t) for t in texts) if texts else None


def _regimen(ordered: Sequence[Recognised]) -> Regimen | None:
    doses: list[Dose] = []
    for r in ordered:
        times = _times(r)
        if r.daily_mg is None or times is None:
            return None
        per_dose = floor_to_microgram(r.daily_mg / len(times))
        doses += [Dose(t, r.drug, per_dose) for t in times]
    return Regimen(tuple(doses)) if doses else None


def _calculator_link(
    base: str, ordered: Sequence[Recognised], regimen: Regimen | None, table: str
) -> Link:
    params: list[tuple[str, str]] = []
    if regimen is not None:
        for i, d in enumerate(regimen.doses):
            params += [
                (f"dose-{i}-drug", d.drug),
                (f"dose-{i}-amount", plain_decimal(d.mg)),
                (f"dose-{i}-unit", "mg"),
                (f"dose-{i}-time", f"{d.time:%H:%M}"),
            ]
    else:
        drugs = dict.fromkeys(r.drug for r in ordered)
        params += [(f"dose-{i}-drug", drug) for i, drug in enumerate(drugs)]
    params.append(("source", table))
    return Link(data()["equivalent"]["link_label"], f"{base}?{urlencode(params)}")


def _conversion(regimen: Regimen, table: str) -> tuple[Conversion, Conversion | None]:
    """The regimen under ``table``; a table giving a range for a drug is shown at both ends."""
    try:
        return convert(regimen, table), None
    except InputError as error:
        if error.field != "basis":
            raise
        return convert(regimen, table, "low"), convert(regimen, table, "high")


def equivalent_card(
    judged: Sequence[Recognised],
    table: str,
    table_recorded: bool = False,
    calculator_url: str = "/calculator/",
) -> Card | None:
    """The plan-suggestion card: the ordered benzodiazepines as diazepam-equivalent mg/day
    under ``table``, with the calculator prefilled."""
    ordered = [r for r in judged if r.is_benzodiazepine]
    if not ordered:
        return None
    if table not in EQUIVALENCE_TABLES:
        raise InputError("table", table, ", ".join(EQUIVALENCE_TABLES))
    row = data()["equivalent"]
    name = label_of(table) + ("" if table_recorded else " (the calculator's default table)")
    regimen = _regimen(ordered)
    link = _calculator_link(calculator_url, ordered, regimen, table)
    source = card_source({"source": table, "sources": row["sources"]})
    names = ", ".join(dict.fromkeys(r.drug for r in ordered))
    if regimen is None:
        why = "; ".join(dict.fromkeys(r.why or "no times of day" for r in ordered))
        return Card(
            summary=shorten(f"{names}: diazepam equivalent under {label_of(table)}"),
            indicator=row["indicator"], source=source,
            detail=row["unknown_dose"].format(why=why), links=(link,), kind="equivalent",
        )
    try:
        low, high = _conversion(regimen, table)
    except InputError as error:  # the table does not list one of the drugs: say which
        return Card(
            summary=shorten(f"{names}: not listed in {label_of(table)}"),
            indicator=row["indicator"], source=source,
            detail=f"{error.hint or error.message}. Choose another table in the calculator.",
            links=(link,), kind="equivalent",
        )
    mg = format_mg(low.diazepam_eq_mg_per_day)
    if high is not None and high.diazepam_eq_mg_per_day != low.diazepam_eq_mg_per_day:
        mg = f"{plain_decimal(low.diazepam_eq_mg_per_day)}–{format_mg(high.diazepam_eq_mg_per_day)}"
    lines = " ".join(
        f"{d.drug} {format_mg(d.daily_mg)}/day = diazepam {format_mg(d.diazepam_eq_mg)}/day "
        f"under {table}." for d in low.drugs
    )
    lines += "".join(f" {w}" for w in low.warnings)
    lo, hi = low.range_mg_per_day
    regimen_text = ", ".join(
        f"{r.drug} {format_mg(r.daily_mg)}/day" for r in ordered if r.daily_mg is not None
    )
    return Card(
        summary=shorten(row["summary"].format(regimen=regimen_text, mg=mg, table=name)),
        indicator=row["indicator"],
        source=source,
        detail=row["detail"].format(lines=lines, lo=plain_decimal(lo), hi=format_mg(hi)),
        links=(link,),
        kind="equivalent",
    )


def order_cards(facts: OrderFacts) -> tuple[Card, ...]:
    """Every card the orders raise, most urgent first (no card: an empty tuple)."""
    judged = [recognise(line) for line in facts.judged]
    others = [recognise(line) for line in facts.others]
    cards = [
        concurrent_card(judged, others, facts.patient_ref),
        taper_card(judged, facts.taper, facts.today),
        equivalent_card(judged, facts.table, facts.table_recorded, facts.calculator_url),
    ]
    return tuple(c for c in cards if c is not None)
