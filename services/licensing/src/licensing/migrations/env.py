"""Alembic environment of the licensing database: the shared runtime env, this metadata."""

from licensing import models  # noqa: F401 - registers the tables on the metadata
from runtime.migrations_env import run_migrations
from sqlmodel import SQLModel

from runtime import consumer, outbox  # noqa: F401 - their tables belong to this database

run_migrations(SQLModel.metadata)
