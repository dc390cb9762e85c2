"""The async database engine, sessions, and migrations applied on start-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SessionMaker = async_sessionmaker[AsyncSession]


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def connect_args(url: str) -> dict[str, object]:
    """asyncpg's default `sslmode=prefer` negotiates TLS even on loopback, which doubled a
    statement's round trip in the benchmarks; a URL may still ask for TLS explicitly."""
    parsed = make_url(url)
    if parsed.host in LOOPBACK_HOSTS and not {"ssl", "sslmode"} & set(parsed.query):
        return {"ssl": False}
    return {}


def create_engine(
    url: str, *, pool_size: int = 10, echo: bool = False, search_path: str | None = None
) -> AsyncEngine:
    """An asyncpg engine; built by each service's wiring, never at import time.

    `search_path` points unqualified table names at another schema first (a read model
    rebuilt beside the live one, with the live writer's own SQL)."""
    args = connect_args(url)
    if search_path is not None:
        args["server_settings"] = {"search_path": search_path}
    engine = create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, echo=echo,
        connect_args=args,
    )
    event.listen(engine.sync_engine, "handle_error", broken_connection_is_a_disconnect)
    return engine


# asyncpg's own words for a connection a server restart left in the middle of an operation.
_BROKEN = ("cannot switch to state", "InternalClientError")


def broken_connection_is_a_disconnect(context: ExceptionContext) -> None:
    """After a PostgreSQL restart, asyncpg reports a connection it lost mid-operation as an
    InternalClientError ("cannot switch to state 12; another operation is in progress"),
    which SQLAlchemy does not take for a disconnect: the connection went back to the pool and
    failed every request that drew it (hundreds of 500s after each restart in the fault
    suite). Taken for a disconnect, the pool drops it and every connection of its age."""
    error = context.original_exception
    if any(word in f"{type(error).__name__} {error}" for word in _BROKEN):
        context.is_disconnect = True


def session_maker(engine: AsyncEngine) -> SessionMaker:
    # expire_on_commit=False: objects stay readable after commit (lazy loads raise under asyncio).
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessions: SessionMaker) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits on success, rolls back on any error."""
    async with sessions() as session, session.begin():
        yield session


def alembic_config(migrations_dir: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_head(migrations_dir: Path, url: str) -> None:
    """Applies every pending migration (blocking; the env runs its own event loop)."""
    command.upgrade(alembic_config(migrations_dir, url), "head")


async def migrate(migrations_dir: Path, url: str) -> None:
    """Applies pending migrations from async code, in a worker thread with its own loop."""
    await asyncio.to_thread(upgrade_head, migrations_dir, url)
