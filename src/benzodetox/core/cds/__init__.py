"""CDS Hooks card rules (issue 14, item 3): pure functions from plain facts to cards.

``order_cards`` for order-select / order-sign, ``patient_cards`` for patient-view; the cards'
wording, settings and sources are in ``core/data/cds.toml``. Adapters parse the hook request,
gather the facts and serialise ``Card.as_dict()``; they decide nothing clinical.
"""

from .cards import (
    INDICATORS,
    Action,
    Card,
    CardSource,
    Link,
    OverrideReason,
    Suggestion,
)
from .orders import (
    OrderFacts,
    OrderLine,
    Recognised,
    TaperState,
    order_cards,
    recognise,
)
from .patient import CiwaReading, PatientFacts, patient_cards

__all__ = [
    "INDICATORS",
    "Action",
    "Card",
    "CardSource",
    "CiwaReading",
    "Link",
    "OrderFacts",
    "OrderLine",
    "OverrideReason",
    "PatientFacts",
    "Recognised",
    "Suggestion",
    "TaperState",
    "order_cards",
    "patient_cards",
    "recognise",
]
