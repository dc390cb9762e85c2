"""Scenario 5, the write path: one command's transaction (state + outbox), and the outbox
relay's sustained publish rate as a ratio of raw aiokafka produce."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from contracts.events import PartyRegistered, PartyState
from runtime.db import create_engine, session_maker
from runtime.outbox import OutboxMessage, OutboxRelay, stage
from runtime.settings import ServiceSettings
from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from bench.common import Latencies, size


def party_event(n: int) -> PartyRegistered:
    return PartyRegistered(
        occurred_at=datetime.now(UTC),
        party=PartyState(id=uuid.uuid4(), name=f"Bench creator {n}", kind="PERSON", country="TH"),
    )


async def relay_rate(database_url: str, prefix: str) -> dict[str, Any]:
    """Stages N events, then times the relay draining them (publish + mark sent)."""
    count = size("relay_events", 50_000)
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all, tables=[OutboxMessage.__table__])
        await conn.execute(text("TRUNCATE outbox"))
    sessions = session_maker(engine)
    for start in range(0, count, 1000):
        async with sessions() as session, session.begin():
            await stage(session, [party_event(n) for n in range(start, min(count, start + 1000))])
    import os

    os.environ["RIGHTS_TOPIC_PREFIX"] = prefix
    settings = ServiceSettings(service_name="bench-relay", database_url=database_url,
                               outbox_batch_size=1000)
    relay = OutboxRelay(engine=engine, settings=settings)
    started = time.perf_counter()
    await relay.start()
    try:
        while True:
            async with engine.connect() as conn:
                left = await conn.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))  # type: ignore[union-attr]
                )
            if not left:
                break
            await relay_wait(relay)
        elapsed = time.perf_counter() - started
    finally:
        await relay.stop()
        await engine.dispose()
    return {"events": count, "relay_per_s": round(count / elapsed),
            "setup": "outbox rows staged in 1,000-row transactions, then one relay drains them "
                     "in batches of 1,000 (publish all, await acks=all, mark sent)"}


async def relay_wait(relay: OutboxRelay) -> None:
    import asyncio

    await asyncio.sleep(0.05)  # sampling the backlog, not synchronising: the loop re-checks


async def command_latency(
    command: Callable[[int], Awaitable[Any]], *, count: int, warmup: int = 50
) -> dict[str, float]:
    hist = Latencies()
    for n in range(warmup + count):
        started = time.perf_counter()
        await command(n)
        if n >= warmup:
            hist.record_seconds(time.perf_counter() - started)
    return hist.summary_ms()
