"""Members joining and leaving a consumer group while events stream in: each event applied
once, each key's events in order (the fetch loop gives a rebalance the batch in flight and
drops what it fetched ahead), against the real broker and database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from contracts.envelope import DecodedEvent
from contracts.events import PartyRegistered
from devstack.polling import eventually
from runtime.consumer import IdempotentConsumer
from runtime.db import create_engine, session_maker
from runtime.settings import PlatformSettings, ServiceSettings
from runtime.uow import UnitOfWork
from sqlalchemy import text

from .party_stream import create_tables, party, party_stream

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

KEYS = 12
PER_KEY = 40


async def test_members_joining_and_leaving_apply_each_event_once_in_key_order(
    create_database: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    url = await create_database(f"rebalance_{uuid.uuid4().hex[:6]}")
    service = ServiceSettings(
        kafka_principal="admin",  # the test's own topics and groups
        service_name="rebalance-test",
        database_url=url,
        consumer_batch_size=7,  # many small batches: rebalances land between and inside them
        platform=PlatformSettings(
            rights_topic_prefix=f"{topic_prefix}rebalance-{uuid.uuid4().hex[:6]}."
        ),
    )
    engine = create_engine(url)
    await create_tables(
        engine,
        "CREATE TABLE seen (n bigserial PRIMARY KEY, party_id uuid NOT NULL, "
        "seq int NOT NULL, event_id uuid NOT NULL)",
    )

    async def handler(uow: UnitOfWork, events: Sequence[DecodedEvent]) -> None:
        for event in events:
            assert isinstance(event.data, PartyRegistered)
            seq = int(event.data.party.name.rsplit(" ", 1)[1])
            await uow.session.execute(
                text("INSERT INTO seen (party_id, seq, event_id) VALUES (:p, :s, :e)"),
                {"p": event.data.party.id, "s": seq, "e": event.id},
            )

    stream = await party_stream(
        kafka_bootstrap=kafka_bootstrap, service=service, engine=engine, group="rebalance",
        handler=handler,
    )
    second = IdempotentConsumer(
        group_id="rebalance", topics=stream.consumer.topics, handler=handler,
        sessions=session_maker(engine), settings=service,
    )  # fmt: skip
    keys = [uuid.uuid4() for _ in range(KEYS)]

    async def produce(seqs: range) -> None:
        for seq in seqs:
            for key in keys:
                await stream.send(party(f"key {seq}", key))

    async def applied() -> int:
        async with engine.connect() as conn:
            return int(await conn.scalar(text("SELECT count(*) FROM seen")) or 0)

    await stream.start()
    second_running = False
    try:
        third = PER_KEY // 3
        await produce(range(third))
        await second.start()  # joins while the first member is busy: a rebalance
        second_running = True
        await produce(range(third, 2 * third))
        second_running = False
        await second.stop()  # leaves with records waiting: another rebalance
        await produce(range(2 * third, PER_KEY))

        async def all_applied() -> bool:
            return await applied() >= KEYS * PER_KEY

        await eventually(all_applied, timeout=120, what="every event applied")
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT party_id, seq FROM seen ORDER BY n"))).all()
    finally:
        if second_running:
            await second.stop()
        await stream.stop()
        await engine.dispose()
    assert len(rows) == KEYS * PER_KEY  # none twice
    for key in keys:
        assert [seq for party_id, seq in rows if party_id == key] == list(range(PER_KEY))
