"""Rebuilding the register read model beside the live one and swapping it in at once.

`python -m licensing rebuild-read-model` may run while the service serves (KAFKA.md,
"Rebuilding a read model without a gap"): it replays the compacted register topics from
offset 0 into fresh tables in schema `register_rebuild`, with the live consumer's own
handler, then, holding the live tables against writers, applies what arrived meanwhile and
moves the fresh tables into their place in one transaction. Readers see the old model until
that commit and the new one after; the old tables are dropped only then. The live consumer's
group, offsets and tracking rows are left alone: the new tables hold every event it applied,
and a snapshot applied again changes nothing. Licences, reports and statements are
licensing's own state and are never touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from contracts.envelope import DecodedEvent, MalformedRecord, decode
from contracts.topics import FILING_PARTIES, FILING_WORKS
from runtime.db import SessionMaker, create_engine, session_maker
from runtime.failures import Fault, classify
from runtime.uow import UnitOfWork
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import SQLModel

from licensing.handlers import apply_register_events
from licensing.models import (
    RegisterHolder,
    RegisterParty,
    RegisterShares,
    RegisterTitle,
    RegisterWork,
)
from licensing.settings import LicensingSettings

log = logging.getLogger(__name__)

REBUILD_SCHEMA = "register_rebuild"
RETIRED_SCHEMA = "register_retired"
# In the live handler's write order (parties, works, titles, holders, shares), so locking
# them for the swap cannot deadlock with a batch it is applying.
READ_MODEL_TABLES = tuple(
    str(model.__tablename__)
    for model in (RegisterParty, RegisterWork, RegisterTitle, RegisterHolder, RegisterShares)
)
# Readers wait behind the swap's lock; past this the rebuild gives up, the live model intact.
SWAP_LOCK_TIMEOUT = "10s"


# Told (records replayed, records to replay) after each batch: the operator CLI's bar.
Progress = Callable[[int, int], None]


async def rebuild_read_model(
    settings: LicensingSettings, *, progress: Progress | None = None
) -> None:
    """Replays the register topics into fresh tables and swaps them in (module docstring)."""
    consumer = await _replay_consumer(settings)
    live = create_engine(settings.database_url, pool_size=1)
    fresh = create_engine(
        settings.database_url, pool_size=1, search_path=f"{REBUILD_SCHEMA}, public"
    )
    try:
        await _create_fresh_tables(live)
        try:
            await _replay(
                consumer, fresh, await consumer.end_offsets(consumer.assignment()), progress
            )
            await _swap(live, consumer, fresh)
        except BaseException:
            async with live.begin() as conn:
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {REBUILD_SCHEMA} CASCADE"))
            raise
        async with live.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {RETIRED_SCHEMA} CASCADE"))
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {REBUILD_SCHEMA} CASCADE"))
    finally:
        await consumer.stop()
        await fresh.dispose()
        await live.dispose()


async def _replay_consumer(settings: LicensingSettings) -> AIOKafkaConsumer:
    """A consumer of every register partition from offset 0, in no group: the live group's
    offsets stay where they are."""
    bootstrap = settings.platform.kafka_bootstrap_servers
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **settings.kafka_security())
    await admin.start()
    try:
        described = await admin.describe_topics(
            [settings.topic(FILING_PARTIES), settings.topic(FILING_WORKS)]
        )
    finally:
        await admin.close()
    partitions = [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        for partition in topic["partitions"]
    ]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        **settings.kafka_security(),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    return consumer


async def _create_fresh_tables(live: AsyncEngine) -> None:
    """The read-model tables by the models' own DDL, in the rebuild schema (a leftover of an
    interrupted rebuild is dropped first)."""
    metadata = MetaData()
    for name in READ_MODEL_TABLES:
        SQLModel.metadata.tables[name].to_metadata(metadata, schema=REBUILD_SCHEMA)
    async with live.begin() as conn:
        for schema in (REBUILD_SCHEMA, RETIRED_SCHEMA):
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        await conn.execute(text(f"CREATE SCHEMA {REBUILD_SCHEMA}"))
        await conn.run_sync(metadata.create_all)


async def _replay(
    consumer: AIOKafkaConsumer,
    fresh: AsyncEngine,
    ends: Mapping[TopicPartition, int],
    progress: Progress | None = None,
) -> None:
    """Applies every record up to `ends` to the fresh tables, a fetched batch per unit of
    work. A record that does not decode is skipped: the live consumer dead-lettered it."""
    sessions = session_maker(fresh)
    starts = await consumer.beginning_offsets(list(ends)) if progress else {}
    total = sum(end - starts[tp] for tp, end in ends.items()) if progress else 0
    while await _behind(consumer, ends):
        if progress is not None:
            positions = [await consumer.position(tp) for tp in ends]
            progress(sum(p - starts[tp] for p, tp in zip(positions, ends, strict=True)), total)
        fetched = await consumer.getmany(timeout_ms=1000, max_records=1000)
        events: list[DecodedEvent] = []
        for records in fetched.values():
            for record in records:
                try:
                    events.append(decode(record.value, record.headers, key=record.key))
                except MalformedRecord as exc:
                    log.warning("rebuild: skipped %s@%d: %s", record.topic, record.offset, exc)
        await _apply(sessions, events)
    if progress is not None:
        progress(total, total)


async def _apply(sessions: SessionMaker, events: list[DecodedEvent]) -> None:
    """The batch in one unit of work; if an event of its own fails it (the live consumer
    dead-lettered such an event), one by one, skipping it. An outage stops the rebuild."""
    if not events:
        return
    try:
        async with UnitOfWork(sessions) as uow:
            # The read model only: releases from suspense are the live consumer's, once.
            await apply_register_events(uow, events, release=False)
        return
    except Exception as exc:
        if classify(exc) is not Fault.RECORD:
            raise
        if len(events) == 1:
            log.warning("rebuild: skipped event %s: %s", events[0].id, type(exc).__name__)
            return
    for event in events:
        await _apply(sessions, [event])


async def _behind(consumer: AIOKafkaConsumer, ends: Mapping[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


async def _swap(live: AsyncEngine, consumer: AIOKafkaConsumer, fresh: AsyncEngine) -> None:
    """With the live tables held against writers (readers go on), catches up to the topics'
    ends, then moves the live tables out and the fresh ones in, in one transaction."""
    live_tables = ", ".join(f"public.{name}" for name in READ_MODEL_TABLES)
    async with live.begin() as conn:
        await conn.execute(text(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'"))
        await conn.execute(text(f"LOCK TABLE {live_tables} IN EXCLUSIVE MODE"))
        # Every event the live consumer applied is below these ends now that it cannot write.
        await _replay(consumer, fresh, await consumer.end_offsets(consumer.assignment()))
        await _move_tables(conn)


async def _move_tables(conn: AsyncConnection) -> None:
    await conn.execute(text(f"CREATE SCHEMA {RETIRED_SCHEMA}"))
    for name in READ_MODEL_TABLES:
        await conn.execute(text(f"ALTER TABLE public.{name} SET SCHEMA {RETIRED_SCHEMA}"))
        await conn.execute(text(f"ALTER TABLE {REBUILD_SCHEMA}.{name} SET SCHEMA public"))
