"""One idempotent consumer of party events on a test's own topics, fed by the test's own
producer against the real broker: the set-up the runtime's consumer tests share."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from contracts.envelope import encode
from contracts.events import PartyRegistered, PartyState
from contracts.topics import FILING_PARTIES, dlq
from devstack.kafka_access import admin_login
from runtime.consumer import EventsHandler, IdempotentConsumer, ProcessedEvent
from runtime.db import session_maker
from runtime.kafka import ensure_topics, reliable_producer
from runtime.settings import ServiceSettings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


def party(name: str, party_id: uuid.UUID | None = None) -> PartyRegistered:
    return PartyRegistered(
        occurred_at=datetime.now(UTC),
        party=PartyState(id=party_id or uuid.uuid4(), name=name, kind="PERSON", country="TH"),
    )


async def create_tables(engine: AsyncEngine, applied_table_ddl: str) -> None:
    """The runtime's tracking table and the table the test's handler writes what it applied to."""
    async with engine.begin() as conn:
        await conn.run_sync(ProcessedEvent.metadata.create_all, tables=[ProcessedEvent.__table__])
        await conn.execute(text(applied_table_ddl))


@dataclass
class PartyStream:
    consumer: IdempotentConsumer
    producer: AIOKafkaProducer
    topic: str

    async def send(self, event: PartyRegistered) -> uuid.UUID:
        """Produces one event and returns its `ce_id`."""
        record = encode(event, event_id=uuid.uuid4())
        await self.producer.send_and_wait(
            self.topic, value=record.value, key=record.key, headers=record.headers
        )
        return uuid.UUID(dict(record.headers)["ce_id"].decode())

    async def start(self) -> None:
        await self.consumer.start()

    async def stop(self) -> None:
        await self.consumer.stop()
        await self.producer.stop()


async def party_stream(
    *,
    kafka_bootstrap: str,
    service: ServiceSettings,
    engine: AsyncEngine,
    group: str,
    handler: EventsHandler,
) -> PartyStream:
    """The group's consumer, its topic and DLQ made, the producer started;
    nothing consumes until `start()`."""
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
    producer = reliable_producer(kafka_bootstrap, **admin_login())
    await producer.start()
    return PartyStream(consumer, producer, topic)
