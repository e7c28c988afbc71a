"""The care plan's permission matrix: every role × every care-plan view and download, on a
patient of the user's own programme and of another programme (never visible: 404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from benzodetox.web.careplans import exports, orders

ALL = {"admin", "prescriber", "nurse", "counsellor", "read-only"}
PSYCHOSOCIAL = {"prescriber", "counsellor"}
ATTENDANCE = {"prescriber", "nurse", "counsellor"}
AFTERCARE = {"prescriber", "nurse"}
RELAPSE = {"prescriber", "counsellor"}
ADJUNCT = {"prescriber"}

#: (url name, extra url args, method, POST data, roles allowed in the patient's programme)
VIEWS: list[tuple[str, tuple[str, ...], str, dict[str, str], set[str]]] = [
    ("careplans:overview", (), "get", {}, ALL),
    ("careplans:course_new", (), "get", {}, PSYCHOSOCIAL),
    ("careplans:course_new", (), "post", {"kind": "cbt", "start": "2026-02-02"}, PSYCHOSOCIAL),
    ("careplans:course", ("course",), "get", {}, ALL),
    ("careplans:attendance", ("course", "1"), "post", {"s1-attended": "yes"}, ATTENDANCE),
    ("careplans:move_session", ("course", "1"), "post", {"m1-on": "2026-01-07"}, PSYCHOSOCIAL),
    ("careplans:aftercare", (), "get", {}, ALL),
    ("careplans:aftercare_generate", (), "post", {"generate-days": "120"}, AFTERCARE),
    ("careplans:aftercare_extend", (), "post", {"extend-days": "180"}, AFTERCARE),
    (
        "careplans:aftercare_item_new",
        (),
        "post",
        {"new-on": "2027-01-04", "new-kind": "contact", "new-title": "Phone call"},
        AFTERCARE,
    ),
    (
        "careplans:aftercare_item",
        ("item",),
        "post",
        {"ITEM-on": "DUE", "ITEM-done": "yes"},
        AFTERCARE,
    ),
    ("careplans:relapse", (), "get", {}, ALL),
    ("careplans:relapse_version", ("1",), "get", {}, ALL),
    ("careplans:relapse_edit", (), "get", {}, RELAPSE),
    ("careplans:medications", (), "get", {}, ALL),
    (
        "careplans:medications",
        (),
        "post",
        {"adjunct": "melatonin", "status": "considered", "note": "sleep"},
        ADJUNCT,
    ),
    ("plans:handout_pdf", ("version",), "get", {}, ALL),
    ("plans:pharmacy_order_pdf", ("version",), "get", {}, ALL),
    ("plans:pharmacy_order_csv", ("version",), "get", {}, ALL),
    ("plans:calendar_ics", ("version",), "get", {}, ALL),
]


@pytest.fixture(autouse=True)
def _no_pdf_rendering(monkeypatch: Any) -> None:
    """The matrix checks access, not documents: skip WeasyPrint (~0.5 s a render)."""
    monkeypatch.setattr(exports, "handout_pdf", lambda *a, **k: b"%PDF-1.7 test")
    monkeypatch.setattr(orders, "order_pdf", lambda *a, **k: b"%PDF-1.7 test")


def _call(
    client: Any,
    name: str,
    extra: tuple[str, ...],
    method: str,
    data: dict[str, str],
    careplan: dict[str, Any],
    version: Any,
) -> Any:
    patient = version.patient
    item = careplan["item"]
    values = {"course": careplan["course"].pk, "item": item.pk, "version": version.number}
    args = [patient.pk, *(values.get(x, x) for x in extra)]
    data = {
        k.replace("ITEM", f"i{item.pk}"): v.replace("DUE", item.on.isoformat())
        for k, v in data.items()
    }
    url = reverse(name, args=args)
    return client.post(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("name", "extra", "method", "data", "allowed"), VIEWS)
def test_each_role_reaches_exactly_the_care_plan_views_its_role_allows(
    role, name, extra, method, data, allowed, personas, client_for, careplan_a, approved_a
):
    """Allowed roles get a page, a download or a redirect; other roles of the same programme
    get 403."""
    response = _call(client_for(personas[role]), name, extra, method, data, careplan_a, approved_a)
    if role in allowed:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", [*sorted(ALL), "other"])
@pytest.mark.parametrize(("name", "extra", "method", "data", "allowed"), VIEWS)
def test_another_programmes_care_plan_is_not_found_by_any_role(
    role,
    name,
    extra,
    method,
    data,
    allowed,
    personas,
    client_for,
    careplan_a,
    careplan_b,
    approved_a,
    approved_b,
):
    """Asking by id for another programme's patient, course, item or plan answers 404."""
    careplan, version = (careplan_a, approved_a) if role == "other" else (careplan_b, approved_b)
    response = _call(client_for(personas[role]), name, extra, method, data, careplan, version)
    assert response.status_code == 404


def test_a_course_or_item_of_another_patient_is_not_found_through_ones_own_patient(
    client_for, prescriber, careplan_a, careplan_b, patient_a
):
    """Ids of another programme's rows under one's own patient's URL are 404, not a leak."""
    client = client_for(prescriber)
    course = reverse("careplans:course", args=[patient_a.pk, careplan_b["course"].pk])
    item = reverse("careplans:aftercare_item", args=[patient_a.pk, careplan_b["item"].pk])
    assert client.get(course).status_code == 404
    assert client.post(item, {}).status_code == 404


def test_read_only_pages_offer_no_edit_controls(client_for, read_only, careplan_a, patient_a):
    """A read-only member sees the course and aftercare without any form to change them."""
    client = client_for(read_only)
    course = client.get(reverse("careplans:course", args=[patient_a.pk, careplan_a["course"].pk]))
    care = client.get(reverse("careplans:aftercare", args=[patient_a.pk]))
    assert b"Save session" not in course.content
    assert b'id="generate"' not in care.content and b'id="new-item"' not in care.content
    assert b'id="extend"' not in care.content and b"<form" not in care.content.split(b"<main")[1]
