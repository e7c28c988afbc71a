"""Plan builder: live preview, versions never overwritten, prescriber approval, print view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.plans.models import ImmutableError, PlanApproval, PlanVersion

from .conftest import PLAN_POST

#: The builder as a clinician posts it now: the strategy's percentage and interval shown in the
#: form (an empty one is refused), and a start date that is not in the past.
BUILDER_POST = dict(PLAN_POST)  # starts next Monday, with its percent and interval


@pytest.fixture
def plan_post() -> dict[str, str]:
    return dict(BUILDER_POST)


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
    client_for, make_user, programme_a, nurse, patient_a, version_a, everything
):
    """A nurse's approval is refused (403); the prescriber's, confirmed with their password,
    is recorded once and audited."""
    prescriber = make_user("dr-once", "prescriber", programme_a, password="pass phrase 1")
    url = reverse("plans:approve", args=[patient_a.pk, version_a.number])
    assert client_for(nurse).post(url).status_code == 403
    client = client_for(prescriber)
    confirmed = {"confirm": "on", "password": "pass phrase 1"}
    client.post(url, dict(confirmed, note="ok"))
    client.post(url, dict(confirmed, note="again"))
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
    assert f'value="{version_a.parameters["start"]}"' in page
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
    assert '<span class="kind">redistribute</span>' in page
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
    assert '<span class="kind">redistribute</span>' in page


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
    plan_post.update(strategy="custom", custom_steps="15 14", percent="", interval_days="")
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


# -- what the planner produces: ranges and cuts, warnings, supply doses, alternatives -----------


ALPRAZOLAM_TABLETS = {"strategy": "asam", "market": "us", "source": "ashton-2002"}


@pytest.fixture
def alprazolam_patient(programme_a):
    """Alprazolam 0.5 mg at 22:00: tablets only, the US products force a switch to diazepam and
    steps outside ASAM's 5–10 % (the plan has departures and two alternatives)."""
    from .conftest import make_patient

    return make_patient(programme_a, "A-020", [("alprazolam", "0.5", "22:00")])


@pytest.fixture
def nitrazepam_patient(programme_a):
    """Nitrazepam 5 mg at 08:00 and 10 mg at 22:00: the US sells no nitrazepam, so while the
    crossover replaces the night dose the morning dose comes from the patient's supply."""
    from .conftest import make_patient

    return make_patient(
        programme_a, "A-021", [("nitrazepam", "5", "08:00"), ("nitrazepam", "10", "22:00")]
    )


def _tablets_only(plan_post):
    post = dict(plan_post, **ALPRAZOLAM_TABLETS)
    post.pop("allow_liquid")
    return post


def _preview(client, patient, post):
    return client.post(reverse("plans:preview", args=[patient.pk]), post)


def test_the_preview_shows_each_steps_range_and_the_cut_it_really_makes(
    client_for, nurse, patient_a, plan_post
):
    """Every reduction row carries the strategy's range ('5–10 %') and the cut the step makes
    as the plan states it, with the mg it removes; the cut note is listed with the step."""
    from benzodetox.core.units import format_mg

    response = _preview(client_for(nurse), patient_a, plan_post)
    page = response.content.decode()
    plan = response.context["preview"].plan
    reductions = [s for s in plan.steps if s.kind == "reduction"]
    assert reductions and all(s.span == "5–10 %" for s in reductions)
    before = plan.diazepam_eq_mg_per_day
    for step in plan.steps:
        row = page.split(f'id="step-{step.index}"', 1)[1].split("</tr>", 1)[0]
        if step.kind == "reduction":
            assert '<span class="range">5–10 %</span>' in row
            cut = f"{step.reduction_percent.normalize():f}"
            assert f"cut {cut} %" in row
            assert f"(−{format_mg(before - step.diazepam_eq_mg)})" in row
            assert f"this step cuts {cut} %" in row  # the step's own note, as the CLI shows it
        before = step.diazepam_eq_mg


def test_the_preview_puts_the_plan_warnings_first_and_marks_each_step_warning(
    client_for, nurse, alprazolam_patient, plan_post
):
    """The plan's warnings (the forced switch, the 25 % ceiling) come before the step table,
    once each and without a doubled '⚠'; the step the Ashton ending makes is marked with its
    warning and as a departure."""
    response = _preview(client_for(nurse), alprazolam_patient, _tablets_only(plan_post))
    page = response.content.decode()
    plan = response.context["preview"].plan
    top = page.split('class="steps"', 1)[0]
    assert "Plan warnings (" in top
    for warning in plan.warnings:
        assert warning.lstrip("⚠ ") in top
    assert "so the plan switches to diazepam from step 1" in top
    assert "⚠ alprazolam" not in page
    warned = [s for s in plan.steps if s.warnings]
    assert warned
    for step in warned:
        row = page.split(f'id="step-{step.index}"', 1)[1].split("</tr>", 1)[0]
        assert 'class="warn step-warning"' in row and "Warning:</strong>" in row
        assert step.warnings[0].replace("'", "&#x27;") in row
        assert "⚠ departs" in row
    assert f'<tr class="step departs" id="step-{warned[0].index}"' in page


