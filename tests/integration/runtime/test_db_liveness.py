"""Database liveness without a ping per command (ARCHITECTURE.md, "Delivery guarantees"): a
pooled connection the server dropped while it sat idle is found out before use, and one in
steady use is never pinged."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from runtime import db

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _backend_pid(engine: Any) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(text("SELECT pg_backend_pid()")))


async def test_an_idle_connection_the_server_dropped_is_replaced_before_use(create_database):
    url = await create_database(f"liveness_{uuid.uuid4().hex[:6]}")
    engine = db.create_engine(url, pool_size=1, idle_ping_seconds=0)
    other = db.create_engine(url, pool_size=1)
    try:
        dropped = await _backend_pid(engine)  # back in the pool, idle
        async with other.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        # Without a ping this statement would fail on the dead connection.
        assert await _backend_pid(engine) != dropped
    finally:
        await engine.dispose()
        await other.dispose()


async def test_a_connection_in_steady_use_is_not_pinged(create_database, monkeypatch):
    url = await create_database(f"liveness_{uuid.uuid4().hex[:6]}")
    engine = db.create_engine(url, pool_size=1, idle_ping_seconds=3600)
    pings = 0
    dialect = engine.sync_engine.dialect
    do_ping = dialect.do_ping

    def counted(connection: Any) -> bool:
        nonlocal pings
        pings += 1
        return bool(do_ping(connection))

    monkeypatch.setattr(dialect, "do_ping", counted)
    try:
        pids = {await _backend_pid(engine) for _ in range(20)}
        assert len(pids) == 1 and pings == 0
    finally:
        await engine.dispose()
