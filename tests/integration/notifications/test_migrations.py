"""The committed migrations build exactly the tables the models declare."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from alembic import command
from notifications.app import MIGRATIONS
from runtime.db import alembic_config, upgrade_head


async def test_migrations_create_exactly_the_models_tables(
    create_database: Callable[[str], Awaitable[str]],
) -> None:
    url = await create_database("notifications_migrations")
    await asyncio.to_thread(upgrade_head, MIGRATIONS, url)
    # Raises when autogenerate would find a difference between the database and the models.
    await asyncio.to_thread(command.check, alembic_config(MIGRATIONS, url))
