"""The plan builder never loses input: numbers arrive as typed and are refused on their field;
it opens with the regimen, risk and level of care and proposes the strategy; 'Switch to' lists
what the core accepts; past start dates and a plateau above the start are refused or confirmed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st

from benzodetox.core.tapering.proposal import switch_targets
from benzodetox.web.fields import NumberField
from benzodetox.web.patients.models import Intake
from benzodetox.web.plans.forms import PAST_START_DAYS, PlanForm
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.scoping import unscoped

from .conftest import PLAN_POST

BUILDER_POST = dict(PLAN_POST)  # starts next Monday, with its percent and interval


@pytest.fixture
def plan_post() -> dict[str, str]:
    return dict(BUILDER_POST)


def _oob_error(page: str, field: str) -> str:
    return page.split(f'id="err-{field}" hx-swap-oob="true"', 1)[1].split("</div>", 1)[0]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1e", "'1e' is not a number"),
        ("1,5", "'1,5' has a comma; write decimals with a point"),
        ("-", "'-' is negative or not a number"),
        ("", "empty; ASAM 2025"),
        ("  ", "empty; ASAM 2025"),
        ("abc", "'abc' is not a number"),
    ],
)
def test_a_percent_the_browser_cannot_parse_is_refused_on_its_field_not_replaced_by_the_default(
    client_for, nurse, patient_a, plan_post, typed, expected
):
    """'1e', '1,5', '-' and empty reach the server as typed: the preview shows the refusal on the
    percent field, names the field and what is allowed, and shows no plan."""
    plan_post["percent"] = typed
    page = (
        client_for(nurse)
        .post(reverse("plans:preview", args=[patient_a.pk]), plan_post)
        .content.decode()
    )
    error = _oob_error(page, "percent")
    assert expected in error.replace("&#x27;", "'")
    assert "Reduction per step (%)" in error and "Allowed:" in error
    assert "<svg" not in page and "table class" not in page
    assert "No plan is shown until these are corrected" in page


def test_saving_with_an_unparseable_percent_saves_nothing_and_keeps_what_was_typed(
    client_for, nurse, patient_a, plan_post, everything
):
    """The save refuses '1e' on its field; no version is written and the field still says '1e'."""
    plan_post.update(percent="1e", reason="first plan")
    page = (
        client_for(nurse)
        .post(reverse("plans:builder", args=[patient_a.pk]), plan_post)
        .content.decode()
    )
    assert not PlanVersion.objects.filter(patient=patient_a).exists()
    assert 'name="percent" value="1e"' in page
    assert "is not a number" in page.replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("interval_days", "1.5"),
        ("interval_days", "2e1"),
        ("crossover_days", ""),
        ("crossover_days", "-"),
        ("final_dose_mg", "1,5"),
        ("plateau_mg", "-2"),
        ("stabilise_days", "3d"),
        ("discharge_mg", "1e2"),
        ("drug_free_nights", "x"),
    ],
)
def test_every_numeric_field_refuses_what_it_cannot_read_on_its_own_field(
    client_for, nurse, patient_a, plan_post, field, typed
):
    """Each numeric field is a text input (the browser sends what was typed) and refuses bad
    text naming itself; nothing is built."""
    plan_post[field] = typed
    page = (
        client_for(nurse)
        .post(reverse("plans:preview", args=[patient_a.pk]), plan_post)
        .content.decode()
    )
    label = str(PlanForm.base_fields[field].label)
    assert label in _oob_error(page, field).replace("&#x27;", "'")
    assert "<svg" not in page


def test_numeric_fields_are_text_inputs_with_a_decimal_keyboard(client_for, nurse, patient_a):
    """No numeric builder field is an <input type=number>, which sanitises '1e' to empty."""
    page = client_for(nurse).get(reverse("plans:builder", args=[patient_a.pk])).content.decode()
    assert 'type="number"' not in page
    assert 'name="percent"' in page and 'inputmode="decimal"' in page


@given(st.text(max_size=8))
@example("00")
@example("1.50")
@settings(max_examples=200, deadline=None)
def test_a_number_field_returns_a_number_exactly_as_typed_or_refuses(text):
    """Whatever is typed, the field either refuses it or returns the very number typed (never a
    default, never a float)."""
    from django import forms

    field = NumberField(label="Reduction per step (%)", allowed="0.5 to 25", places=2)
    try:
        value = field.clean(text)
    except forms.ValidationError as error:
        assert "Reduction per step (%)" in " ".join(error.messages)
        return
    if text.strip() == "":
        assert value is None
    else:
        # the same number as typed ('00' is 0, '1.50' is 1.50), a Decimal, never a float
        assert isinstance(value, Decimal) and value == Decimal(text.strip())


def test_a_whole_number_of_five_thousand_digits_is_refused_not_a_server_error():
    """Python refuses int() of more than 4,300 digits with ValueError; the field refuses any
    number of more than 30 characters on its own, naming the field."""
    from django import forms

    field = NumberField(label="Interval (days)", allowed="7 to 28", whole=True)
    with pytest.raises(forms.ValidationError) as refused:
        field.clean("9" * 5000)
    assert "Interval (days)" in " ".join(refused.value.messages)


def test_an_empty_interval_is_refused_for_ashton_and_a_percent_refused_by_the_core(
    client_for, nurse, patient_a, plan_post
):
    """Ashton needs an interval (7–28 days) and has no percentage: both said on their fields."""
    plan_post.update(strategy="ashton", interval_days="")
    page = (
        client_for(nurse)
        .post(reverse("plans:preview", args=[patient_a.pk]), plan_post)
        .content.decode()
    )
    assert "empty; Ashton manual needs it" in _oob_error(page, "interval_days")


def test_choosing_a_strategy_fills_its_own_figures_into_the_form(
    client_for, nurse, patient_a, plan_post
):
    """Changing to deprescribing.org sets percent 25 and interval 14 in the form (out-of-band)
    and previews that plan; choosing inpatient empties both and sets the strategy after it."""
    client = client_for(nurse)
    url = reverse("plans:preview", args=[patient_a.pk])
    page = client.post(
        url, dict(plan_post, strategy="deprescribing", strategy_changed="1")
    ).content.decode()
    assert 'name="percent" value="25"' in page and "<svg" in page
    page = client.post(
        url, dict(plan_post, strategy="inpatient", strategy_changed="1")
    ).content.decode()
    percent = page.split('name="percent"', 1)[1].split(">", 1)[0]
    assert "value=" not in percent
    assert '<option value="asam" selected>' in page
    assert "<svg" in page


def test_an_inpatient_plan_needs_the_strategy_after_it_chosen(
    client_for, nurse, patient_a, plan_post
):
    """The outpatient strategy after an inpatient phase is never picked silently."""
    plan_post.update(strategy="inpatient", percent="", interval_days="", then="")
    page = (
        client_for(nurse)
        .post(reverse("plans:preview", args=[patient_a.pk]), plan_post)
        .content.decode()
    )
    assert "it is not picked for you" in _oob_error(page, "then")


# -- what the builder opens with -----------------------------------------------------------------


def _set_level(patient, level: str, risk: str = "high") -> None:
    with unscoped():
        Intake.objects.filter(patient=patient).update(
            level_of_care=level,
            level_of_care_text=f"inpatient: level {level}",
            risk=risk,
            risk_text="high risk of complicated withdrawal",
            diazepam_eq_mg="20",
        )


def test_the_builder_opens_with_the_regimen_risk_level_and_the_inpatient_proposal(
    client_for, nurse, patient_a
):
    """A 3.7-WM recommendation: the builder shows the regimen, daily diazepam-eq, risk and level,
    proposes the inpatient strategy saying why, and selects it with no percent or interval."""
    _set_level(patient_a, "3.7-WM")
    page = client_for(nurse).get(reverse("plans:builder", args=[patient_a.pk])).content.decode()
    facts = page.split('id="builder-facts"', 1)[1].split("</section>", 1)[0]
    assert "Diazepam 10 mg at 08:00" in facts and "Diazepam 10 mg at 22:00" in facts
    assert "20 mg a day" in facts
    assert "high" in facts and "3.7-WM" in facts
    assert (
        "Inpatient stabilise, then outpatient" in facts and "because the intake recommends" in facts
    )
    assert "etg-addiction" in facts
    assert '<option value="inpatient" selected>' in page
    assert 'name="percent" value=' not in page


def test_an_outpatient_recommendation_proposes_asam_with_its_figures_filled_in(
    client_for, nurse, patient_a
):
    """A 1-WM recommendation proposes ASAM 2025 with 10 % and 14 days shown in the form."""
    _set_level(patient_a, "1-WM", risk="low")
    page = client_for(nurse).get(reverse("plans:builder", args=[patient_a.pk])).content.decode()
    assert '<option value="asam" selected>' in page
    assert 'name="percent" value="10"' in page and 'name="interval_days" value="14"' in page
    assert "not inpatient care" in page


def test_the_clinicians_decided_level_is_the_one_proposed_for(client_for, nurse, patient_a):
    """A 1-WM recommendation the clinician changed to 4-WM proposes the inpatient strategy."""
    _set_level(patient_a, "1-WM")
    with unscoped():
        Intake.objects.filter(patient=patient_a).update(decision="other", chosen_level="4-WM")
    page = client_for(nurse).get(reverse("plans:builder", args=[patient_a.pk])).content.decode()
    assert "the clinician chose <strong>4-WM</strong>" in page
    assert '<option value="inpatient" selected>' in page


def test_switch_to_lists_only_the_drugs_the_core_accepts(client_for, nurse, patient_a):
    """'Switch to' offers 'No switch' and exactly the core's switch targets."""
    page = client_for(nurse).get(reverse("plans:builder", args=[patient_a.pk])).content.decode()
    select = page.split('name="switch_to"', 1)[1].split("</select>", 1)[0]
    values = [part.split('"', 1)[0] for part in select.split('<option value="')[1:]]
    assert values == ["", *switch_targets()]
    assert "lorazepam" not in select and "alprazolam" not in select


