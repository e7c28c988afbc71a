"""Psychosocial courses are dated weekly sessions whose attendance can be recorded."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.careplan.psychosocial import (
    course_type,
    course_types,
    record_attendance,
    reschedule_session,
    schedule_course,
)
from benzodetox.core.errors import InputError

START = date(2025, 3, 3)


def test_a_cbt_i_course_is_eight_weekly_sessions_by_default():
    """Baillargeon 2003 and Soeffing 2008: 8 weekly CBT sessions."""
    course = schedule_course("cbt_i", START)
    assert len(course.sessions) == 8
    assert [s.on for s in course.sessions] == [START + timedelta(weeks=n) for n in range(8)]
    assert "baillargeon-2003" in course.sources
    assert all(s.attended is None for s in course.sessions)


def test_a_cbt_course_is_ten_weekly_sessions_by_default():
    """Otto 1993: 10 weeks of CBT alongside a slow taper."""
    course = schedule_course("cbt", START)
    assert len(course.sessions) == 10
    assert course.end == START + timedelta(weeks=9)


def test_cbt_i_keeps_every_trials_session_count():
    """Sources disagree within 8-10 sessions; the course type keeps each one."""
    spec = course_type("cbt_i")
    assert spec.session_range == (8, 10)
    assert {c.source for c in spec.session_counts} == {
        "baillargeon-2003", "soeffing-2008", "morin-2004",
    }


@given(
    st.integers(min_value=8, max_value=10),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2200, 12, 31)),
)
def test_a_cbt_i_course_has_one_session_a_week(sessions, start):
    """Any 8-10 session CBT-I course has exactly one session in each of its weeks."""
    course = schedule_course("cbt_i", start, sessions=sessions)
    weeks = [(s.on - start).days // 7 for s in course.sessions]
    assert weeks == list(range(sessions))


@given(st.integers(min_value=8, max_value=10), st.dates(min_value=date(9999, 11, 1)))
def test_a_course_that_would_end_past_the_calendar_is_refused_naming_the_start(sessions, start):
    """A course whose last session would fall after 9999-12-31 is an input error on ``start``,
    never an overflow; one whose sessions all fit is scheduled."""
    last = start.toordinal() + (sessions - 1) * 7
    if last <= date.max.toordinal():
        assert schedule_course("cbt_i", start, sessions=sessions).end == date.fromordinal(last)
    else:
        with pytest.raises(InputError) as refused:
            schedule_course("cbt_i", start, sessions=sessions)
        assert refused.value.field == "start"


def test_courses_without_a_sourced_count_need_one_from_the_programme():
    """Counselling has no session count in the reference, so the programme must give one."""
    with pytest.raises(InputError):
        schedule_course("counselling", START)
    course = schedule_course("family", START, sessions=3, every_days=14)
    assert [s.on for s in course.sessions] == [START, START + timedelta(14), START + timedelta(28)]
    assert course.recommendation.startswith("Rec 4")


def test_every_course_type_of_the_issue_is_offered():
    """CBT, CBT-I, counselling, support groups and family sessions are all course types."""
    assert {"cbt", "cbt_i", "counselling", "support_group", "family"} <= {
        c.id for c in course_types()
    }


def test_recording_attendance_returns_a_new_course():
    """Attendance is a new value; the original course is unchanged."""
    course = schedule_course("cbt_i", START)
    after = record_attendance(course, 1, True)
    after = record_attendance(after, 2, False, note="unwell")
    assert (after.attended, after.missed) == (1, 1)
    assert after.sessions[1].note == "unwell"
    assert course.attended == 0


def test_rescheduling_keeps_sessions_in_date_order():
    """A session moved later is placed after the ones it now follows."""
    course = reschedule_session(schedule_course("cbt_i", START), 1, START + timedelta(days=10))
    assert [s.number for s in course.sessions][:3] == [2, 1, 3]


def test_an_unknown_session_number_is_an_input_error():
    """Session numbers outside the course are refused."""
    with pytest.raises(InputError):
        record_attendance(schedule_course("cbt", START), 11, True)
