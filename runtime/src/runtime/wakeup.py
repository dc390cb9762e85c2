"""A background loop woken by Postgres NOTIFY, with polling as the fallback.

The outbox relay and the notifications delivery worker both work this way: do one round of
work, and if it did not drain a backlog, wait for a NOTIFY on the channel (sent at commit by
whoever wrote new rows) or for the poll interval, whichever comes first. LISTEN needs its own
asyncpg connection outside the pool; when it drops, the loop re-listens after a failed round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from runtime.db import connect_args

log = logging.getLogger(__name__)


class NotifiedLoop:
    """Runs `round()` until stopped; subclasses say what a round is and how long to idle."""

    def __init__(self, *, engine: AsyncEngine, channel: str, name: str, poll_seconds: float):
        self.engine = engine
        self.channel = channel
        self.name = name
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: Any = None
        self._stopping = False
        self.last_error: str | None = None

    async def round(self) -> bool:
        """One round of work; True when a backlog is left and the next round should start now."""
        raise NotImplementedError

    async def idle_seconds(self) -> float:
        """How long to wait for a NOTIFY before polling again."""
        return self.poll_seconds

    async def start(self) -> None:
        self._stopping = False
        await self._listen()
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _listen(self) -> None:
        dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            self._listener = await asyncpg.connect(dsn, **connect_args(dsn))
            await self._listener.add_listener(self.channel, lambda *_: self._wake.set())
        except Exception as exc:
            log.warning("%s: LISTEN unavailable, polling only: %s", self.name, type(exc).__name__)
            self._listener = None

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                if await self.round():
                    self.last_error = None
                    continue  # a backlog: keep going without waiting
                self.last_error = None
                wait = await self.idle_seconds()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("%s failed; retrying", self.name)
                await asyncio.sleep(self.poll_seconds)  # the database or broker is down
                if self._listener is None or self._listener.is_closed():
                    await self._listen()
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
