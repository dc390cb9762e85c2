"""A connection asyncpg lost mid-operation in a PostgreSQL restart counts as a disconnect, so
the pool drops it instead of handing it out again; other errors are left as they are."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from runtime.db import broken_connection_is_a_disconnect


class InternalClientError(Exception):
    """Named as asyncpg names it."""


@pytest.mark.parametrize(
    ("error", "disconnect"),
    [
        (InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
         True),
        (RuntimeError("<class 'asyncpg.exceptions._base.InternalClientError'>: cannot switch to "
                      "state 12"), True),
        (ValueError("duplicate key value violates unique constraint"), False),
    ],
)
def test_only_a_connection_broken_mid_operation_is_taken_for_a_disconnect(
    error: Exception, disconnect: bool
) -> None:
    context: Any = SimpleNamespace(original_exception=error, is_disconnect=False)
    broken_connection_is_a_disconnect(context)
    assert context.is_disconnect is disconnect
