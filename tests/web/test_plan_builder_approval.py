"""Approving a plan version: an explicit confirmation and re-authentication (password, or the
one-time code where enrolled), and the programme's two-person rule (first signature, then the
PlanApproval, and ``plan_approved`` sent once)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.plans.models import PlanApproval, PlanPolicy, PlanSignature
from benzodetox.web.plans.signals import plan_approved

PASSWORD = "correct horse battery"


@pytest.fixture
def dr_one(make_user, programme_a):
    return make_user("dr-one", "prescriber", programme_a, password=PASSWORD)


@pytest.fixture
def dr_two(make_user, programme_a):
    return make_user("dr-two", "prescriber", programme_a, password=PASSWORD)


@pytest.fixture
def sent():
    received = []

    def receiver(sender, version, user, **kwargs):
        received.append((version.pk, user.pk))

    plan_approved.connect(receiver)
    yield received
    plan_approved.disconnect(receiver)


def _approve(client, version, **data):
    url = reverse("plans:approve", args=[version.patient_id, version.number])
    return client.post(url, data)


def test_the_plan_page_asks_for_confirmation_and_the_password(client_for, dr_one, version_a):
    """The approval form has the confirmation box and a password field (no one-time code)."""
    page = (
        client_for(dr_one)
        .get(reverse("plans:detail", args=[version_a.patient_id, version_a.number]))
        .content.decode()
    )
    form = page.split('id="approve-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="confirm"' in form and 'type="password"' in form and 'name="token"' not in form


def test_a_wrong_password_approves_nothing_and_is_audited(
    client_for, dr_one, version_a, sent, everything
):
    """Wrong password: refused with a message on the password field, an audit event, no
    approval and no signal."""
    response = _approve(client_for(dr_one), version_a, confirm="on", password="wrong")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not approved: the password typed was not accepted" in page
    assert not PlanApproval.objects.filter(plan_version=version_a).exists()
    assert AuditEvent.objects.filter(action="plan.reauth_failed", user=dr_one).count() == 1
    assert sent == []


def test_no_confirmation_or_no_password_approves_nothing(client_for, dr_one, version_a, everything):
    """Without the tick, or without the password, the page says what is missing."""
    client = client_for(dr_one)
    page = _approve(client, version_a, password=PASSWORD).content.decode()
    assert "Tick the confirmation to approve this version." in page
    page = _approve(client, version_a, confirm="on").content.decode()
    assert "Enter your password to approve." in page
    assert not PlanApproval.objects.filter(plan_version=version_a).exists()


def test_the_right_password_approves_once_and_sends_the_signal_once(
    client_for, dr_one, version_a, sent, everything
):
    """Confirmed with the password: approved, the message shown, plan_approved sent once."""
    client = client_for(dr_one)
    response = _approve(client, version_a, confirm="on", password=PASSWORD, note="checked")
    assert response.status_code == 302
    assert PlanApproval.objects.get(plan_version=version_a).approved_by == dr_one
    assert sent == [(version_a.pk, dr_one.pk)]
    page = client.get(response["Location"]).content.decode()
    assert "Version 1 approved." in page


def test_a_user_with_an_authenticator_confirms_with_its_code_not_the_password(
    client_for, dr_one, version_a, everything
):
    """Enrolled TOTP: the form asks for the code; a wrong code is refused, the current one
    approves."""
    device = TOTPDevice.objects.create(user=dr_one, name="phone", confirmed=True)
    client = client_for(dr_one)
    page = (
        client.get(reverse("plans:detail", args=[version_a.patient_id, version_a.number]))
        .content.decode()
        .split('id="approve-form"', 1)[1]
    )
    assert 'name="token"' in page and 'type="password"' not in page.split("</form>", 1)[0]
    page = _approve(client, version_a, confirm="on", token="000000", password=PASSWORD)
    assert "authenticator app" in page.content.decode()
    assert not PlanApproval.objects.filter(plan_version=version_a).exists()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp delays the next try after a wrong code
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    assert _approve(client, version_a, confirm="on", token=code).status_code == 302
    assert PlanApproval.objects.filter(plan_version=version_a).exists()


# -- two-person approval ------------------------------------------------------------------------


@pytest.fixture
def two_person(programme_a, everything):
    return PlanPolicy.objects.create(programme=programme_a, two_person_approval=True)


def test_with_two_person_approval_the_first_is_a_signature_and_the_second_approves(
    client_for, dr_one, dr_two, version_a, two_person, sent
):
    """First prescriber: a first signature, no PlanApproval, no signal. The same prescriber again
    is refused. A different prescriber: the PlanApproval, and the signal once."""
    first = client_for(dr_one)
    _approve(first, version_a, confirm="on", password=PASSWORD)
    assert PlanSignature.objects.get(plan_version=version_a).signed_by == dr_one
    assert not PlanApproval.objects.filter(plan_version=version_a).exists()
    assert sent == []
    page = _approve(first, version_a, confirm="on", password=PASSWORD).content.decode()
    assert "you signed this version first" in page
    assert not PlanApproval.objects.filter(plan_version=version_a).exists()
    detail = first.get(reverse("plans:detail", args=[version_a.patient_id, 1])).content.decode()
    assert "awaiting a second prescriber" in detail and "First signature: dr-one" in detail
    _approve(client_for(dr_two), version_a, confirm="on", password=PASSWORD)
    assert PlanApproval.objects.get(plan_version=version_a).approved_by == dr_two
    assert sent == [(version_a.pk, dr_two.pk)]


def test_without_the_policy_one_prescriber_approves(client_for, dr_one, version_a, everything):
    """The default: one prescriber's approval is the approval (no signature row)."""
    _approve(client_for(dr_one), version_a, confirm="on", password=PASSWORD)
    assert PlanApproval.objects.filter(plan_version=version_a).exists()
    assert not PlanSignature.objects.filter(plan_version=version_a).exists()


def test_a_signature_is_never_changed(client_for, dr_one, version_a, two_person):
    """A first signature is written once."""
    from benzodetox.web.plans.models import ImmutableError

    _approve(client_for(dr_one), version_a, confirm="on", password=PASSWORD)
    signature = PlanSignature.objects.get(plan_version=version_a)
    signature.note = "changed"
    with pytest.raises(ImmutableError):
        signature.save()


def test_a_programme_admin_turns_two_person_approval_on_and_it_is_audited(
    client_for, programme_admin, prescriber, programme_a, everything
):
    """The admin sees and changes the policy; a prescriber sees it but may not change it (403)."""
    url = reverse("plans:policy")
    page = client_for(prescriber).get(url).content.decode()
    assert "One prescriber" in page and "plan-policy-form" not in page
    assert client_for(prescriber).post(url, {"two_person_approval": "on"}).status_code == 403
    admin = client_for(programme_admin)
    response = admin.post(url, {"programme": programme_a.pk, "two_person_approval": "on"})
    assert response.status_code == 302
    assert PlanPolicy.objects.get(programme=programme_a).two_person_approval
    assert AuditEvent.objects.filter(action="plan.policy_saved").count() == 1
    assert "Two prescribers" in admin.get(url).content.decode()


def test_another_programmes_policy_is_not_found(client_for, programme_admin, programme_b):
    """Asking for a programme the admin is not a member of answers 404."""
    url = reverse("plans:policy") + f"?programme={programme_b.pk}"
    assert client_for(programme_admin).get(url).status_code == 404
