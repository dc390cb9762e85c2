"""Alembic environment of the notifications database: the shared runtime env, our metadata."""

import notifications.models  # noqa: F401  (registers every table on the metadata)
from runtime.migrations_env import run_migrations
from sqlmodel import SQLModel

run_migrations(SQLModel.metadata)
