"""Session-wide test set-up.

The flush bypass: pytest-django empties the database after each transactional test (live
server, ``transactional_db``) with Django's ``flush`` — DELETE on SQLite, TRUNCATE on
PostgreSQL — which the immutable-record triggers refuse. The flush (and nothing else) runs
inside ``benzodetox.web.immutable.maintenance()``, the documented bypass for emptying a
database; it allows DELETE/TRUNCATE only and ends with the flush's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session", autouse=True)
def _flush_may_empty_immutable_tables() -> Iterator[None]:
    from django.db.backends.base.operations import BaseDatabaseOperations

    from benzodetox.web.immutable import maintenance

    original = BaseDatabaseOperations.execute_sql_flush

    def flush(self: BaseDatabaseOperations, sql_list: Any) -> None:
        with maintenance(self.connection, "test database flush"):
            original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = flush  # type: ignore[method-assign]
    yield
    BaseDatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]
