"""A service started before its PostgreSQL is up waits for it instead of dying
(runtime.startup): filing's runtime is started against a server that is not running yet,
says it is waiting, and, once the server starts, migrates and runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from devstack.private_postgres import PrivatePostgres
from filing.app import build
from filing.settings import FilingSettings
from runtime.settings import PlatformSettings
from sqlalchemy import text

pytestmark = [pytest.mark.asyncio(loop_scope="session")]


@pytest.fixture
def stopped_postgres() -> Iterator[PrivatePostgres]:
    """A cluster of the test's own, initialised on a free port but not started."""
    server = PrivatePostgres()
    try:
        server.init()
        yield server
    finally:
        server.destroy()


class Waiting(logging.Handler):
    """Sets an event when runtime.startup says it waits for `dependency`."""

    def __init__(self, dependency: str, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(logging.WARNING)
        self.dependency, self.loop, self.seen = dependency, loop, asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "dependency", None) == self.dependency:
            self.loop.call_soon_threadsafe(self.seen.set)


async def test_a_service_started_before_its_database_waits_and_then_runs(
    stopped_postgres: PrivatePostgres, platform_settings: PlatformSettings
) -> None:
    settings = FilingSettings(
        database_url=stopped_postgres.url,
        platform=platform_settings.model_copy(update={"rights_startup_wait_seconds": 120.0}),
    )
    runtime, _ = build(settings)
    waiting = Waiting("database", asyncio.get_running_loop())
    logger = logging.getLogger("runtime.startup")
    logger.addHandler(waiting)
    starting = asyncio.create_task(runtime.start())
    try:
        await asyncio.wait_for(waiting.seen.wait(), 60)
        assert not starting.done()  # refused, and still waiting: not dead
        await asyncio.to_thread(stopped_postgres.start)
        await asyncio.wait_for(starting, 120)
        assert runtime.started
        async with runtime.engine.connect() as conn:  # migrated by the start that waited
            assert await conn.scalar(text("SELECT count(*) FROM party")) == 0
    finally:
        logger.removeHandler(waiting)
        if not starting.done():
            starting.cancel()
        await runtime.stop()
