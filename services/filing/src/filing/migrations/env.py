"""Alembic environment of the filing service: its tables (and the outbox) via the shared env."""

from runtime.migrations_env import run_migrations
from sqlmodel import SQLModel

import filing.models  # noqa: F401 - registers the tables on SQLModel.metadata

run_migrations(SQLModel.metadata)
