"""Aftercare: generated from programme policy after the approved plan's last dose (at least
90 days, NIDA), editable, every change audited."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.careplans.models import AftercarePlan


def test_aftercare_starts_after_the_approved_plans_last_dose_with_the_policys_items(
    client_for, nurse, approved_a, patient_a, everything
):
    """Generated with the default policy (365 days): contacts, reviews with BWSQ, PHQ-9 and
    GAD-7, ending with a review on the last day."""
    from benzodetox.web.plans.services import plan_of

    url = reverse("careplans:aftercare_generate", args=[patient_a.pk])
    response = client_for(nurse).post(url, {"generate-days": "365"})
    assert response.status_code == 302
    care = AftercarePlan.objects.get(patient=patient_a)
    last = plan_of(approved_a).last_dose_date
    assert care.last_dose == last and care.end == last + timedelta(days=365)
    items = list(care.items.all())
    assert items[0].on > last
    assert items[-1].on == care.end and items[-1].kind == "review"
    assert any("BWSQ" in " ".join(i.instruments) for i in items)
    assert AuditEvent.objects.filter(action="careplan.aftercare_generated").exists()


def test_aftercare_shorter_than_90_days_is_refused_on_the_days_field(
    client_for, prescriber, approved_a, patient_a, everything
):
    """NIDA's minimum: 60 days is an error beside the field, with the 60 still in it."""
    url = reverse("careplans:aftercare_generate", args=[patient_a.pk])
    response = client_for(prescriber).post(url, {"generate-days": "60"})
    assert response.status_code == 200
    errors = response.context["generate_form"].errors["days"]
    assert "at least 90 days" in errors[0]
    assert 'value="60"' in response.content.decode()
    assert not AftercarePlan.objects.filter(patient=patient_a).exists()


def test_aftercare_needs_an_approved_plan(client_for, prescriber, version_a, patient_a):
    """Without an approved version there is no last dose to start from: no generate form."""
    page = client_for(prescriber).get(reverse("careplans:aftercare", args=[patient_a.pk]))
    assert b"No approved taper plan yet" in page.content
    assert b'id="generate"' not in page.content


def test_an_item_is_recorded_done_and_a_move_before_the_last_dose_is_refused(
    client_for, nurse, careplan_a, patient_a, everything
):
    """Done with a note is saved; moving an item onto the last dose day is refused beside the
    date field and the item stays where it was."""
    item = careplan_a["item"]
    url = reverse("careplans:aftercare_item", args=[patient_a.pk, item.pk])
    client = client_for(nurse)
    ok = client.post(
        url,
        {
            f"i{item.pk}-on": item.on.isoformat(),
            f"i{item.pk}-done": "yes",
            f"i{item.pk}-note": "phoned, well",
        },
    )
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.done is True and item.note == "phoned, well"
    last = careplan_a["care"].last_dose.isoformat()
    bad = client.post(url, {f"i{item.pk}-on": last, f"i{item.pk}-done": "yes"})
    assert bad.status_code == 200
    assert b"errorlist" in bad.content and last.encode() in bad.content
    item.refresh_from_db()
    assert item.on != careplan_a["care"].last_dose


def test_the_final_review_cannot_be_removed_but_a_contact_can(
    client_for, prescriber, careplan_a, patient_a, everything
):
    """Aftercare must end with a review."""
    care = careplan_a["care"]
    final = care.items.get(kind="review")
    client = client_for(prescriber)
    client.post(reverse("careplans:aftercare_item", args=[patient_a.pk, final.pk]), {"remove": "1"})
    assert care.items.filter(pk=final.pk).exists()
    client.post(
        reverse("careplans:aftercare_item", args=[patient_a.pk, careplan_a["item"].pk]),
        {"remove": "1"},
    )
    assert not care.items.filter(pk=careplan_a["item"].pk).exists()
    assert AuditEvent.objects.filter(action="careplan.aftercare_item_removed").count() == 1


def test_extending_keeps_recorded_items_and_adds_the_policys_new_ones(
    client_for, nurse, approved_a, patient_a, everything
):
    """From 90 to 180 days: what was recorded stays, the end moves, items are added."""
    client = client_for(nurse)
    client.post(
        reverse("careplans:aftercare_generate", args=[patient_a.pk]), {"generate-days": "90"}
    )
    care = AftercarePlan.objects.get(patient=patient_a)
    first = care.items.first()
    client.post(
        reverse("careplans:aftercare_item", args=[patient_a.pk, first.pk]),
        {f"i{first.pk}-on": first.on.isoformat(), f"i{first.pk}-done": "yes"},
    )
    before = care.items.count()
    response = client.post(
        reverse("careplans:aftercare_extend", args=[patient_a.pk]), {"extend-days": "180"}
    )
    assert response.status_code == 302
    care.refresh_from_db()
    assert care.days == 180 and care.items.count() > before
    assert care.items.get(pk=first.pk).done is True


def test_a_contact_is_added_after_the_last_dose(
    client_for, nurse, careplan_a, patient_a, everything
):
    """A care-team contact added by hand appears among the items."""
    care = careplan_a["care"]
    on = (care.last_dose + timedelta(days=3)).isoformat()
    response = client_for(nurse).post(
        reverse("careplans:aftercare_item_new", args=[patient_a.pk]),
        {"new-on": on, "new-kind": "contact", "new-title": "Phone call after discharge"},
    )
    assert response.status_code == 302
    assert care.items.filter(title="Phone call after discharge").exists()