def test_a_plan_with_departures_offers_each_alternative_as_one_button(
    client_for, nurse, alprazolam_patient, plan_post
):
    """Alprazolam tablets-only lists the core's alternatives (the liquid, an early switch, both),
    each with its departures before and after, its steps and last dose, and one button posting
    its changes."""
    from benzodetox.core.tapering import alternatives, departures

    response = _preview(client_for(nurse), alprazolam_patient, _tablets_only(plan_post))
    page = response.content.decode()
    plan = response.context["preview"].plan
    found = alternatives(plan)
    assert [a.key for a in found] == ["switch_and_liquid", "allow_liquid", "switch_to_diazepam"]
    section = page.split('class="panel alternatives"', 1)[1].split("</section>", 1)[0]
    assert f"departs from its strategy {departures(plan)} times" in section
    for alt in found:
        button = section.split(f'id="alternative-{alt.key}"', 1)[0].rsplit("<button", 1)[1]
        assert 'name="alternative"' in button and 'form="plan-form"' in button
        assert f'hx-post="{reverse("plans:preview", args=[alprazolam_patient.pk])}"' in section
        summary = section.split(f'id="alternative-{alt.key}"', 1)[1].split("</li>", 1)[0]
        assert f"departures {departures(plan)} → {alt.departures}" in summary
        assert f"{len(alt.plan.steps)} steps" in summary
        assert f"last dose {alt.plan.last_dose_date:%Y-%m-%d}" in summary
    assert 'value="allow_liquid=true"' in section
    assert 'value="switch_to=diazepam"' in section
    assert 'value="allow_liquid=true&amp;switch_to=diazepam"' in section
    assert "“Allow oral liquid” to yes" in section
    assert "“Switch to (crossover)” to diazepam" in section


@pytest.mark.parametrize(
    ("key", "apply", "field", "control"),
    [
        ("allow_liquid", "allow_liquid=true", "allow_liquid", "checked"),
        ("switch_to_diazepam", "switch_to=diazepam", "switch_to", 'value="diazepam" selected'),
    ],
)
def test_pressing_an_alternative_previews_its_plan_and_sets_the_form_without_saving(
    client_for, nurse, alprazolam_patient, plan_post, key, apply, field, control, everything
):
    """The button's post gives exactly the alternative's plan; the form control it changes is
    swapped in (out of band) with the new value, so a save keeps it; nothing is saved."""
    from benzodetox.core.tapering import alternatives
    from benzodetox.interop.plan_json import plan_to_dict

    client = client_for(nurse)
    post = _tablets_only(plan_post)
    before = _preview(client, alprazolam_patient, post).context["preview"].plan
    wanted = next(a for a in alternatives(before) if a.key == key)
    response = _preview(client, alprazolam_patient, dict(post, alternative=apply))
    page = response.content.decode()
    assert plan_to_dict(response.context["preview"].plan) == plan_to_dict(wanted.plan)
    swapped = page.split(f'id="field-{field}" hx-swap-oob="true"', 1)[1].split("</div>\n", 1)[0]
    assert control in swapped
    assert f'id="err-{field}" hx-swap-oob="true"' not in page  # the field's swap carries it
    assert "<strong>Applied:</strong>" in page and "nothing is saved until you save" in page
    assert not PlanVersion.objects.filter(patient=alprazolam_patient).exists()


def test_an_alternative_pressed_without_javascript_rebuilds_the_builder_and_saves_nothing(
    client_for, nurse, alprazolam_patient, plan_post, everything
):
    """The same button submits the whole form to the builder: the page comes back with the
    change in the form and its preview, even with a reason typed, and no version is made."""
    post = dict(_tablets_only(plan_post), alternative="allow_liquid=true", reason="first plan")
    response = client_for(nurse).post(reverse("plans:builder", args=[alprazolam_patient.pk]), post)
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].data.get("allow_liquid") == "on"
    assert 'name="allow_liquid" id="id_allow_liquid" checked' in page
    assert response.context["preview"].plan.request.allow_liquid is True
    assert "hx-swap-oob" not in page.split('id="preview"', 1)[1].split('id="field-', 1)[0]
    assert not PlanVersion.objects.filter(patient=alprazolam_patient).exists()
    saved = client_for(nurse).post(
        reverse("plans:builder", args=[alprazolam_patient.pk]),
        dict(_tablets_only(plan_post), allow_liquid="on", reason="first plan"),
    )
    assert saved.status_code == 302
    version = PlanVersion.objects.get(patient=alprazolam_patient)
    assert version.parameters["allow_liquid"] is True


