"""A database outage never turns events into dead letters: a consumer reading the shared Kafka
into a PRIVATE PostgreSQL keeps every event through a stop in the middle of a transaction,
a restart as a standby that refuses connections ("not accepting connections"), and the
promotion that ends the outage: each event applied exactly once, the DLQ empty."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import pytest
from contracts.envelope import DecodedEvent, encode
from contracts.events import PartyRegistered, PartyState
from contracts.topics import FILING_PARTIES, dlq
from devstack.kafka_access import admin_login
from devstack.polling import eventually
from runtime.consumer import IdempotentConsumer, ProcessedEvent
from runtime.db import create_engine, session_maker
from runtime.deadletters import DeadLetters
from runtime.kafka import ensure_topics, event_broker, reliable_producer
from runtime.kafka_security import ADMIN, broker_security
from runtime.settings import PlatformSettings, ServiceSettings
from runtime.uow import UnitOfWork
from sqlalchemy import text

from .private_postgres import PrivatePostgres

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

GATE = "stops the database mid-transaction"


def party(name: str) -> PartyRegistered:
    return PartyRegistered(
        occurred_at=datetime.now(UTC),
        party=PartyState(id=uuid.uuid4(), name=name, kind="PERSON", country="TH"),
    )


@pytest.fixture
async def settings(kafka_bootstrap: str, topic_prefix: str) -> AsyncIterator[PlatformSettings]:
    # Own topics for this test: nobody else's records reach its consumer or its DLQ.
    platform = PlatformSettings(rights_topic_prefix=f"{topic_prefix}outage-{uuid.uuid4().hex[:6]}.")
    yield platform


async def test_database_outage_mid_stream_loses_nothing_and_dead_letters_nothing(
    private_postgres: PrivatePostgres, settings: PlatformSettings, kafka_bootstrap: str
) -> None:
    service = ServiceSettings(
        kafka_principal="admin",  # the test's own topics and groups
        service_name="outage-test",
        database_url=private_postgres.url,
        database_pool_size=2,
        consumer_batch_size=50,
        consumer_retry_base_seconds=0.05,
        consumer_retry_max_seconds=0.5,
        platform=settings,
    )
    engine = create_engine(service.database_url, pool_size=2)
    async with engine.begin() as conn:
        await conn.run_sync(ProcessedEvent.metadata.create_all, tables=[ProcessedEvent.__table__])
        await conn.execute(text("CREATE TABLE applied (event_id uuid NOT NULL, name text)"))
    sessions = session_maker(engine)

    in_transaction, release = asyncio.Event(), asyncio.Event()

    async def handler(uow: UnitOfWork, events: Sequence[DecodedEvent]) -> None:
        session = uow.session
        for event in events:
            assert isinstance(event.data, PartyRegistered)
            await session.execute(
                text("INSERT INTO applied VALUES (:i, :n)"),
                {"i": event.id, "n": event.data.party.name},
            )
            if event.data.party.name == GATE and not release.is_set():
                in_transaction.set()  # the test stops the server while this transaction is open
                await release.wait()
                await session.execute(text("SELECT 1"))

    group = "outage"
    consumer = IdempotentConsumer(
        group_id=group,
        topics=[FILING_PARTIES],
        handler=handler,
        sessions=sessions,
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

    async def produce(events: list[PartyRegistered]) -> list[uuid.UUID]:
        ids = []
        for event in events:
            record = encode(event, event_id=uuid.uuid4())
            await producer.send_and_wait(
                topic, value=record.value, key=record.key, headers=record.headers
            )
            ids.append(uuid.UUID(dict(record.headers)["ce_id"].decode()))
        return ids

    async def applied_count() -> int:
        async with engine.connect() as conn:
            return int(await conn.scalar(text("SELECT count(*) FROM applied")) or 0)

    await consumer.start()
    await broker.start()
    try:
        before = [party(f"before {i}") for i in range(30)]
        before.insert(10, party(GATE))
        ids = await produce(before)
        await asyncio.wait_for(in_transaction.wait(), 60)
        private_postgres.stop("fast")  # kills the open transaction under the handler
        private_postgres.become_standby()
        release.set()

        ids += await produce([party(f"during {i}") for i in range(30)])
        private_postgres.start()  # up, but refusing every connection until promoted

        async def knocked_often() -> bool:
            # Far more refused connections than the DLQ's attempts would allow.
            refusals = private_postgres.server_log().count("not accepting connections")
            return refusals > 3 * service.consumer_max_attempts

        await eventually(
            knocked_often, timeout=60, what="the consumer retrying against the standby"
        )
        report = await consumer.health()
        assert report["ok"] is False and report["infrastructure_error"], report
        private_postgres.promote()

        ids += await produce([party(f"after {i}") for i in range(30)])

        async def all_applied() -> bool:
            return await applied_count() >= len(ids)

        await eventually(all_applied, timeout=120, what="every event applied after the outage")
    finally:
        await broker.stop()
        await consumer.stop()
        await producer.stop()

    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT event_id FROM applied"))).all()
        tracked = await conn.scalar(
            text("SELECT count(*) FROM processed_event WHERE consumer = :c"), {"c": group}
        )
    await engine.dispose()
    applied = [row[0] for row in rows]
    assert sorted(applied) == sorted(ids)  # each event exactly once, none missing
    assert tracked == len(ids)
    assert await DeadLetters(settings).read(dlq(group)) == []  # not one dead letter
    assert consumer.infrastructure_error is None  # readiness recovered with the database
