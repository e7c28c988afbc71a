"""Validate FHIR output with the fhir.resources R4B models (shared by the FHIR tests)."""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from benzodetox.interop.fhir import fhir_json


def valid(resource: dict[str, Any]) -> Any:
    """The resource parsed by its R4B model after a trip through its JSON text (so what is
    checked is what a consumer reads); a ValidationError fails the test."""
    data = json.loads(fhir_json(resource))
    model = get_fhir_model_class(data["resourceType"])
    return model.model_validate(data)


def valid_bundle(bundle: dict[str, Any]) -> list[Any]:
    """The Bundle and every entry's resource validated on its own model."""
    valid(bundle)
    return [valid(entry["resource"]) for entry in bundle["entry"]]
