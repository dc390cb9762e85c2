"""A consumer whose fetching stops (aiokafka issues #1154, #847) while records wait is closed
and replaced by a new member of its group, which applies them: against the real broker.

The stall is made real by pausing every assigned partition of the live aiokafka consumer:
nothing but a new consumer would fetch them again."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import pytest
from contracts.envelope import DecodedEvent
from devstack.polling import eventually
from devstack.private_postgres import PrivatePostgres
from runtime.db import create_engine
from runtime.settings import PlatformSettings, ServiceSettings
from runtime.uow import UnitOfWork
from sqlalchemy import text

from .party_stream import create_tables, party, party_stream

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]


async def test_stalled_consumer_rejoins_its_group_and_applies_the_waiting_records(
    private_postgres: PrivatePostgres, kafka_bootstrap: str, topic_prefix: str
) -> None:
    url = private_postgres.url
    service = ServiceSettings(
        kafka_principal="admin",  # the test's own topics and groups
        service_name="stall-test",
        database_url=url,
        consumer_stall_seconds=4.0,
        platform=PlatformSettings(
            rights_topic_prefix=f"{topic_prefix}stall-{uuid.uuid4().hex[:6]}."
        ),
    )
    engine = create_engine(url)
    await create_tables(engine, "CREATE TABLE seen (event_id uuid NOT NULL)")

    async def handler(uow: UnitOfWork, events: Sequence[DecodedEvent]) -> None:
        session = uow.session
        for event in events:
            await session.execute(text("INSERT INTO seen VALUES (:i)"), {"i": event.id})

    stream = await party_stream(
        kafka_bootstrap=kafka_bootstrap, service=service, engine=engine, group="stall",
        handler=handler,
    )
    consumer = stream.consumer

    async def produce(count: int, label: str) -> set[uuid.UUID]:
        return {await stream.send(party(f"{label} {i}")) for i in range(count)}

    async def seen() -> set[uuid.UUID]:
        async with engine.connect() as conn:
            return {r[0] for r in await conn.execute(text("SELECT event_id FROM seen"))}

    await stream.start()
    try:
        first = await produce(10, "before")

        async def applied_first() -> bool:
            return first <= await seen()

        await eventually(applied_first, timeout=120, what="the first events applied")
        stuck = consumer._subscriber.consumer  # the live aiokafka consumer
        stuck.pause(*stuck.assignment())  # its fetching stops, as in the aiokafka issues
        waiting = await produce(10, "while stalled")

        async def applied_waiting() -> bool:
            return waiting <= await seen()

        await eventually(applied_waiting, timeout=120, what="a new consumer applying the rest")
        assert consumer.restarts >= 1
        assert consumer._subscriber.consumer is not stuck
        report = await consumer.health()
    finally:
        await stream.stop()
        await engine.dispose()
    assert report["ok"] and report["assigned_partitions"] > 0, report
