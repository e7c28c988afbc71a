"""Plan builder: live preview, versions never overwritten, prescriber approval, print view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.plans.models import ImmutableError, PlanApproval, PlanVersion


def test_the_preview_fragment_has_the_steps_chart_and_range_across_tables(
    client_for, nurse, patient_a, plan_post
):
    """An htmx preview returns the step table, the SVG chart, the effective % and the range."""
    response = client_for(nurse).post(
        reverse("plans:preview", args=[patient_a.pk]), plan_post, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and "<table" in page
    assert "% of start" in page and "100 %" in page
    assert "across all tables" in page
    assert "<html" not in page  # a fragment, not a page


def test_a_bad_parameter_shows_on_its_field_in_the_preview(client_for, nurse, patient_a, plan_post):
    """A percent of 500 is refused beside the percent field (out-of-band swap)."""
    plan_post["percent"] = "500"
    page = (
        client_for(nurse)
        .post(reverse("plans:preview", args=[patient_a.pk]), plan_post)
        .content.decode()
    )
    assert 'id="err-percent" hx-swap-oob="true"' in page
    oob = page.split('id="err-percent"', 1)[1].split("</div>", 1)[0]
    assert "errorlist" in oob


def test_saving_needs_a_reason_and_keeps_the_parameters(client_for, nurse, patient_a, plan_post):
    """Without 'why', nothing is saved and the form comes back as entered."""
    plan_post["percent"] = "7.5"
    response = client_for(nurse).post(reverse("plans:builder", args=[patient_a.pk]), plan_post)
    page = response.content.decode()
    assert "Say why this version is made" in page
    assert 'value="7.5"' in page


def test_each_save_is_a_new_version_and_old_versions_stay(
    client_for, nurse, patient_a, plan_post, everything
):
    """Two saves make v1 and v2 with their own reason and author; v1 is unchanged."""
    client = client_for(nurse)
    url = reverse("plans:builder", args=[patient_a.pk])
    client.post(url, dict(plan_post, reason="first plan"))
    first = PlanVersion.objects.get(patient=patient_a, number=1)
    client.post(url, dict(plan_post, percent="5", reason="slower, patient preference"))
    versions = list(PlanVersion.objects.filter(patient=patient_a).order_by("number"))
    assert [(v.number, v.reason) for v in versions] == [
        (1, "first plan"),
        (2, "slower, patient preference"),
    ]
    assert versions[0].plan == first.plan
    assert versions[1].based_on_id == first.pk
    for version in versions:  # each stored plan reads back and renders
        assert (
            client.get(reverse("plans:detail", args=[patient_a.pk, version.number])).status_code
            == 200
        )


def test_a_saved_version_cannot_be_overwritten(version_a):
    """save() and delete() on a stored version refuse."""
    version_a.reason = "rewritten"
    with pytest.raises(ImmutableError):
        version_a.save()
    with pytest.raises(ImmutableError):
        version_a.delete()


def test_only_a_prescriber_approves_and_only_once(
    client_for, nurse, prescriber, patient_a, version_a, everything
):
    """A nurse's approval is refused (403); the prescriber's is recorded once and audited."""
    url = reverse("plans:approve", args=[patient_a.pk, version_a.number])
    assert client_for(nurse).post(url).status_code == 403
    client = client_for(prescriber)
    client.post(url, {"note": "ok"})
    client.post(url, {"note": "again"})
    approval = PlanApproval.objects.get(plan_version=version_a)
    assert (approval.approved_by, approval.note) == (prescriber, "ok")
    assert AuditEvent.objects.filter(action="plan.approved").count() == 1


def test_the_print_view_names_the_table_source_and_approval_state(
    client_for, prescriber, patient_a, version_a
):
    """The printable plan names the equivalence table's citation and says when not approved."""
    page = (
        client_for(prescriber)
        .get(reverse("plans:print", args=[patient_a.pk, version_a.number]))
        .content.decode()
    )
    assert "Ashton" in page and "ashton-2002" in page
    assert "NOT APPROVED" in page
    assert "print.css" in page


def test_the_builder_starts_from_the_last_versions_parameters(
    client_for, nurse, patient_a, version_a
):
    """A new version starts with the previous one's parameters and shows its preview."""
    page = client_for(nurse).get(reverse("plans:builder", args=[patient_a.pk])).content.decode()
    assert 'value="2026-01-05"' in page
    assert "<svg" in page