# -- start date and plateau -----------------------------------------------------------------------


def _days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def test_a_start_date_long_past_is_refused_on_save_stating_the_rule(
    client_for, nurse, patient_a, plan_post, everything
):
    """A start a year ago is refused even with the confirmation; the message states the rule;
    the preview says so without hiding the plan."""
    plan_post.update(
        start=_days_ago(365), confirm_past_start="on", past_start_reason="x", reason="first"
    )
    client = client_for(nurse)
    preview = client.post(reverse("plans:preview", args=[patient_a.pk]), plan_post).content.decode()
    assert "saving will refuse it" in preview and "<svg" in preview
    page = client.post(reverse("plans:builder", args=[patient_a.pk]), plan_post).content.decode()
    assert "365 days in the past; refused" in page
    assert f"up to {PAST_START_DAYS} days in the past" in page
    assert not PlanVersion.objects.filter(patient=patient_a).exists()


def test_a_recent_past_start_needs_the_confirmation_and_a_reason_then_saves(
    client_for, nurse, patient_a, plan_post, everything
):
    """Three days ago: refused without the tick, refused without a reason, saved with both (the
    reason is recorded with the version)."""
    url = reverse("plans:builder", args=[patient_a.pk])
    client = client_for(nurse)
    plan_post.update(start=_days_ago(3), reason="first plan")
    page = client.post(url, plan_post).content.decode()
    assert "tick the confirmation and say why" in page
    page = client.post(url, dict(plan_post, confirm_past_start="on")).content.decode()
    assert "Say why the plan starts 3 days in the past" in page
    assert not PlanVersion.objects.filter(patient=patient_a).exists()
    response = client.post(
        url, dict(plan_post, confirm_past_start="on", past_start_reason="begun on the ward")
    )
    assert response.status_code == 302
    version = PlanVersion.objects.get(patient=patient_a)
    assert "begun on the ward" in version.reason


def test_the_confirmation_of_a_past_start_is_not_carried_into_the_next_version(
    client_for, nurse, patient_a, plan_post, everything
):
    """A new version starts with the box unticked: a confirmation is given each time."""
    url = reverse("plans:builder", args=[patient_a.pk])
    client = client_for(nurse)
    client.post(
        url,
        dict(
            plan_post,
            start=_days_ago(2),
            confirm_past_start="on",
            past_start_reason="admitted on Friday",
            reason="first",
        ),
    )
    page = client.get(url).content.decode()
    assert 'name="confirm_past_start" id="id_confirm_past_start" checked' not in page
    assert "admitted on Friday" not in page.split('id="plan-form"', 1)[1]


def test_a_plateau_above_the_start_dose_is_refused_on_its_field(
    client_for, nurse, patient_a, plan_post
):
    """20 mg diazepam a day: a 25 mg plateau is refused beside the plateau field."""
    plan_post["plateau_mg"] = "25"
    page = (
        client_for(nurse)
        .post(reverse("plans:preview", args=[patient_a.pk]), plan_post)
        .content.decode()
    )
    assert "at or below today" in _oob_error(page, "plateau_mg")
    assert "<svg" not in page
