"""The OpenAPI document and the documentation page: served offline (nothing off the host) and
under the project's Content-Security-Policy (no inline script or style)."""

from __future__ import annotations

import re

from django.test import Client


def test_the_openapi_document_describes_every_core_endpoint(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    for path in ("convert", "plan", "score/{instrument}", "assess", "advise", "simulate"):
        operation = schema["paths"][f"/api/v1/{path}"]["post"]
        assert {"200", "401", "422"} <= set(operation["responses"])
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    plan = schema["components"]["schemas"]["PlanOut"]
    assert plan["additionalProperties"] is False


def test_the_docs_page_loads_nothing_off_the_host_and_keeps_the_csp(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui-bundle.js" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
    assert "cdn" not in page.lower()
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", page)
    assert " style=" not in page and "<style" not in page
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