def test_an_adjusted_plan_is_saved_as_the_next_version(rf, nurse, patient_a, version_a, everything):
    """A hold made by the core's adjust.hold from v1 is stored as v2, based on v1."""
    from datetime import date, timedelta

    from benzodetox.core.tapering.adjust import hold
    from benzodetox.web.plans.services import plan_of, save_plan_version

    request = rf.post("/")
    request.user = nurse
    held = hold(plan_of(version_a), on=date(2026, 2, 2), days=14, reason="withdrawal symptoms")
    version = save_plan_version(
        request, patient_a, held, version_a.parameters, "hold 14 days", based_on=version_a
    )
    assert (version.number, version.based_on_id) == (2, version_a.pk)
    assert plan_of(version).end == plan_of(version_a).end + timedelta(days=14)


# -- times of day: dividing the working drug and the order of reductions ------------------------


def _oob_error(page: str, field: str) -> str:
    """The out-of-band error block of ``field`` in a preview fragment."""
    return page.split(f'id="err-{field}" hx-swap-oob="true"', 1)[1].split("</div>", 1)[0]


def test_the_preview_divides_the_working_drug_across_the_times_typed(
    client_for, nurse, patient_a, plan_post
):
    """'08:00, 14:00, 22:00' adds a redistribute step dividing the daily 20 mg, named in the
    summary."""
    plan_post["dose_times"] = "08:00, 14:00, 22:00"
    page = (
        client_for(nurse)
        .post(reverse("plans:preview", args=[patient_a.pk]), plan_post)
        .content.decode()
    )
    assert "<td>redistribute</td>" in page
    assert "the daily 20 mg diazepam divided across 08:00, 14:00, 22:00" in page
    assert "Divided across times of day</dt><dd>08:00, 14:00, 22:00</dd>" in page
    assert "errorlist" not in _oob_error(page, "dose_times")


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("dose_times", "8 o'clock", "write times of day as HH:MM"),
        ("dose_times", "25:00", "write times of day as HH:MM"),
        ("dose_times", "08:00, 08:00", "up to 6 different times of day"),  # the core refuses
        ("reduce_order", "14:00", "one of the dose times 08:00, 22:00"),  # the core refuses
        ("reduce_order", "noon", "write times of day as HH:MM"),
    ],
)
def test_bad_times_of_day_show_beside_their_field_with_what_was_typed(
    client_for, nurse, patient_a, plan_post, field, typed, expected
):
    """A time that does not parse, a repeated time and a reduction time the plan has not are
    each an error on their own field; the builder keeps the text as typed."""
    plan_post[field] = typed
    client = client_for(nurse)
    page = client.post(reverse("plans:preview", args=[patient_a.pk]), plan_post).content.decode()
    assert expected in _oob_error(page, field)
    page = client.post(reverse("plans:builder", args=[patient_a.pk]), plan_post).content.decode()
    assert f'name="{field}" value="{typed}"'.replace("'", "&#x27;") in page


def test_the_reduce_order_cuts_the_time_listed_first(client_for, nurse, patient_a, plan_post):
    """With '22:00' listed, the first reduction cuts the bedtime dose, not the morning's."""
    plan_post["reduce_order"] = "22:00"
    context = (
        client_for(nurse).post(reverse("plans:preview", args=[patient_a.pk]), plan_post).context
    )
    first = next(s for s in context["preview"].plan.steps if s.kind == "reduction")
    doses = {d.time.strftime("%H:%M"): d.mg for d in first.doses}
    assert doses["08:00"] == 10 and doses["22:00"] < 10


