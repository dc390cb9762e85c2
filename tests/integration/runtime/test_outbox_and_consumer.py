"""The shared delivery machinery against the real broker and database: outbox in, relay,
idempotent consumer out, duplicates dropped, poison records dead-lettered."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from contracts.envelope import DecodedEvent, decode, encode
from contracts.events import PartyRegistered, PartyState
from contracts.topics import FILING_PARTIES, dlq
from devstack.kafka_access import admin_login
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, TraceState
from runtime.consumer import IdempotentConsumer, Record
from runtime.db import create_engine, session_maker
from runtime.outbox import OutboxRelay
from runtime.settings import ServiceSettings
from runtime.uow import UnitOfWork
from sqlalchemy import text
from sqlmodel import SQLModel

pytestmark = pytest.mark.asyncio(loop_scope="session")


def party_event(name: str) -> PartyRegistered:
    return PartyRegistered(
        occurred_at=datetime.now(UTC),
        party=PartyState(id=uuid.uuid4(), name=name, kind="PERSON", country="TH"),
    )


@pytest.fixture
async def service(create_database: Any) -> AsyncIterator[ServiceSettings]:
    url = await create_database(f"runtime_{uuid.uuid4().hex[:6]}")
    settings = ServiceSettings(
        service_name="runtime-test",
        database_url=url,
        outbox_poll_interval_seconds=0.2,
        kafka_principal="admin",  # the test's own topics and groups
    )
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
        await conn.execute(text("CREATE TABLE seen (event_id uuid, name text)"))
    await engine.dispose()
    yield settings


async def read_topic(bootstrap: str, topic: str, count: int, timeout: float = 30) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        **admin_login(),
        auto_offset_reset="earliest",
        group_id=f"reader-{uuid.uuid4().hex}",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(records) < count and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for recs in batch.values():
                records.extend(recs)
    finally:
        await consumer.stop()
    return records


async def partition_count(bootstrap: str, topic: str) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **admin_login())
    await producer.start()
    try:
        return len(await producer.partitions_for(topic))
    finally:
        await producer.stop()


async def test_outbox_relay_publishes_committed_events_in_order_with_cloudevents_headers(
    service: ServiceSettings, kafka_bootstrap: str
) -> None:
    engine = create_engine(service.database_url)
    sessions = session_maker(engine)
    events = [party_event(f"Creator {i}") for i in range(20)]
    async with UnitOfWork(sessions) as uow:
        uow.emit(*events)
    ids = uow.event_ids
    with pytest.raises(RuntimeError, match="the command failed"):
        async with UnitOfWork(sessions) as uow:
            uow.emit(party_event("rolled back"))
            await uow.flush()  # written inside the transaction, then rolled back with it
            raise RuntimeError("the command failed")
    relay = OutboxRelay(engine=engine, settings=service)
    await relay.start()
    try:
        mine = set(ids)
        records = [
            r
            for r in await read_topic(kafka_bootstrap, service.topic(FILING_PARTIES), 10_000, 5)
            if uuid.UUID(dict(r.headers)["ce_id"].decode()) in mine
        ]
    finally:
        await relay.stop()
        await engine.dispose()
    published = [uuid.UUID(dict(r.headers)["ce_id"].decode()) for r in records]
    assert sorted(published) == sorted(ids)  # every committed event, once; the rolled-back none
    position = {event_id: i for i, event_id in enumerate(ids)}
    for partition in {r.partition for r in records}:
        in_partition = [
            position[e] for e, r in zip(published, records, strict=True) if r.partition == partition
        ]
        assert in_partition == sorted(in_partition)  # outbox order kept within each partition
    # Each key on the partition any producer's default partitioner puts it on (the relay
    # hashes a page of keys itself): one aggregate's events stay on one partition.
    partitions = await partition_count(kafka_bootstrap, service.topic(FILING_PARTIES))
    assert [r.partition for r in records] == [
        DefaultPartitioner()(r.key, list(range(partitions)), []) for r in records
    ]
    first = records[published.index(ids[0])]
    headers = dict(first.headers)
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"org.aseanip.filing.party.registered.v1"
    assert headers["content-type"] == b"application/json"
    assert first.key == str(events[0].party.id).encode()
    assert decode(first.value, first.headers, key=first.key).data == events[0]


async def test_redelivered_event_changes_nothing_and_poison_goes_to_dlq(
    service: ServiceSettings, kafka_bootstrap: str
) -> None:
    engine = create_engine(service.database_url)
    sessions = session_maker(engine)
    applied: list[str] = []

    async def handler(uow: UnitOfWork, events: Sequence[DecodedEvent]) -> None:
        session = uow.session
        for event in events:
            assert isinstance(event.data, PartyRegistered)
            if event.data.party.name == "always fails":
                raise ValueError("this record can never be applied")
            await session.execute(
                text("INSERT INTO seen VALUES (:i, :n)"),
                {"i": event.id, "n": event.data.party.name},
            )
            applied.append(event.data.party.name)

    group = f"rt-{uuid.uuid4().hex[:6]}"
    consumer = IdempotentConsumer(
        group_id=group,
        topics=[FILING_PARTIES],
        handler=handler,
        sessions=sessions,
        settings=service,
    )
    consumer.retry_base_seconds = 0.01
    await consumer.start(fetching=False)  # the test hands it the batches
    good = encode(party_event("Suda"), event_id=uuid.uuid4())
    bad = encode(party_event("always fails"), event_id=uuid.uuid4())
    as_record = lambda r, off: Record(r.topic, 0, off, r.key, r.value, r.headers)  # noqa: E731
    garbage = Record(FILING_PARTIES, 0, 3, b"k", b"{not json", [("ce_type", b"x")])
    try:
        # the same event twice in one batch (a republished outbox row), then a poison pair
        await consumer.handle_records(
            [as_record(good, 0), as_record(good, 1), as_record(bad, 2), garbage]
        )
        await consumer.handle_records([as_record(good, 0)] * 5)  # redelivered five times
        async with sessions() as session:
            rows = (await session.execute(text("SELECT name FROM seen"))).all()
        dead = await read_topic(kafka_bootstrap, service.topic(dlq(group)), 2, timeout=10)
    finally:
        await consumer.stop()
        await engine.dispose()
    assert [r.name for r in rows] == ["Suda"]
    errors = sorted(dict(r.headers)["dlq_error_type"] for r in dead)
    assert errors == [b"MalformedRecord", b"ValueError"]
    attempts = {dict(r.headers)["dlq_error_type"]: dict(r.headers)["dlq_attempts"] for r in dead}
    assert attempts[b"ValueError"] == str(service.consumer_max_attempts).encode()


async def test_events_handed_to_a_commands_own_statement_are_written_once_in_order(
    service: ServiceSettings,
) -> None:
    engine = create_engine(service.database_url)
    sessions = session_maker(engine)
    try:
        async with UnitOfWork(sessions) as uow:
            uow.emit(*(party_event(f"In one statement {i}") for i in range(3)))
            part = uow.outbox_part()
            # The caller's statement: here nothing but the outbox part and its NOTIFY.
            await uow.session.execute(
                text(f"WITH {part.cte} SELECT {part.notify}"), part.params
            )
        ids = uow.event_ids
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text("SELECT event_id FROM outbox WHERE event_id = ANY(:ids) ORDER BY id"),
                    {"ids": ids},
                )
            ).all()
        # Written by the caller's statement only (commit did not write them again), in order.
        assert [row[0] for row in rows] == ids and len(ids) == 3
        with pytest.raises(RuntimeError, match="side rows"):
            async with UnitOfWork(sessions, side_rows=lambda session, events: asyncio.sleep(0)) as u:
                u.emit(party_event("with side rows"))
                u.outbox_part()
    finally:
        await engine.dispose()


async def test_one_aggregates_events_keep_outbox_order_across_pages_and_rounds(
    service: ServiceSettings, kafka_bootstrap: str
) -> None:
    """Fetches of 4 rows, rounds of 8: each party's events span several pages and rounds,
    and land on one partition in the order they were written."""
    settings = service.model_copy(update={"outbox_batch_size": 4, "outbox_round_rows": 8})
    engine = create_engine(settings.database_url)
    sessions = session_maker(engine)
    parties = [PartyState(id=uuid.uuid4(), name="p", kind="PERSON", country="TH") for _ in range(6)]
    written: list[tuple[uuid.UUID, str]] = []
    for version in range(5):
        async with UnitOfWork(sessions) as uow:
            for party in parties:
                name = f"{party.id} v{version}"
                uow.emit(PartyRegistered(
                    occurred_at=datetime.now(UTC), party=party.model_copy(update={"name": name})))
                written.append((party.id, name))
    relay = OutboxRelay(engine=engine, settings=settings)
    await relay.start()
    try:
        records = [
            r
            for r in await read_topic(kafka_bootstrap, settings.topic(FILING_PARTIES), 10_000, 5)
            if r.key in {str(p.id).encode() for p in parties}
        ]
    finally:
        await relay.stop()
        await engine.dispose()
    assert relay.published_total == len(written)
    for party in parties:
        mine = [r for r in records if r.key == str(party.id).encode()]
        assert len({r.partition for r in mine}) == 1
        names = [decode(r.value, r.headers, key=r.key).data.party.name for r in mine]
        assert names == [name for key, name in written if key == party.id]


async def test_the_relay_carries_the_staging_requests_trace_on_each_record(
    service: ServiceSettings, kafka_bootstrap: str
) -> None:
    """A row staged inside a trace is published with that trace's context in place of the
    stored one (the publish span's, a child of it when spans are recorded), after the
    event's own headers in their stored order; a row staged outside any trace carries none."""
    engine = create_engine(service.database_url)
    sessions = session_maker(engine)
    parent = SpanContext(
        trace_id=0x0AF7651916CD43DD8448EB211C80319C, span_id=0xB7AD6B7169203331,
        is_remote=True, trace_flags=TraceFlags(1), trace_state=TraceState([("rights", "t1")]),
    )
    traced, untraced = party_event("Traced"), party_event("Untraced")
    token = otel_context.attach(trace.set_span_in_context(NonRecordingSpan(parent)))
    try:
        async with UnitOfWork(sessions) as uow:
            uow.emit(traced)
    finally:
        otel_context.detach(token)
    async with UnitOfWork(sessions) as uow:
        uow.emit(untraced)
    relay = OutboxRelay(engine=engine, settings=service)
    await relay.start()
    try:
        keys = {str(traced.party.id).encode(): "traced", str(untraced.party.id).encode(): "plain"}
        records = {
            keys[r.key]: r
            for r in await read_topic(kafka_bootstrap, service.topic(FILING_PARTIES), 10_000, 5)
            if r.key in keys
        }
    finally:
        await relay.stop()
        await engine.dispose()
    plain = records["plain"].headers
    assert [k for k, _ in plain] == [k for k, _ in encode(untraced).headers]
    assert not {"traceparent", "tracestate"} & {k for k, _ in plain}
    headers = list(records["traced"].headers)
    assert [k for k, _ in headers[:-2]] == [k for k, _ in plain]
    assert [k for k, _ in headers[-2:]] == ["traceparent", "tracestate"]
    assert dict(headers)["traceparent"].decode().split("-")[1] == f"{parent.trace_id:032x}"
    assert dict(headers)["tracestate"] == b"rights=t1"


class DiesAfterSecondRoundsAcks(OutboxRelay):
    """Killed once its second round is acknowledged, while the first is being marked; its own
    loop stays idle (the test calls `publish_pending` itself)."""

    acknowledged_rounds = 0

    async def round(self) -> bool:
        return False

    async def _after_publish_before_mark(self, count: int) -> None:
        self.acknowledged_rounds += 1
        if self.acknowledged_rounds == 2:
            raise SystemError("killed between publish and mark-sent")


async def test_a_round_is_marked_sent_only_once_acknowledged_the_one_before_it_still_is(
    service: ServiceSettings,
) -> None:
    settings = service.model_copy(update={"outbox_batch_size": 4, "outbox_round_rows": 4})
    engine = create_engine(settings.database_url)
    async with UnitOfWork(session_maker(engine)) as uow:
        uow.emit(*(party_event(f"Creator {i}") for i in range(10)))
    relay = DiesAfterSecondRoundsAcks(engine=engine, settings=settings)
    await relay.start()
    try:
        with pytest.raises(SystemError):
            await relay.publish_pending()
        async with engine.connect() as conn:
            sent = (
                await conn.execute(text("SELECT id FROM outbox WHERE sent_at IS NOT NULL"))
            ).scalars().all()
            first = (await conn.execute(text("SELECT id FROM outbox ORDER BY id LIMIT 4"))).scalars()
            assert sorted(sent) == list(first)  # the first round; the second acked, unmarked
    finally:
        await relay.stop()
        await engine.dispose()
    assert relay.published_total == 4
