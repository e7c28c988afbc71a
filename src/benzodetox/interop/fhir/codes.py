"""The code systems the FHIR mapping uses, and where each code comes from.

Standard codes are used only where the reference gives them (../shared/reference/
existing-tools.md §c3, from the CDC opioid CDS value sets): RxNorm clinical drugs (SCD) per
product, read from the catalogue (``Product.rxnorm``, source key ``cdc-benzodiazepine-valueset``).
No LOINC code is confirmed for CIWA-B, BWSQ, PHQ-9 or GAD-7 in the reference, so instrument scores
use benzodetox's own CodeSystem; so do drugs (RxNorm ingredient codes are not in the reference),
intake conditions and the rater. The HL7 CodeSystems below are FHIR's own structural
vocabularies (observation category, condition clinical status), not clinical codes.
"""

from __future__ import annotations

from functools import cache

from ...core.catalogue import Product, catalogue

__all__ = [
    "BASE",
    "CONDITION_CLINICAL",
    "CS_CONDITION",
    "CS_DRUG",
    "CS_PRODUCT",
    "CS_RATER",
    "CS_SCORE",
    "ID_PATIENT_REFERENCE",
    "ID_PLAN_GROUP",
    "OBSERVATION_CATEGORY",
    "RXNORM",
    "UCUM",
    "product_by_rxnorm",
    "questionnaire_url",
]

#: benzodetox's own canonical base for CodeSystems and Questionnaires
BASE = "https://benzodetox.org/fhir"
CS_DRUG = f"{BASE}/CodeSystem/drug"
CS_PRODUCT = f"{BASE}/CodeSystem/product"
CS_SCORE = f"{BASE}/CodeSystem/instrument-score"
CS_CONDITION = f"{BASE}/CodeSystem/intake-condition"
CS_RATER = f"{BASE}/CodeSystem/rater"
ID_PATIENT_REFERENCE = f"{BASE}/NamingSystem/patient-reference"
ID_PLAN_GROUP = f"{BASE}/NamingSystem/plan-version"

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"


def questionnaire_url(instrument: str) -> str:
    """The canonical URL of benzodetox's Questionnaire for ``instrument`` ('ciwa-b' …)."""
    return f"{BASE}/Questionnaire/{instrument}"


@cache
def _by_rxnorm() -> dict[str, Product]:
    return {p.rxnorm: p for p in catalogue().products if p.rxnorm}


def product_by_rxnorm(code: str) -> Product | None:
    """The catalogue product with this RxNorm code (the reference's SCDs), if any."""
    return _by_rxnorm().get(code.strip())