def test_a_saved_version_keeps_its_times_of_day_and_the_builder_reloads_them(
    client_for, nurse, patient_a, plan_post, everything
):
    """The parameters and the plan's request both keep the times; the version page shows them
    and the next version starts from them."""
    from datetime import time

    from benzodetox.web.plans.services import plan_of

    client = client_for(nurse)
    plan_post.update(
        dose_times="08:00,14:00, 22:00", reduce_order="14:00", reason="three times a day"
    )
    client.post(reverse("plans:builder", args=[patient_a.pk]), plan_post)
    version = PlanVersion.objects.get(patient=patient_a, number=1)
    assert version.parameters["dose_times"] == "08:00, 14:00, 22:00"
    assert version.parameters["reduce_order"] == "14:00"
    request = plan_of(version).request
    assert request is not None
    assert request.dose_times == (time(8), time(14), time(22))
    assert request.reduce_order == (time(14),)
    page = client.get(reverse("plans:detail", args=[patient_a.pk, 1])).content.decode()
    assert "Divided across times of day</dt><dd>08:00, 14:00, 22:00</dd>" in page
    assert "Dose times reduced first</dt><dd>14:00</dd>" in page
    page = client.get(reverse("plans:builder", args=[patient_a.pk])).content.decode()
    assert 'name="dose_times" value="08:00, 14:00, 22:00"' in page
    assert "<td>redistribute</td>" in page


# -- the builder's Pharmacology section, computed only when opened --------------------------------


def test_the_preview_has_a_closed_pharmacology_section_that_is_not_computed_yet(
    client_for, nurse, patient_a, plan_post
):
    """The preview carries a collapsed section asking its own URL when opened, and no
    simulation or pharmacology chart of its own (so the preview stays fast)."""
    page = (
        client_for(nurse)
        .post(reverse("plans:preview", args=[patient_a.pk]), plan_post)
        .content.decode()
    )
    section = page.split('<details class="preview-pharmacology"', 1)[1].split("</details>", 1)[0]
    assert reverse("plans:preview_pharmacology", args=[patient_a.pk]) in section
    assert 'hx-trigger="toggle once"' in section and 'hx-include="#plan-form"' in section
    assert " open" not in section.split(">", 1)[0]
    assert "pk-concentration" not in page and "pk-occupancy" not in page


def test_opening_the_section_draws_the_plan_as_the_form_stands_with_labelled_illustrations(
    client_for, nurse, patient_a, plan_post
):
    """The section's request simulates the form's plan (here hyperbolic 10 %): concentration of
    diazepam and desmethyldiazepam, occupancy at the three illustration ED50s labelled as
    such, and the core's discrepancy text."""
    from benzodetox.core.kinetics.occupancy import DISCREPANCY

    plan_post.update(strategy="hyperbolic", percent="10")
    response = client_for(nurse).post(
        reverse("plans:preview_pharmacology", args=[patient_a.pk]), plan_post
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "<title>diazepam</title>" in page and "<title>desmethyldiazepam</title>" in page
    assert 'aria-labelledby="pk-occupancy-title' in page
    for value in ("10 mg/day", "40 mg/day", "200 mg/day"):
        assert f"ED50 {value}" in page
    assert "Illustration, not your choice" in page
    assert DISCREPANCY.split(".")[0] in page
    assert "from the year of birth 1970" in page
    assert response.context["result"].plan.strategy == "hyperbolic"


def test_the_section_asks_for_the_form_to_be_corrected_instead_of_failing(
    client_for, nurse, patient_a, plan_post
):
    """A percent the strategy refuses gives a short message and no chart, not an error page."""
    plan_post["percent"] = "500"
    response = client_for(nurse).post(
        reverse("plans:preview_pharmacology", args=[patient_a.pk]), plan_post
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" not in page and "Not simulated" in page


def test_the_section_says_so_for_a_drug_the_simulator_has_no_parameters_for(
    client_for, nurse, programme_a, plan_post
):
    """Temazepam has no kinetic parameters: the section names it instead of drawing."""
    from .conftest import make_patient

    patient = make_patient(programme_a, "A-010", [("temazepam", "15", "22:00")])
    plan_post.update(strategy="custom", custom_steps="15 14")
    page = (
        client_for(nurse)
        .post(reverse("plans:preview_pharmacology", args=[patient.pk]), plan_post)
        .content.decode()
    )
    assert "<svg" not in page and "temazepam" in page


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("prescriber", 200),
        ("nurse", 200),
        ("counsellor", 403),
        ("read-only", 403),
        ("admin", 403),
        ("other", 404),
    ],
)
def test_only_those_who_draft_plans_open_the_section_and_never_for_another_programme(
    role, status, personas, client_for, patient_a, plan_post
):
    """Like the preview: plan.draft in the patient's programme; another programme's 404."""
    response = client_for(personas[role]).post(
        reverse("plans:preview_pharmacology", args=[patient_a.pk]), plan_post
    )
    assert response.status_code == status
