"""One scoping mechanism for patient data: no scope, no query."""

from __future__ import annotations

import pytest

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.patients.models import Intake, Patient, RegimenDose
from benzodetox.web.plans.models import PlanApproval, PlanVersion
from benzodetox.web.programmes.scoping import ScopeError, scope_for_user, scope_programmes


@pytest.mark.parametrize(
    "model", [Patient, RegimenDose, Intake, PlanVersion, PlanApproval, AuditEvent]
)
def test_a_query_with_no_programme_scope_fails_instead_of_leaking(db, model):
    """Forgetting to scope is an error, not every programme's rows."""
    with pytest.raises(ScopeError):
        list(model.objects.all())


def test_a_forgotten_scope_fails_even_for_a_lookup_by_id(patient_a):
    """``Patient.objects.get(pk=...)`` outside a scope raises, whatever the id."""
    with pytest.raises(ScopeError):
        Patient.objects.get(pk=patient_a.pk)


def test_a_scope_shows_only_its_programmes_patients(patient_a, patient_b):
    """Inside programme A's scope, programme B's patient does not exist."""
    with scope_programmes({patient_a.programme_id}):
        assert list(Patient.objects.values_list("reference", flat=True)) == ["A-001"]
        assert not Patient.objects.filter(pk=patient_b.pk).exists()


def test_related_rows_are_scoped_through_their_patient(patient_a, patient_b):
    """Regimen rows and intakes follow their patient's programme."""
    with scope_programmes({patient_b.programme_id}):
        assert {d.patient_id for d in RegimenDose.objects.all()} == {patient_b.pk}
        assert {i.patient_id for i in Intake.objects.all()} == {patient_b.pk}


def test_a_user_scope_is_their_memberships(nurse, other_clinician, patient_a, patient_b):
    """scope_for_user gives a nurse of A only A's patients, and B's prescriber only B's."""
    with scope_for_user(nurse):
        assert [p.reference for p in Patient.objects.all()] == ["A-001"]
    with scope_for_user(other_clinician):
        assert [p.reference for p in Patient.objects.all()] == ["B-001"]


def test_a_user_without_membership_sees_no_patient(db, patient_a, django_user_model):
    """An account with no programme has an empty scope."""
    stranger = django_user_model.objects.create(username="stranger")
    with scope_for_user(stranger):
        assert not Patient.objects.exists()
