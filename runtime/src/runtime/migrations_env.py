"""The one Alembic environment every service's `migrations/env.py` delegates to.

A service's env.py is two lines: import its models (so the metadata is complete) and call
`run_migrations(SQLModel.metadata)`. Advisory lock: two processes starting at once must not
both apply the same migration.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

MIGRATION_LOCK_KEY = 727_274_001


def _run_sync(connection: Connection, metadata: MetaData) -> None:
    # A transaction-scoped lock, released by the commit that makes the migrations visible: a
    # session lock released before that commit let a second process read the old version
    # and apply the same migration again (it failed on the tables the first had created).
    connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=False,
    )
    # The connection is already in the lock's transaction, so Alembic runs inside it.
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


async def _run_async(metadata: MetaData) -> None:
    config = context.config
    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {})
        or {"sqlalchemy.url": config.get_main_option("sqlalchemy.url")},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync, metadata)
    await engine.dispose()


def run_migrations(metadata: MetaData) -> None:
    if context.is_offline_mode():
        context.configure(
            url=context.config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_async(metadata))


def schema_drift(connection: Connection, metadata: MetaData, own_tables: set[str]) -> list[Any]:
    """What autogenerate would still change for `own_tables` (empty: migrations match models).

    Tests call it per service: the process-global SQLModel metadata may also hold other
    services' tables when several are imported in one process.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    def ours(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
        table = obj if kind == "table" else getattr(obj, "table", None)
        return (name if kind == "table" else getattr(table, "name", None)) in own_tables

    context = MigrationContext.configure(
        connection, opts={"include_object": ours, "compare_type": True}
    )
    return list(compare_metadata(context, metadata))
