"""Every guarded table refuses UPDATE and DELETE whatever path the write takes — the default
manager's queryset, ``_base_manager`` (no application-level guard at all), raw SQL — on SQLite
and on PostgreSQL (issue 12, item 1). Before the triggers, ``_base_manager`` and raw SQL
rewrote or removed plan versions, approvals, assessments, audit events and history rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, models, transaction

from benzodetox.web.audit.models import AppendOnlyError
from benzodetox.web.immutable import GUARDED
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.writeonce import ImmutableError
from tests.web.immutable.conftest import snapshot, text_field

Attempt = Callable[[type[models.Model], Any], object]


def _queryset_update(model: type[models.Model], pk: Any) -> object:
    return model._default_manager.filter(pk=pk).update(**{text_field(model): "x"})


def _queryset_delete(model: type[models.Model], pk: Any) -> object:
    return model._default_manager.filter(pk=pk).delete()


def _base_update(model: type[models.Model], pk: Any) -> object:
    return model._base_manager.filter(pk=pk).update(**{text_field(model): "x"})


def _base_delete(model: type[models.Model], pk: Any) -> object:
    return model._base_manager.filter(pk=pk).delete()


def _raw_update(model: type[models.Model], pk: Any) -> object:
    column = model._meta.get_field(text_field(model)).column
    table, key = model._meta.db_table, model._meta.pk.column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{column}" = %s WHERE "{key}" = %s', ["x", pk])
    return None


def _raw_delete(model: type[models.Model], pk: Any) -> object:
    table, key = model._meta.db_table, model._meta.pk.column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}" WHERE "{key}" = %s', [pk])
    return None


ATTEMPTS: dict[str, tuple[Attempt, tuple[type[BaseException], ...]]] = {
    # the application's own guard may answer first (a clear Python error) — or the database
    "queryset update": (_queryset_update, (ImmutableError, AppendOnlyError, IntegrityError)),
    "queryset delete": (_queryset_delete, (ImmutableError, AppendOnlyError, IntegrityError)),
    # no application guard on these paths: only the database stands in the way
    "base manager update": (_base_update, (IntegrityError,)),
    "base manager delete": (_base_delete, (IntegrityError,)),
    "raw SQL UPDATE": (_raw_update, (IntegrityError,)),
    "raw SQL DELETE": (_raw_delete, (IntegrityError,)),
}


@pytest.mark.parametrize("way", list(ATTEMPTS))
@pytest.mark.parametrize("table", [item.table for item in GUARDED])
def test_a_guarded_row_is_never_changed_or_removed(
    records: dict[str, tuple[type[models.Model], Any]], table: str, way: str
) -> None:
    """The attempt is refused with an error naming the record as immutable, and the row is
    exactly as it was."""
    model, pk = records[table]
    attempt, refusals = ATTEMPTS[way]
    before = snapshot(model, pk)
    count = model._base_manager.count()
    with unscoped(), pytest.raises(refusals) as refused, transaction.atomic():
        attempt(model, pk)
    if refused.type is IntegrityError:
        assert "immutable" in str(refused.value)
        assert table in str(refused.value)
    assert snapshot(model, pk) == before
    assert model._base_manager.count() == count


def test_a_bulk_update_of_every_row_at_once_is_refused(
    records: dict[str, tuple[type[models.Model], Any]],
) -> None:
    """An UPDATE without a WHERE touches no row of any guarded table (statement-level: the
    first row's refusal undoes the whole statement)."""
    for table, (model, _pk) in records.items():
        rows = list(model._base_manager.order_by("pk").values())
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            column = model._meta.get_field(text_field(model)).column
            cursor.execute(f'UPDATE "{table}" SET "{column}" = %s', ["x"])
        assert list(model._base_manager.order_by("pk").values()) == rows, table


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused_on_postgresql(
    records: dict[str, tuple[type[models.Model], Any]],
) -> None:
    """TRUNCATE, which fires no row trigger, is refused by a statement trigger on each table
    (committed rows: the test's own flush afterwards is the maintenance bypass at work)."""
    for table, (model, _pk) in records.items():
        count = model._base_manager.count()
        with (
            pytest.raises(IntegrityError) as refused,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f'TRUNCATE "{table}" CASCADE')
        assert "immutable" in str(refused.value)
        assert model._base_manager.count() == count, table
