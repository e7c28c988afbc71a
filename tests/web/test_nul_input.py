"""A NUL character in any query or form field is refused with 400 naming the field — never a
server error on PostgreSQL (which refuses NUL in text) nor a silent acceptance on SQLite."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.web.input_middleware import nul_field

PAGES = [
    ("monitoring:dashboard", ("q", "phase", "severity", "kind", "programme")),
    ("patients:list", ("q", "drug", "phase", "sort", "page")),
    ("outcomes:page", ("setting", "strategy", "month")),
    ("audit:list", ("user", "action")),
    ("calculator:page", ("dose-0-drug",)),
]


@pytest.mark.parametrize(("name", "fields"), PAGES)
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(name, fields, client_for, personas):
    """The dashboard and the patient list used to answer 500 on PostgreSQL."""
    client = client_for(personas["admin"])
    for field in fields:
        response = client.get(reverse(name), {field: "a\x00b"})
        assert response.status_code == 400
        assert f"query parameter '{field}'" in response.content.decode()


def test_a_nul_in_a_form_field_is_a_400_and_nothing_is_saved(client_for, nurse, patient_a):
    """A patient edit whose reference carries a NUL: refused, the patient unchanged."""
    url = reverse("patients:edit", args=[patient_a.pk])
    before = patient_a.reference
    response = client_for(nurse).post(url, {"reference": "X\x00Y"})
    assert response.status_code == 400
    assert "form field 'reference'" in response.content.decode()
    patient_a.refresh_from_db()
    assert patient_a.reference == before


@settings(max_examples=50, deadline=None)
@given(
    name=st.text(max_size=8).filter(lambda n: "\x00" not in n and n),
    before=st.text(max_size=5),
    after=st.text(max_size=5),
)
def test_nul_field_finds_a_nul_anywhere_in_a_value_and_only_then(name, before, after):
    """With a NUL the field is named; the same request without it passes."""
    from django.test import RequestFactory

    clean = before.replace("\x00", "") + after.replace("\x00", "")
    assert nul_field(RequestFactory().get("/", {name: clean})) == ""
    found = nul_field(RequestFactory().get("/", {name: before + "\x00" + after}))
    assert found.startswith("query parameter ")
