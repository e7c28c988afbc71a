"""Property: on every guarded table, an UPDATE of any one column of any row is refused — even
one that writes back the value already there — and so is a DELETE of any row; the rows are
unchanged afterwards. (Writing a column's own value keeps every drawn input valid for its type,
so a refusal can only be the guard's.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, models, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benzodetox.web.immutable import GUARDED
from tests.web.immutable.conftest import model_of

pytestmark = pytest.mark.django_db


def _columns(table: str) -> list[str]:
    model = model_of(table)
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


WRITES = st.sampled_from([item.table for item in GUARDED]).flatmap(
    lambda table: st.tuples(
        st.just(table), st.sampled_from(["DELETE", *(f"SET {c}" for c in _columns(table))])
    )
)


def _rows(model: type[models.Model]) -> list[dict[str, Any]]:
    return list(model._base_manager.order_by("pk").values())


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(write=WRITES, row=st.integers(min_value=0, max_value=10))
def test_no_column_of_any_guarded_row_can_be_written_and_no_row_removed(
    records: dict[str, tuple[type[models.Model], Any]], write: tuple[str, str], row: int
) -> None:
    """Drawn: a table, a column (or DELETE), one of its rows."""
    table, operation = write
    model = records[table][0]
    before = _rows(model)
    pk = before[row % len(before)]["id"]
    if operation == "DELETE":
        sql = f'DELETE FROM "{table}" WHERE "id" = %s'
    else:
        column = operation.removeprefix("SET ")
        sql = f'UPDATE "{table}" SET "{column}" = "{column}" WHERE "id" = %s'
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [pk])
    assert _rows(model) == before
