"""The demo's care plan: the patient in aftercare (DEMO-005) gets a CBT-I course with
attendance, aftercare generated from the approved plan, a relapse-prevention plan with a review
and an adjunct note. The demo programme stages supply weekly for patients the intake rates
high risk (pharmacy policy), so their pharmacy order opens on 7 days. Idempotent: does nothing
if that patient already has a course (or the programme already has a pharmacy policy)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from benzodetox.core.careplan.relapse import Lifestyle, RelapsePlan, SupportContact, Trigger
from benzodetox.web.system_request import system_request

DEMO_PATIENT = "DEMO-005"


def seed_demo_pharmacy_policy(programme_name: str = "Demo programme") -> bool:
    """Weekly staged supply from high risk, set by the demo admin (audited like a person's
    change); True if it was set now."""
    from benzodetox.web.programmes.models import Programme
    from benzodetox.web.programmes.scoping import unscoped

    from .models import PharmacyPolicySettings
    from .pharmacy_policy import save_policy

    with unscoped(), transaction.atomic():
        programme = Programme.objects.filter(name=programme_name).first()
        admin = get_user_model().objects.filter(username="demo-admin").first()
        if programme is None or admin is None:
            return False
        if PharmacyPolicySettings.objects.filter(programme=programme).exists():
            return False
        save_policy(system_request(admin, "demo-pharmacy-policy"), programme.pk, "high", 7)
        return True


def seed_demo_careplan(programme_name: str = "Demo programme") -> bool:
    """Seed the care plan of the demo patient in aftercare (and the programme's pharmacy
    policy); True if the care plan was seeded now."""
    from benzodetox.web.patients.models import Patient
    from benzodetox.web.programmes.scoping import unscoped

    from . import relapse_plans, services

    seed_demo_pharmacy_policy(programme_name)
    with unscoped(), transaction.atomic():
        patient = Patient.objects.filter(
            programme__name=programme_name, reference=DEMO_PATIENT
        ).first()
        if patient is None or patient.courses.exists():
            return False
        users = get_user_model().objects
        as_prescriber = system_request(users.get(username="demo-prescriber"), "demo-careplan")
        as_counsellor = system_request(users.get(username="demo-counsellor"), "demo-careplan")
        as_nurse = system_request(users.get(username="demo-nurse"), "demo-careplan")
        version = services.approved_version(patient)
        if version is None:
            return False
        today = timezone.localdate()
        course = services.schedule_course(
            as_counsellor,
            patient,
            "cbt_i",
            version.start + timedelta(days=7),
            note="alongside the taper",
        )
        for session in course.sessions.filter(on__lt=today):
            attended = session.number != 3
            services.record_attendance(
                as_counsellor,
                course,
                session.number,
                attended,
                "" if attended else "unwell, rebooked",
            )
        care = services.generate_aftercare(as_nurse, patient)
        for item in care.items.filter(on__lt=today):
            services.update_aftercare_item(as_nurse, item, on=item.on, done=True)
        plan = RelapsePlan(
            goals=("Stay off sleeping tablets", "Sleep 7 hours most nights"),
            triggers=(
                Trigger(
                    "Lying awake worrying",
                    "internal",
                    ("Get up and read until sleepy", "Write worries down"),
                ),
                Trigger("Late shifts", "external", ("Keep the wind-down routine",)),
            ),
            warning_signs=("Thinking 'just one night'", "Skipping the morning walk"),
            contacts=(
                SupportContact("support_person", "Partner (J.)", "07700 900123"),
                SupportContact("crisis_line", "Local crisis line", "0800 000 000", "24 hours"),
            ),
            after_lapse=("Tell J. or the care team the same day", "A lapse is not a relapse"),
            lifestyle=Lifestyle(sleep="Same wake time every day", exercise="Walk 30 minutes"),
        )
        start = version.start
        relapse_plans.save_relapse_plan(
            as_counsellor, patient, plan, reason="first plan", reviewed_on=start
        )
        relapse_plans.save_relapse_plan(
            as_counsellor,
            patient,
            plan,
            reason="reviewed at visit: no changes",
            reviewed_on=min(today, start + timedelta(days=28)),
        )
        services.add_adjunct_note(
            as_prescriber,
            patient,
            "melatonin",
            "considered",
            "for sleep after the taper; discussed, patient prefers CBT-I first",
        )
        return True
