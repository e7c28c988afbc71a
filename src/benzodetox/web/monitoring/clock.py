"""The programme's wall clock: the core works in naive local datetimes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

__all__ = ["local_naive"]


def local_naive(moment: datetime, zone: Any = None) -> datetime:
    """The programme's wall-clock time without a zone (the core's datetimes are naive)."""
    return moment.astimezone(zone or timezone.get_current_timezone()).replace(tzinfo=None)
