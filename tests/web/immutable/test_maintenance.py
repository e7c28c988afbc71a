"""The maintenance bypass is narrow: it lets one transaction DELETE guarded rows (emptying a
database: the test runner's flush, a restore), never UPDATE them; it ends with its block
whether the block succeeds or fails; and no application code can reach it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

import benzodetox
from benzodetox.web import immutable
from tests.web.immutable.conftest import snapshot

pytestmark = pytest.mark.django_db


def _delete(table: str, pk: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}" WHERE id = %s', [pk])


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        return int(cursor.fetchone()[0])


def test_inside_maintenance_a_guarded_row_may_be_deleted(records: Any) -> None:
    """What the flush and a restore need: removing rows."""
    _model, pk = records["audit_auditevent"]
    before = _count("audit_auditevent")
    with immutable.maintenance(connection, "test: emptying"):
        _delete("audit_auditevent", pk)
    assert _count("audit_auditevent") == before - 1


def test_inside_maintenance_a_guarded_row_is_still_never_updated(records: Any) -> None:
    """The bypass is for emptying only: an UPDATE is refused even inside it."""
    model, pk = records["plans_planversion"]
    before = snapshot(model, pk)
    with (
        pytest.raises(IntegrityError),
        immutable.maintenance(connection, "test"),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE plans_planversion SET reason = 'x' WHERE id = %s", [pk])
    assert snapshot(model, pk) == before


def test_the_bypass_ends_with_its_block(records: Any) -> None:
    """After the block — also after one that failed, and after a nested one — a DELETE is
    refused again."""
    _model, pk = records["audit_auditevent"]
    with immutable.maintenance(connection, "outer"):
        with immutable.maintenance(connection, "inner"):
            pass
        _delete("careplans_adjunctnote", records["careplans_adjunctnote"][1])  # still on
    with pytest.raises(RuntimeError), immutable.maintenance(connection, "test"):
        raise RuntimeError("the restore failed half-way")
    with pytest.raises(IntegrityError), transaction.atomic():
        _delete("audit_auditevent", pk)
    assert snapshot(records["audit_auditevent"][0], pk)["id"] == pk


def test_maintenance_needs_a_reason() -> None:
    """An empty reason is refused before anything is switched."""
    with pytest.raises(ValueError, match="reason"), immutable.maintenance(connection, " "):
        pass


def test_no_application_code_can_switch_the_bypass_on() -> None:
    """Only web/immutable.py turns the switch on (a row in its table, its setting) or calls
    maintenance(): no view, service, command or job of the application does (the test flush
    in tests/conftest.py does; a restore that empties tables row by row would be the one other
    caller, named here when it exists)."""
    root = Path(benzodetox.__file__).parent
    pattern = re.compile(
        r"maintenance\(|INSERT\s+INTO\s+\W?benzodetox_maintenance|benzodetox\.maintenance|"
        r"set_config\(",
        re.IGNORECASE,
    )
    users = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if pattern.search(path.read_text("utf-8"))
    )
    assert users == ["web/immutable.py"]
