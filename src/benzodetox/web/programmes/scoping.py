"""The one scoping mechanism for patient data.

Every model holding patient data uses :class:`ScopedManager` as its default manager. Its
querysets are filtered to the programmes of the *active scope*; with no active scope, any query
raises :class:`ScopeError` instead of returning every programme's rows. So a view or service that
forgets to scope does not leak: it fails.

The request middleware (``ScopeMiddleware``) activates the signed-in user's programmes for the
whole request; management commands, the demo seed and benchmarks say explicitly that they work
across programmes with :func:`unscoped`.

For example, ``with scope_programmes({1}): Patient.objects.all()`` gives programme 1's
patients only, and ``Patient.objects.all()`` outside any scope raises ``ScopeError``
(tests/web/test_scoping.py shows both).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models

__all__ = [
    "Scope",
    "ScopeError",
    "ScopedManager",
    "active_scope",
    "scope_for_user",
    "scope_programmes",
    "unscoped",
]


class ScopeError(RuntimeError):
    """Patient data was queried with no programme scope active."""


@dataclass(frozen=True)
class Scope:
    programme_ids: frozenset[int]
    everything: bool = False


_active: ContextVar[Scope | None] = ContextVar("benzodetox_scope", default=None)


def active_scope() -> Scope | None:
    return _active.get()


@contextmanager
def _activate(new: Scope) -> Iterator[Scope]:
    token = _active.set(new)
    try:
        yield new
    finally:
        _active.reset(token)


def scope_programmes(programme_ids: Iterable[int]) -> Any:
    """Limit patient-data queries to these programmes for the duration of the block."""
    return _activate(Scope(frozenset(programme_ids)))


def scope_for_user(user: Any) -> Any:
    """The programmes ``user`` is a member of (none for an anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return scope_programmes(())
    ids = user.memberships.values_list("programme_id", flat=True)
    return scope_programmes(ids)


def unscoped() -> Any:
    """Work across all programmes: for management commands, seeding and benchmarks only."""
    return _activate(Scope(frozenset(), everything=True))


class ScopedManager(models.Manager):  # type: ignore[type-arg]
    """Default manager of every patient-data model.

    The model names the path from itself to its ``Programme`` in ``SCOPE_FIELD``
    (``"programme"`` on a patient, ``"patient__programme"`` on an intake). Related managers
    (``patient.intakes``) derive from this class, so they are scoped too.
    """

    def get_queryset(self) -> models.QuerySet[Any]:
        current = _active.get()
        if current is None:
            raise ScopeError(
                f"{self.model.__name__} queried with no programme scope active; fetch patient "
                "data inside a request (ScopeMiddleware) or scope_programmes()/unscoped()"
            )
        queryset = super().get_queryset()
        if current.everything:
            return queryset
        field = self.model.SCOPE_FIELD
        return queryset.filter(**{f"{field}__in": current.programme_ids})
