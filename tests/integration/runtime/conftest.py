"""Fixtures of the runtime's integration tests: a private PostgreSQL cluster per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from devstack.private_postgres import PrivatePostgres


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A cluster of the test's own (stopped, failed over, or just out of the shared one's
    connection slots): initdb, started on a free port, removed afterwards."""
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.destroy()
