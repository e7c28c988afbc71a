"""The plan as iCalendar: one event per dose change and per appointment, stable UIDs."""

from datetime import UTC, date, datetime, time

from icalendar import Calendar

from benzodetox.core.careplan.psychosocial import schedule_course
from benzodetox.interop.ical import Appointment, course_appointments, plan_to_ics

from ..core.careplan.example_plans import diazepam_plan

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
VISITS = (
    Appointment(datetime(2025, 3, 14, 10, 0), "Review with Dr Rao", minutes=30,
                location="Clinic room 2"),
    Appointment(date(2025, 3, 28), "Pharmacy collection"),
)


def events(ics: bytes):
    return [c for c in Calendar.from_ical(ics).walk("VEVENT")]


def test_there_is_one_event_per_dose_change_and_per_appointment():
    """Five steps and two appointments give seven events."""
    plan = diazepam_plan()
    found = events(plan_to_ics(plan, appointments=VISITS, now=NOW))
    assert len(found) == len(plan.steps) + len(VISITS)
    starts = sorted(e.decoded("dtstart") for e in found if str(e.get("uid")).startswith("dose-"))
    assert starts == [s.start for s in plan.steps]


def test_each_dose_event_states_the_plans_exact_doses():
    """The second step's event says 7.5 mg a day and ½ × Diazepam 5 mg tablets at 08:00."""
    found = {e.decoded("dtstart"): e for e in events(plan_to_ics(diazepam_plan(), now=NOW))}
    event = found[date(2025, 3, 17)]
    assert str(event.get("summary")) == "New dose from today: 7.5 mg diazepam a day"
    description = str(event.get("description"))
    assert "08:00 diazepam 2.5 mg: ½ × Diazepam 5 mg tablets" in description
    assert "Equivalence table: ashton" in description
    liquid = str(found[date(2025, 4, 14)].get("description"))
    assert "6.25 mL of Diazepam 2 mg/5 mL oral solution" in liquid
    assert str(found[date(2025, 4, 28)].get("summary")) == "No more doses from today"


def test_uids_are_stable_across_two_exports_and_unique_within_one():
    """Exporting twice (even at different times) gives the same UIDs; no UID repeats."""
    first = [str(e.get("uid")) for e in events(plan_to_ics(diazepam_plan(), appointments=VISITS,
                                                           now=NOW))]
    later = datetime(2025, 4, 1, tzinfo=UTC)
    second = [str(e.get("uid")) for e in events(plan_to_ics(diazepam_plan(), appointments=VISITS,
                                                            now=later))]
    assert first == second
    assert len(set(first)) == len(first)
    assert all(uid.endswith("@benzodetox") for uid in first)


def test_a_different_plan_identity_gives_different_uids():
    """The caller's plan id is part of the UID, so two patients' plans never collide."""
    a = {str(e.get("uid")) for e in events(plan_to_ics(diazepam_plan(), plan_id="1", now=NOW))}
    b = {str(e.get("uid")) for e in events(plan_to_ics(diazepam_plan(), plan_id="2", now=NOW))}
    assert not a & b


def test_every_event_has_a_dtstamp_from_now():
    """DTSTAMP is always present and is the given time in UTC."""
    for event in events(plan_to_ics(diazepam_plan(), appointments=VISITS, now=NOW)):
        assert event.decoded("dtstamp") == NOW


def test_timed_appointments_keep_their_time_and_length():
    """A 30-minute visit at 10:00 ends at 10:30 and keeps its location."""
    found = [e for e in events(plan_to_ics(diazepam_plan(), appointments=VISITS, now=NOW))
             if str(e.get("summary")) == "Review with Dr Rao"]
    (visit,) = found
    assert visit.decoded("dtstart").time() == time(10, 0)
    assert visit.decoded("dtend").time() == time(10, 30)
    assert str(visit.get("location")) == "Clinic room 2"


def test_course_sessions_become_appointments():
    """A CBT-I course adds one event per session."""
    course = schedule_course("cbt_i", date(2025, 3, 4))
    ics = plan_to_ics(diazepam_plan(), appointments=course_appointments(course), now=NOW)
    titles = [str(e.get("summary")) for e in events(ics)]
    assert titles.count("CBT for insomnia (CBT-I): session 1 of 8") == 1
    assert sum(t.startswith("CBT for insomnia") for t in titles) == 8


def test_a_planned_taper_exports_one_event_per_step_with_stable_uids():
    """A real plan (alprazolam switched to diazepam) gives one dose event per step, twice alike."""
    from decimal import Decimal

    from benzodetox.core.plan import PlanRequest
    from benzodetox.core.regimen import Dose, Regimen
    from benzodetox.core.tapering import build_plan

    regimen = Regimen((Dose(time(8), "alprazolam", Decimal("0.5")),
                       Dose(time(22), "alprazolam", Decimal("1"))))
    plan = build_plan(PlanRequest(regimen=regimen, source="ashton-2002", start=date(2025, 3, 3),
                                  switch_to="diazepam", market="uk"))
    first = events(plan_to_ics(plan, now=NOW))
    second = events(plan_to_ics(plan, now=datetime(2026, 1, 1, tzinfo=UTC)))
    assert len(first) == len(plan.steps)
    assert [str(e.get("uid")) for e in first] == [str(e.get("uid")) for e in second]
    assert str(first[0].get("summary")).startswith("Starting dose: ")


def _planned(doses, **request):
    """A plan the planner builds from ``doses`` ((time, drug, mg) triples), starting 2025-03-03."""
    from decimal import Decimal

    from benzodetox.core.plan import PlanRequest
    from benzodetox.core.regimen import Dose, Regimen
    from benzodetox.core.tapering import build_plan

    regimen = Regimen(tuple(Dose(at, drug, Decimal(mg)) for at, drug, mg in doses))
    return build_plan(PlanRequest(regimen=regimen, source="ashton-2002", start=date(2025, 3, 3),
                                  **request))


def test_a_dose_from_the_patients_supply_says_so_in_its_event():
    """Nitrazepam (no US product) switched to diazepam: the first event's 08:00 nitrazepam dose
    reads 'from your current supply', never an empty list of tablets."""
    from benzodetox.interop.ical import SUPPLY_WORDS

    plan = _planned([(time(8), "nitrazepam", "5"), (time(22), "nitrazepam", "10")],
                    market="us", switch_to="diazepam")
    supply = [(s, d) for s in plan.steps for d in s.doses if d.from_supply]
    assert supply and all(not d.takes for _, d in supply)
    found = {e.decoded("dtstart"): e for e in events(plan_to_ics(plan, now=NOW))}
    for step, dose in supply:
        description = str(found[step.start].get("description"))
        assert f"{dose.time:%H:%M} nitrazepam 5 mg: {SUPPLY_WORDS}" in description
    assert SUPPLY_WORDS.startswith("from your current supply")


def test_a_steps_warnings_are_in_its_event():
    """Alprazolam 0.5 mg, tablets only: the step the Ashton ending makes carries its warning
    in the calendar too, once, after the notes."""
    plan = _planned([(time(22), "alprazolam", "0.5")], market="us", allow_liquid=False)
    warned = [s for s in plan.steps if s.warnings]
    assert warned
    found = {e.decoded("dtstart"): e for e in events(plan_to_ics(plan, now=NOW))}
    for step in warned:
        description = str(found[step.start].get("description"))
        for warning in step.warnings:
            assert description.count(f"Warning: {warning}") == 1
        assert description.index(step.notes[-1]) < description.index("Warning: ")