def test_a_plan_without_departures_shows_no_alternatives_and_builds_no_extra_plan(
    client_for, nurse, patient_a, plan_post, monkeypatch
):
    """Diazepam 20 mg with liquid allowed departs nowhere: the live preview neither lists
    alternatives nor asks the core to build any (it stays as fast as before)."""
    from benzodetox.web.plans import services

    def refuse(plan):
        raise AssertionError("alternatives built for a plan without departures")

    monkeypatch.setattr(services, "alternatives", refuse)
    page = _preview(client_for(nurse), patient_a, plan_post).content.decode()
    assert "alternatives" not in page.split('class="steps"', 1)[0].replace(
        "preview-pharmacology", ""
    )
    assert "departs from its strategy" not in page


def test_an_alternative_naming_a_field_the_builder_has_not_is_refused_on_the_form(
    client_for, nurse, patient_a, plan_post
):
    """A forged change ('regimen=…') is one message on the form, not an error page; nothing
    is applied."""
    response = _preview(client_for(nurse), patient_a, dict(plan_post, alternative="regimen=x"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "a change to a field of the plan builder" in page
    assert "Applied" not in page


def test_a_dose_from_the_patients_supply_is_labelled_in_the_preview(
    client_for, nurse, nitrazepam_patient, plan_post
):
    """Nitrazepam has no US product: the morning dose during the first crossover stage reads
    'from the patient's current supply (not dispensed)' instead of an empty take list."""
    post = dict(plan_post, switch_to="diazepam")
    response = _preview(client_for(nurse), nitrazepam_patient, post)
    page = response.content.decode()
    first = response.context["preview"].plan.steps[0]
    supply = [d for d in first.doses if d.from_supply]
    assert [(d.drug, d.mg) for d in supply] == [("nitrazepam", 5)]
    row = page.split('id="step-1"', 1)[1].split("</tr>", 1)[0]
    dose = row.split("08:00 nitrazepam", 1)[1].split("</div>", 1)[0]
    assert "<strong>5 mg</strong>" in dose
    assert "from the patient's current supply (not dispensed)" in dose
    assert "= " not in dose  # no take list


def test_the_saved_version_and_its_printable_plan_show_ranges_supply_doses_and_warnings(
    client_for, prescriber, nitrazepam_patient, alprazolam_patient, plan_post, everything
):
    """Saved versions read back from JSON show the same: every plan warning above the table,
    each step's range and cut, the step warnings, and the supply dose labelled."""
    client = client_for(prescriber)
    url = reverse("plans:builder", args=[alprazolam_patient.pk])
    client.post(url, dict(_tablets_only(plan_post), reason="tablets only"))
    nit_url = reverse("plans:builder", args=[nitrazepam_patient.pk])
    client.post(nit_url, dict(plan_post, switch_to="diazepam", reason="switch"))
    from benzodetox.web.plans.services import plan_of

    for patient, expect in (
        (alprazolam_patient, "Warning:</strong> the Ashton Manual&#x27;s ending"),
        (nitrazepam_patient, "from the patient's current supply (not dispensed)"),
    ):
        version = PlanVersion.objects.get(patient=patient)
        plan = plan_of(version)
        for name in ("plans:detail", "plans:print"):
            page = client.get(reverse(name, args=[patient.pk, 1])).content.decode()
            top = page.split('class="steps"', 1)[0]
            for warning in plan.warnings:
                assert warning.lstrip("⚠ ").replace("'", "&#x27;") in top, (name, warning)
            assert '<span class="range">5–10 %</span>' in page
            assert expect in page, name


def test_each_change_an_alternative_makes_lands_on_the_builder_control_that_carries_it():
    """'allow_liquid=true' ticks the box and '=false' unticks it (a box posts nothing when
    unticked); 'switch_to=diazepam' selects it; the button's own field is dropped."""
    from django.http import QueryDict

    from benzodetox.web.plans.forms import apply_changes, decode_changes, encode_changes

    posted = QueryDict("allow_liquid=on&switch_to=&alternative=x", mutable=False)
    changes = decode_changes(encode_changes([("allow_liquid", "false"), ("switch_to", "diazepam")]))
    data, changed = apply_changes(posted, changes)
    assert "allow_liquid" not in data and data["switch_to"] == "diazepam"
    assert "alternative" not in data and changed == ("allow_liquid", "switch_to")
    data, _ = apply_changes(QueryDict(""), decode_changes("allow_liquid=true"))
    assert data["allow_liquid"] == "on"
