"""Rebuilding the register read model: complete from the compacted topics whatever their
age, and never a moment without a model while it runs (KAFKA.md, issue 15)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from contracts.enums import WorkStatus
from contracts.topics import FILING_PARTIES, FILING_WORKS
from devstack.kafka_access import admin_login
from licensing import repository
from licensing.app import MIGRATIONS
from licensing.rebuild import rebuild_read_model
from licensing.settings import LicensingSettings
from runtime.db import create_engine, migrate, session_maker
from runtime.kafka import reliable_producer, topic_configs
from sqlalchemy import text

from contracts import events

from .conftest import Register, Service, known_work, wait_for

# The platform's configs with time shrunk: a record is a second old after a second, each
# append after a tenth of a second starts a new segment (only closed ones are cleaned), and
# the cleaner takes any dirty log at once. Retention stands for the brokers' 7 days.
SHRUNK_TIME = {
    "segment.ms": "100",
    "retention.ms": "1000",
    "min.cleanable.dirty.ratio": "0.01",
    "min.compaction.lag.ms": "0",
}
# The broker checks retention every 5 minutes (log.retention.check.interval.ms): long enough
# for a topic that deletes by age to show it.
CLEANED_WITHIN = 330.0


async def _create_register_topics(bootstrap: str, prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **admin_login())
    await admin.start()
    try:
        await admin.create_topics([
            NewTopic(prefix + name, 1, 1, topic_configs=topic_configs(name) | SHRUNK_TIME)
            for name in (FILING_PARTIES, FILING_WORKS)
        ])
    finally:
        await admin.close()


async def _readable(bootstrap: str, topic: str) -> int:
    """How many records a reader from offset 0 finds on the topic's one partition now."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, **admin_login(), group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        end = (await consumer.end_offsets([partition]))[partition]
        count = 0
        while await consumer.position(partition) < end:
            fetched = await consumer.getmany(partition, timeout_ms=500)
            count += sum(len(records) for records in fetched.values())
        return count
    finally:
        await consumer.stop()


async def test_rebuild_from_zero_finds_every_aggregate_however_old_its_last_record(
    service: Service, create_database: Callable[[str], Awaitable[str]]
) -> None:
    prefix = f"compact-{uuid.uuid4().hex[:8]}."
    settings: LicensingSettings = service.settings.model_copy(update={
        "database_url": await create_database("licensing_compacted"),
        "platform": service.settings.platform.model_copy(update={"rights_topic_prefix": prefix}),
    })  # fmt: skip
    bootstrap = settings.platform.kafka_bootstrap_servers
    await _create_register_topics(bootstrap, prefix)
    await migrate(MIGRATIONS, settings.database_url)
    producer = reliable_producer(bootstrap, **admin_login())
    await producer.start()
    try:
        register = Register(producer, settings)
        # Aggregates whose last record is soon older than the retention ...
        quiet_party, new_owner = await register.party("Quiet"), await register.party("Buyer")
        quiet_work = await register.registered_work({quiet_party: "100.00"})
        sold_work = await register.registered_work({quiet_party: "100.00"})
        await register.transfer(sold_work, {quiet_party: "100.00"}, {new_owner: "100.00"},
                                at=datetime.now(UTC), from_party=quiet_party,
                                to_party=new_owner, share="100.00")
        works_written = 5
        # ... and one that keeps changing, as live traffic does, rolling segments until the
        # broker has cleaned some records away (compacted or, by age, deleted).
        busy_party, busy_work = uuid.uuid4(), uuid.uuid4()

        async def cleaned() -> bool:
            nonlocal works_written
            await register.publish(_party_snapshot(busy_party))
            await register.publish(_work_snapshot(register, busy_work, busy_party))
            works_written += 1
            return await _readable(bootstrap, settings.topic(FILING_WORKS)) < works_written

        await wait_for(cleaned, timeout=CLEANED_WITHIN, interval=0.5, what="log cleaned")
    finally:
        await producer.stop()

    await rebuild_read_model(settings)

    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with session_maker(engine)() as session:
            assert await repository.party_known(session, quiet_party)
            quiet = await repository.work_view(session, quiet_work)
            sold = await repository.work_view(session, sold_work)
        assert quiet is not None and quiet.status == WorkStatus.REGISTERED
        assert quiet.owners == {quiet_party}
        assert sold is not None and sold.owners == {new_owner}
    finally:
        await engine.dispose()


def _party_snapshot(party_id: uuid.UUID) -> events.PartyUpdated:
    return events.PartyUpdated(
        occurred_at=datetime.now(UTC),
        party=events.PartyState(id=party_id, name="Busy", kind="PERSON", country="TH"),
        changed_fields=["name"],
    )


def _work_snapshot(
    register: Register, work_id: uuid.UUID, owner: uuid.UUID
) -> events.WorkRegistered:
    return events.WorkRegistered(
        occurred_at=datetime.now(UTC),
        work=register.state(work_id, {owner: "100.00"}, WorkStatus.REGISTERED),
    )


async def _register_rows(service: Service) -> tuple[int, int]:
    """How many works the live read model answers with now, and the oid of its table."""
    async with service.licensing.sessions() as session:
        count = (await session.execute(text("SELECT count(*) FROM register_work"))).scalar_one()
        oid = (
            await session.execute(text("SELECT 'register_work'::regclass::oid"))
        ).scalar_one()
    return int(count), int(oid)


async def test_read_model_answers_from_the_old_tables_until_the_new_ones_replace_them(
    service: Service, register: Register
) -> None:
    owner = await register.party()
    work_id = await known_work(service, register, {owner: "100.00"})
    before, old_table = await _register_rows(service)
    rebuild = asyncio.create_task(rebuild_read_model(service.settings))
    answers: list[int] = []
    while not rebuild.done():
        answers.append((await _register_rows(service))[0])
        assert await service.knows_work(work_id)
    await rebuild
    after, new_table = await _register_rows(service)
    assert answers and min(answers) >= before
    assert new_table != old_table  # the rebuilt tables were swapped in
    assert after >= before and await service.knows_work(work_id)
