"""Signals the plans app sends to the rest of the web app.

``plan_approved`` is sent once a plan version has every approval its programme requires (that is,
when its ``PlanApproval`` row is written), with ``version`` (a PlanVersion) and ``user`` (who gave
the last approval). Receivers that move the patient along (phase, monitoring) listen to it instead
of the plans app calling them.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["plan_approved"]

plan_approved = Signal()
