"""The migration creates exactly the tables the models describe (no drift between them)."""

from __future__ import annotations

from typing import Any

from licensing import models  # noqa: F401 - registers the tables
from runtime.migrations_env import schema_drift
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from .conftest import Service

OWN_TABLES = {
    "register_party", "register_work", "register_holder", "register_shares", "licence",
    "licence_event", "usage_report", "royalty_statement", "outbox", "processed_event",
    "statement_hold", "statement_payment", "exchange_rate",
    "licence_version", "licence_history",
    "licence_owner_consent", "mandate",
}


def _diff(connection: Connection) -> list[Any]:
    return schema_drift(connection, SQLModel.metadata, OWN_TABLES)


async def test_migrated_schema_matches_the_models(service: Service) -> None:
    async with service.runtime.engine.connect() as connection:
        diff = await connection.run_sync(_diff)
    # The migration's check constraints and the triggers are invisible to autogenerate.
    assert diff == []
