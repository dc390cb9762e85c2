"""The machine's PostgreSQL as the project sets it up: idempotent, one database and role per
service, reachable with SQLModel over asyncpg with the default URLs."""

from __future__ import annotations

import pytest
from runtime.db import create_engine, session_maker
from sqlalchemy import text

from .scripts import run_script


def test_postgres_up_twice_is_harmless() -> None:
    for _ in range(2):
        assert "ready on 127.0.0.1:5432" in run_script("postgres.sh", "up", timeout=120)


@pytest.mark.parametrize("service", ["filing", "licensing", "notifications"])
async def test_each_service_database_is_reachable_with_its_own_role(service: str) -> None:
    engine = create_engine(f"postgresql+asyncpg://{service}:{service}@127.0.0.1:5432/{service}")
    try:
        async with session_maker(engine)() as session:
            row = (await session.execute(text("SELECT current_user, current_database()"))).one()
    finally:
        await engine.dispose()
    assert tuple(row) == (service, service)
