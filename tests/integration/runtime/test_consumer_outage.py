"""A database outage never turns events into dead letters: a consumer reading the shared Kafka
into a PRIVATE PostgreSQL keeps every event through a stop in the middle of a transaction,
a restart as a standby that refuses connections ("not accepting connections"), and the
promotion that ends the outage: each event applied exactly once, the DLQ empty."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence

import pytest
from contracts.envelope import DecodedEvent
from contracts.events import PartyRegistered
from contracts.topics import dlq
from devstack.polling import eventually
from devstack.private_postgres import PrivatePostgres
from runtime.db import create_engine
from runtime.deadletters import DeadLetters
from runtime.settings import PlatformSettings, ServiceSettings
from runtime.uow import UnitOfWork
from sqlalchemy import text

from .party_stream import create_tables, party, party_stream

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

GATE = "stops the database mid-transaction"


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
    await create_tables(engine, "CREATE TABLE applied (event_id uuid NOT NULL, name text)")

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
    stream = await party_stream(
        kafka_bootstrap=kafka_bootstrap, service=service, engine=engine, group=group,
        handler=handler,
    )
    consumer = stream.consumer

    async def produce(events: list[PartyRegistered]) -> list[uuid.UUID]:
        return [await stream.send(event) for event in events]

    async def applied_count() -> int:
        async with engine.connect() as conn:
            return int(await conn.scalar(text("SELECT count(*) FROM applied")) or 0)

    await stream.start()
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
        await stream.stop()

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
