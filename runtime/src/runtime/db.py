"""The async database engine, sessions, and migrations applied on start-up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DisconnectionError
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


# A pooled connection idle this long is pinged before use; one this old is replaced.
IDLE_PING_SECONDS = 2.0
RECYCLE_SECONDS = 1800


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    echo: bool = False,
    search_path: str | None = None,
    idle_ping_seconds: float = IDLE_PING_SECONDS,
    recycle_seconds: float = RECYCLE_SECONDS,
) -> AsyncEngine:
    """An asyncpg engine; built by each service's wiring, never at import time.

    `search_path` points unqualified table names at another schema first (a read model
    rebuilt beside the live one, with the live writer's own SQL).

    Liveness (ARCHITECTURE.md, "Delivery guarantees"): no ping at every checkout (a round
    trip per command); a connection idle for more than `idle_ping_seconds` is pinged first,
    one older than `recycle_seconds` is replaced, and an error showing the server gone
    invalidates every connection of the pool as old as it."""
    args = connect_args(url)
    if search_path is not None:
        args["server_settings"] = {"search_path": search_path}
    engine = create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=int(recycle_seconds),
        echo=echo, connect_args=args,
    )
    event.listen(engine.sync_engine, "handle_error", broken_connection_is_a_disconnect)
    _ping_when_idle(engine, idle_ping_seconds)
    return engine


def _ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since <= idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool drops this connection and checks out another (a fresh one if need be).
            raise DisconnectionError(f"an idle pooled connection failed its ping: {exc}") from exc

    event.listen(pool, "checkin", checked_in)
    event.listen(pool, "checkout", checked_out)


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
