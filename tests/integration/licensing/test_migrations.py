"""The migration creates exactly the tables the models describe (no drift between them)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from licensing import models  # noqa: F401 - registers the tables
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from .conftest import Service

OWN_TABLES = {
    "register_party", "register_work", "register_holder", "register_shares", "licence",
    "licence_event", "usage_report", "royalty_statement", "outbox", "processed_event",
}


def _diff(connection: Connection) -> list[Any]:
    def ours(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
        table = obj if kind == "table" else getattr(obj, "table", None)
        table_name = name if kind == "table" else getattr(table, "name", None)
        # Other services' models may share the process-global metadata; the alembic table
        # is the migration tool's own.
        return table_name in OWN_TABLES

    context = MigrationContext.configure(
        connection, opts={"include_object": ours, "compare_type": True}
    )
    return list(compare_metadata(context, SQLModel.metadata))


async def test_migrated_schema_matches_the_models(service: Service) -> None:
    async with service.runtime.engine.connect() as connection:
        diff = await connection.run_sync(_diff)
    # The migration's check constraints and the triggers are invisible to autogenerate.
    assert diff == []
