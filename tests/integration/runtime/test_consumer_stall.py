"""A consumer whose fetching stops (aiokafka issues #1154, #847) while records wait is closed
and replaced by a new member of its group, which applies them: against the real broker.

The stall is made real by pausing every assigned partition of the live aiokafka consumer:
nothing but a new consumer would fetch them again."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from contracts.envelope import DecodedEvent, encode
from contracts.events import PartyRegistered, PartyState
from contracts.topics import FILING_PARTIES, dlq
from devstack.kafka_access import admin_login
from devstack.polling import eventually
from runtime.consumer import IdempotentConsumer, ProcessedEvent
from runtime.db import create_engine, session_maker
from runtime.kafka import ensure_topics, event_broker, reliable_producer
from runtime.kafka_security import ADMIN, broker_security
from runtime.settings import PlatformSettings, ServiceSettings
from runtime.uow import UnitOfWork
from sqlalchemy import text

from .private_postgres import PrivatePostgres

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]


def party(name: str) -> PartyRegistered:
    return PartyRegistered(
        occurred_at=datetime.now(UTC),
        party=PartyState(id=uuid.uuid4(), name=name, kind="PERSON", country="TH"),
    )


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
    async with engine.begin() as conn:
        await conn.run_sync(ProcessedEvent.metadata.create_all, tables=[ProcessedEvent.__table__])
        await conn.execute(text("CREATE TABLE seen (event_id uuid NOT NULL)"))

    async def handler(uow: UnitOfWork, events: Sequence[DecodedEvent]) -> None:
        session = uow.session
        for event in events:
            await session.execute(text("INSERT INTO seen VALUES (:i)"), {"i": event.id})

    group = "stall"
    consumer = IdempotentConsumer(
        group_id=group,
        topics=[FILING_PARTIES],
        handler=handler,
        sessions=session_maker(engine),
        settings=service,
    )
    topic = service.topic(FILING_PARTIES)
    await ensure_topics(
        kafka_bootstrap,
        [(topic, FILING_PARTIES), (service.topic(dlq(group)), dlq(group))],
        security=admin_login(),
    )
    broker = event_broker(kafka_bootstrap, broker_security(PlatformSettings(), ADMIN))
    consumer.attach(broker)
    producer = reliable_producer(kafka_bootstrap, **admin_login())
    await producer.start()

    async def produce(count: int, label: str) -> set[uuid.UUID]:
        ids = set()
        for i in range(count):
            record = encode(party(f"{label} {i}"), event_id=uuid.uuid4())
            await producer.send_and_wait(
                topic, value=record.value, key=record.key, headers=record.headers
            )
            ids.add(uuid.UUID(dict(record.headers)["ce_id"].decode()))
        return ids

    async def seen() -> set[uuid.UUID]:
        async with engine.connect() as conn:
            return {r[0] for r in await conn.execute(text("SELECT event_id FROM seen"))}

    await consumer.start()
    await broker.start()
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
        await broker.stop()
        await consumer.stop()
        await producer.stop()
        await engine.dispose()
    assert report["ok"] and report["assigned_partitions"] > 0, report
