"""Schemathesis over /api/v1/openapi.json, in process through the WSGI application, with a
valid token so the programme endpoints are exercised: 0 server errors and 0 responses that
break their declared schema, status code or content type (bounded examples, < 60 s)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from benzodetox.web.api.auth import create_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
REGIMEN = [{"drug": "alprazolam", "mg": "0.5", "time": "08:00"}]
KNOWN_GOOD: dict[str, Any] = {
    "plan": {"regimen": REGIMEN, "switch_to": "diazepam"},
    "convert": {"regimen": REGIMEN, "source": "norway-2021", "basis": "low"},
    "score/{instrument}": {"answers": [4] * 20, "history": ["withdrawal_seizure"]},
    "simulate": {"plan": {"regimen": REGIMEN}, "days": 20, "occupancy": True},
    "assess": {"age": 70, "regimen": REGIMEN, "duration_months": 6, "days_per_week": 7,
               "source": "who-2009"},
}
EXAMPLES = int(os.environ.get("BENZODETOX_API_FUZZ_EXAMPLES", "12"))


@pytest.fixture(autouse=True)
def _connection_kept_between_requests() -> Iterator[None]:
    """As Django's test client does: the transaction the test runs in survives each request
    (the WSGI handler would close the connection at the end of every request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_server_error_and_no_schema_violation(
    programme_a: Any, prescriber: Any, patient_a: Any, patient_b: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("BENZODETOX_API_RATE_PER_MINUTE", "100000")
    _, key = create_token(programme_a, prescriber, "fuzz", "read,write,approve")
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    strategy = st.one_of([operation.as_strategy() for operation in operations])
    failures: list[str] = []
    statuses: list[tuple[str, str, int]] = []

    @settings(
        max_examples=EXAMPLES * len(operations),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        if "patient_id" in (case.path_parameters or {}) and case.path_parameters["patient_id"] % 2:
            case.path_parameters["patient_id"] = patient_a.pk  # reach a real patient often
        _known_drugs(case.body)
        try:
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {key}"}, checks=CHECKS
            )
            statuses.append((case.method, case.path, response.status_code))
        except Exception as error:  # collect, so one run reports every kind of failure
            failures.append(f"{case.method} {case.formatted_path}: {error}"[:2000])

    run()
    assert failures == []
    succeeded = {path for _, path, status in statuses if status < 300}
    assert succeeded, statuses  # the token reached programme data, not only refusals
    for path, body in KNOWN_GOOD.items():  # the success documents against their schemas
        parameters = {"instrument": "ciwa-b"} if "{" in path else None
        case = schema[f"/api/v1/{path}"]["POST"].Case(body=body, path_parameters=parameters)
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {key}"}, checks=CHECKS
        )
        assert response.status_code == 200, (path, response.text[:500])


def _known_drugs(body: Any) -> None:
    """Random drug names are refused (422); half the regimens get a catalogue drug instead,
    so the success paths and their response schemas are exercised too."""
    plan = body.get("plan") if isinstance(body, dict) else None
    for holder in (body, plan):
        if isinstance(holder, dict) and isinstance(holder.get("regimen"), list):
            for i, dose in enumerate(holder["regimen"]):
                if isinstance(dose, dict) and i % 2 == 0:
                    dose["drug"] = "diazepam"
