"""The permission matrix: every role × every view, on a patient of the user's own programme
and of another programme (never visible, not even by id: 404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

ALL = {"admin", "prescriber", "nurse", "counsellor", "read-only"}
CLINICAL = {"prescriber", "nurse"}

#: (url name, method, POST data, roles allowed in the patient's programme)
PATIENT_VIEWS: list[tuple[str, str, dict[str, str], set[str]]] = [
    ("patients:detail", "get", {}, ALL),
    ("patients:history", "get", {}, ALL),
    ("patients:intake", "get", {}, ALL),
    ("patients:intake", "post", {"duration_months": "12"}, CLINICAL | {"counsellor"}),
    ("patients:edit", "get", {}, CLINICAL),
    ("patients:regimen", "get", {}, CLINICAL),
    ("patients:phase", "post", {"phase": "tapering", "reason": "started"}, CLINICAL),
    ("patients:decide", "post", {"decision": "agree"}, CLINICAL),
    ("plans:builder", "get", {}, CLINICAL),
    ("plans:preview", "post", {"source": "ashton-2002"}, CLINICAL),
    ("plans:detail", "get", {}, ALL),
    ("plans:print", "get", {}, ALL),
    ("plans:approve", "post", {}, {"prescriber"}),
]

GLOBAL_VIEWS: list[tuple[str, set[str]]] = [
    ("patients:list", ALL),
    ("patients:create", CLINICAL),
    ("audit:list", {"admin"}),
    ("programmes:members", {"admin"}),
]


def _url(name: str, patient: Any, version: Any) -> str:
    if name.startswith("plans:") and name not in ("plans:builder", "plans:preview"):
        return reverse(name, args=[patient.pk, version.number])
    return reverse(name, args=[patient.pk])


def _call(client: Any, method: str, url: str, data: dict[str, str]) -> Any:
    return client.post(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("name", "method", "data", "allowed"), PATIENT_VIEWS)
def test_each_role_reaches_exactly_the_views_its_role_allows_in_its_own_programme(
    role, name, method, data, allowed, personas, client_for, patient_a, version_a
):
    """Allowed roles get a page or a redirect; other roles of the same programme get 403."""
    response = _call(client_for(personas[role]), method, _url(name, patient_a, version_a), data)
    if role in allowed:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", [*sorted(ALL), "other"])
@pytest.mark.parametrize(("name", "method", "data", "allowed"), PATIENT_VIEWS)
def test_another_programmes_patient_is_not_found_by_any_role(
    role,
    name,
    method,
    data,
    allowed,
    personas,
    client_for,
    patient_a,
    patient_b,
    version_a,
    version_b,
):
    """Asking by id for a patient of a programme the user is not in answers 404, whatever the
    role and whatever the view."""
    target, version = (patient_a, version_a) if role == "other" else (patient_b, version_b)
    response = _call(client_for(personas[role]), method, _url(name, target, version), data)
    assert response.status_code == 404


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("name", "allowed"), GLOBAL_VIEWS)
def test_programme_wide_pages_follow_the_role(role, name, allowed, personas, client_for):
    """The patient list is for everyone; new patient for clinicians; audit and members for
    programme admins only."""
    response = client_for(personas[role]).get(reverse(name))
    assert response.status_code == (200 if role in allowed else 403)


def test_the_patient_list_shows_only_the_users_programme(
    client_for, nurse, other_clinician, patient_a, patient_b
):
    """Each clinician's list holds their own programme's patient and not the other's."""
    page_a = client_for(nurse).get(reverse("patients:list")).content.decode()
    page_b = client_for(other_clinician).get(reverse("patients:list")).content.decode()
    assert "A-001" in page_a and "B-001" not in page_a
    assert "B-001" in page_b and "A-001" not in page_b


def test_an_anonymous_visitor_is_sent_to_sign_in(client, patient_a):
    """Without a session every page redirects to the sign-in page."""
    response = client.get(reverse("patients:detail", args=[patient_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
