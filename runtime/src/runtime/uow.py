"""The unit of work: one transaction, and the only way an event reaches the outbox.

Every command reads the same way, in one `async with`:

    async with services.uow() as uow:
        work = await repository.load_work(uow.session, work_id)   # load
        changed, change = works.transfer_share(work, ...)         # decide (pure domain)
        await repository.save_work(uow.session, changed)          # save
        uow.emit(events.work_event(changed, change))              # emit

`emit` only collects. At commit the service's `side_rows` hook writes the rows an event
implies (a work's history line, a licence's timeline entry), then every collected event goes
to the outbox in one bulk insert that also wakes the relay (one NOTIFY however many events),
and the transaction commits. Leaving the block by an exception rolls everything back: the
state change and its events commit or vanish together.

A consumer's handler receives the unit of work its consumer opened, so an event applied and
the events it causes share one transaction with the consumer's processed-id claim.

A block entered on a unit of work that is already open joins its transaction: leaving it
commits nothing, and its exception still reaches the outer block, which rolls back. That is
how a keyed command (`runtime.idempotency`) runs a service function, which opens its own
block, inside the transaction that claimed the key.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self

from contracts.events import EventData
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from runtime.db import SessionMaker
from runtime.outbox import NOTIFY_CHANNEL, PendingOutbox, outbox_rows

SideRows = Callable[[AsyncSession, Sequence[EventData]], Awaitable[None]]

# The outbox rows of any number of events as one data-modifying CTE over parallel arrays, in
# emit order: on its own at commit, or inside a command's own statement (`outbox_part`).
_OUTBOX_CTE = """outbox_rows AS (
    INSERT INTO outbox (event_id, topic, key, value, headers, traceparent, created_at)
    SELECT x.event_id, x.topic, x.key, x.value, CAST(x.headers AS jsonb), x.traceparent,
           x.created_at
    FROM unnest(
        CAST(:ob_event_ids AS uuid[]), CAST(:ob_topics AS text[]), CAST(:ob_keys AS bytea[]),
        CAST(:ob_values AS bytea[]), CAST(:ob_headers AS text[]),
        CAST(:ob_traceparents AS text[]), CAST(:ob_created_at AS timestamptz[])
    ) WITH ORDINALITY AS x (event_id, topic, key, value, headers, traceparent, created_at, ord)
    ORDER BY x.ord
)"""
# Wakes the relay at commit (Postgres folds repeats within one transaction into one).
_NOTIFY = "pg_notify(CAST(:ob_channel AS text), '')"
_INSERT_OUTBOX_SQL = text(f"WITH {_OUTBOX_CTE} SELECT {_NOTIFY}")


@dataclass(frozen=True)
class OutboxPart:
    """Pending events as parts of a caller's statement: `cte` joins its WITH list, `notify`
    its final SELECT, `params` its parameters (all prefixed `ob_`)."""

    cte: str
    notify: str
    params: dict[str, object]


def _outbox_params(rows: Sequence[PendingOutbox]) -> dict[str, object]:
    return {
        "ob_event_ids": [r.event_id for r in rows],
        "ob_topics": [r.topic for r in rows],
        "ob_keys": [r.key for r in rows],
        "ob_values": [r.value for r in rows],
        "ob_headers": [json.dumps(r.headers) for r in rows],
        "ob_traceparents": [r.traceparent for r in rows],
        "ob_created_at": [r.created_at for r in rows],
        "ob_channel": NOTIFY_CHANNEL,
    }


async def insert_outbox(session: AsyncSession, rows: Sequence[PendingOutbox]) -> None:
    """Writes `rows` in the caller's transaction, in order, and wakes the relay at commit."""
    if rows:
        await session.execute(_INSERT_OUTBOX_SQL, _outbox_params(rows))


class UnitOfWork:
    """One transaction over the service's database; see the module docstring."""

    def __init__(self, sessions: SessionMaker, *, side_rows: SideRows | None = None) -> None:
        self._sessions = sessions
        self._side_rows = side_rows
        self._session: AsyncSession | None = None
        self._stack: AsyncExitStack | None = None
        self._pending: list[tuple[EventData, PendingOutbox]] = []
        self._joined = 0  # blocks open inside the outermost one
        self.event_ids: list[uuid.UUID] = []  # of the events written so far, in emit order

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `async with` block")
        return self._session

    def emit(self, *events: EventData, time: datetime | None = None) -> None:
        """Collects `events` for the outbox; they are written at commit, in this order.

        `time` (the CloudEvents `ce_time`) defaults to each event's `occurred_at`. Each event
        is encoded now, so it carries the trace context of the span that emitted it (a
        consumer's per-event span ends before its unit of work commits).
        """
        rows = outbox_rows(events, time=time)
        self._pending.extend(zip(events, rows, strict=True))

    def outbox_part(self) -> OutboxPart:
        """Hands the events emitted so far to the caller's own statement, which then writes
        them (one round trip fewer, for a command holding hot locks: filing's numbers).

        They are no longer pending: commit will not write them again. A service with a
        `side_rows` hook must not use this (its rows would not be written).
        """
        if self._side_rows is not None:
            raise RuntimeError("a unit of work with side rows writes its events at commit")
        pending, self._pending = self._pending, []
        rows = [row for _, row in pending]
        self.event_ids.extend(row.event_id for row in rows)
        return OutboxPart(cte=_OUTBOX_CTE, notify=_NOTIFY, params=_outbox_params(rows))

    async def flush(self) -> list[uuid.UUID]:
        """Writes the collected events (side rows first) now, inside the transaction.

        Commit calls this; a command calls it itself only when it must know the event ids
        before the block ends. Returns the ids written by this call.
        """
        pending, self._pending = self._pending, []
        if not pending:
            return []
        events = [event for event, _ in pending]
        rows = [row for _, row in pending]
        if self._side_rows is not None:
            await self._side_rows(self.session, events)
        await insert_outbox(self.session, rows)
        ids = [row.event_id for row in rows]
        self.event_ids.extend(ids)
        return ids

    async def __aenter__(self) -> Self:
        if self._stack is not None:
            self._joined += 1
            return self
        self._stack = AsyncExitStack()
        self._session = await self._stack.enter_async_context(self._sessions())
        await self._stack.enter_async_context(self._session.begin())
        self._pending = []
        self.event_ids = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._stack is not None
        if self._joined:
            self._joined -= 1
            return None
        stack, self._stack = self._stack, None
        try:
            if exc_type is None:
                try:
                    await self.flush()
                except BaseException as flush_error:
                    await stack.__aexit__(type(flush_error), flush_error, flush_error.__traceback__)
                    raise
            return await stack.__aexit__(exc_type, exc, tb)
        finally:
            self._session = None
            self._pending = []


UnitOfWorkFactory = Callable[[], UnitOfWork]


def unit_of_work_factory(
    sessions: SessionMaker, *, side_rows: SideRows | None = None
) -> UnitOfWorkFactory:
    """What a service's commands call for each transaction: `async with uow() as u:`."""
    return lambda: UnitOfWork(sessions, side_rows=side_rows)
