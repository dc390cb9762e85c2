"""The committed migrations build exactly the tables the models declare."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from notifications import models  # noqa: F401 - registers the tables
from notifications.app import MIGRATIONS
from runtime.db import create_engine, upgrade_head
from runtime.migrations_env import schema_drift
from sqlmodel import SQLModel

OWN_TABLES = {
    "known_party", "known_work", "known_licence", "contact", "society", "notification",
    "delivery", "delivery_attempt", "outbox", "processed_event",
}


async def test_migrations_create_exactly_the_models_tables(
    create_database: Callable[[str], Awaitable[str]],
) -> None:
    url = await create_database("notifications_migrations")
    await asyncio.to_thread(upgrade_head, MIGRATIONS, url)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            drift = await connection.run_sync(schema_drift, SQLModel.metadata, OWN_TABLES)
    finally:
        await engine.dispose()
    assert drift == []
