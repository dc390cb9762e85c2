"""Migration 0004 creates the dispute-openings table exactly as the model describes it."""

from __future__ import annotations

from typing import Any

from filing import models  # noqa: F401 - registers the tables
from runtime.migrations_env import schema_drift
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel


def _diff(connection: Connection) -> list[Any]:
    return schema_drift(connection, SQLModel.metadata, {"dispute_opening"})


def _columns(connection: Connection) -> list[str]:
    return [column["name"] for column in inspect(connection).get_columns("dispute_opening")]


async def test_the_dispute_openings_table_matches_its_model(filing: Any) -> None:
    async with filing.sessions() as session:
        connection = await session.connection()
        diff = await connection.run_sync(_diff)
        columns = await connection.run_sync(_columns)
    assert diff == []
    assert columns == ["id", "party_id", "work_id", "opened_at"]
