"""The permission matrix for monitoring: every role × every monitoring view, on a patient (or
alert) of the user's own programme and of another programme (never visible: 404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from .conftest import MILD, ciwa_post

ALL = {"admin", "prescriber", "nurse", "counsellor", "read-only"}
CLINICAL = {"prescriber", "nurse"}

#: (url name, extra url args, method, POST data, roles allowed in the patient's programme)
PATIENT_VIEWS: list[tuple[str, tuple[str, ...], str, dict[str, str], set[str]]] = [
    ("monitoring:patient", (), "get", {}, ALL),
    ("monitoring:record", ("ciwa-b",), "get", {}, CLINICAL),
    ("monitoring:record", ("ciwa-b",), "post", ciwa_post(MILD), CLINICAL),
    ("monitoring:record", ("vitals",), "post", {"at": "2026-01-01T08:00", "pulse": "80"}, CLINICAL),
    ("monitoring:record", ("event",), "get", {}, CLINICAL),
    ("monitoring:record", ("bwsq",), "get", {}, CLINICAL),
    ("monitoring:record", ("phq-9",), "get", {}, CLINICAL | {"counsellor"}),
    ("monitoring:record", ("gad-7",), "get", {}, CLINICAL | {"counsellor"}),
    ("monitoring:score", ("ciwa-b",), "post", {"item_1": "2"}, CLINICAL),
    ("monitoring:entry", ("ENTRY",), "get", {}, ALL),
    ("monitoring:correct", ("ENTRY",), "get", {}, CLINICAL),
    ("monitoring:apply", (), "post", {"latest": "1", "advice": "x"}, CLINICAL),
]

GLOBAL_VIEWS: list[tuple[str, str, dict[str, str], set[str]]] = [
    ("monitoring:dashboard", "get", {}, ALL),
    ("monitoring:settings", "get", {}, ALL),
    ("monitoring:settings", "post", {"hold_days": "21"}, {"admin", "prescriber"}),
]


def _url(name: str, patient: Any, args: tuple[str, ...], entry: Any) -> str:
    return reverse(name, args=[patient.pk, *(entry.pk if a == "ENTRY" else a for a in args)])


def _call(client: Any, method: str, url: str, data: dict[str, str]) -> Any:
    return client.post(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("name", "args", "method", "data", "allowed"), PATIENT_VIEWS)
def test_each_role_reaches_exactly_the_monitoring_views_its_role_allows(
    role, name, args, method, data, allowed, personas, client_for, tapering_a, entry_a
):
    """Allowed roles get a page or a redirect; other roles of the same programme get 403."""
    url = _url(name, tapering_a, args, entry_a)
    response = _call(client_for(personas[role]), method, url, data)
    if role in allowed:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", [*sorted(ALL), "other"])
@pytest.mark.parametrize(("name", "args", "method", "data", "allowed"), PATIENT_VIEWS)
def test_another_programmes_patient_is_not_found_in_any_monitoring_view(
    role, name, args, method, data, allowed, personas, client_for, entry_a, entry_b
):
    """Asking by id for another programme's patient (or its entry) answers 404 for every role."""
    target, entry = (entry_a.patient, entry_a) if role == "other" else (entry_b.patient, entry_b)
    response = _call(client_for(personas[role]), method, _url(name, target, args, entry), data)
    assert response.status_code == 404


def test_an_entry_of_another_patient_is_not_found_under_this_patient(
    client_for, nurse, entry_a, patient_a, programme_a
):
    """An entry id is looked up under the patient in the URL only."""
    from ..conftest import make_patient

    other = make_patient(programme_a, "A-002", [("diazepam", "5", "22:00")])
    response = client_for(nurse).get(reverse("monitoring:entry", args=[other.pk, entry_a.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", [*sorted(ALL), "other"])
def test_acknowledging_follows_the_role_and_never_reaches_another_programme(
    role, personas, client_for, alert_a, alert_b
):
    """Clinicians acknowledge their programme's alerts; others get 403; another programme's
    alert is not found (404) for everyone."""
    client = client_for(personas[role])
    own, foreign = (alert_b, alert_a) if role == "other" else (alert_a, alert_b)
    mine = client.post(reverse("monitoring:acknowledge", args=[own.pk]))
    theirs = client.post(reverse("monitoring:acknowledge", args=[foreign.pk]))
    assert mine.status_code == (302 if role in CLINICAL | {"other"} else 403)
    assert theirs.status_code == 404


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("name", "method", "data", "allowed"), GLOBAL_VIEWS)
def test_programme_wide_monitoring_pages_follow_the_role(
    role, name, method, data, allowed, personas, client_for
):
    """Everyone sees the dashboard and the thresholds; admins and prescribers change them."""
    response = _call(client_for(personas[role]), method, reverse(name), data)
    if role in allowed:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403


def test_the_dashboard_lists_only_the_users_programme(
    client_for, nurse, other_clinician, alert_a, alert_b
):
    """Each clinician's dashboard shows their own programme's alert and not the other's."""
    page_a = client_for(nurse).get(reverse("monitoring:dashboard")).content.decode()
    page_b = client_for(other_clinician).get(reverse("monitoring:dashboard")).content.decode()
    assert "A-001" in page_a and "B-001" not in page_a
    assert "B-001" in page_b and "A-001" not in page_b


def test_monitoring_pages_send_an_anonymous_visitor_to_sign_in(client, patient_a):
    """Without a session the dashboard and the patient's monitoring page redirect to sign-in."""
    for url in (
        reverse("monitoring:dashboard"),
        reverse("monitoring:patient", args=[patient_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_monitoring_actions_are_rows_of_the_one_permission_table():
    """They are in ``programmes.roles.PERMISSIONS`` as defined, before any app is loaded (no
    table patched at start-up), with the roles the matrix above walks."""
    import subprocess
    import sys

    script = (
        "from benzodetox.web.programmes.roles import PERMISSIONS as P;"
        "print(sorted(r.value for r in P['monitoring.settings']),"
        " sorted(r.value for r in P['monitoring.record_mood']),"
        " len(P['monitoring.view']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['admin', 'prescriber'] ['counsellor', 'nurse', 'prescriber'] 5"
