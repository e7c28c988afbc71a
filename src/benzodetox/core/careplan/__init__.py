"""The care plan around a taper: adjunct medications and safety prompts, psychosocial courses,
aftercare after the last dose, and the relapse-prevention plan. Pure values in, new values out."""

from .adjuncts import Adjunct, adjunct, all_adjuncts, cautions_for, flumazenil, safety_prompts
from .aftercare import AftercareItem, AftercarePlan, AftercarePolicy, aftercare_plan, default_policy
from .psychosocial import Course, Session, record_attendance, schedule_course
from .relapse import Lifestyle, RelapsePlan, SupportContact, Trigger, revise

__all__ = [
    "Adjunct",
    "AftercareItem",
    "AftercarePlan",
    "AftercarePolicy",
    "Course",
    "Lifestyle",
    "RelapsePlan",
    "Session",
    "SupportContact",
    "Trigger",
    "adjunct",
    "aftercare_plan",
    "all_adjuncts",
    "cautions_for",
    "default_policy",
    "flumazenil",
    "record_attendance",
    "revise",
    "safety_prompts",
    "schedule_course",
]
