"""The transactional outbox: events are written with the state that caused them, then relayed.

A command emits its events through its unit of work (`runtime.uow`), which writes them here
in the command's own transaction, so the state change and its events commit or vanish
together. `OutboxRelay` publishes committed rows in id order with an idempotent `acks=all`
producer and marks them sent. A relay killed between
publishing and marking republishes the same records (same `ce_id`): consumers drop them by id.
Sent rows are kept `outbox_retention_days`, then deleted a batch at a time through an index.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.envelope import encode
from contracts.events import EventData
from opentelemetry import propagate, trace
from sqlalchemy import Column, Index, LargeBinary, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import Field, SQLModel

from runtime import metrics
from runtime.columns import serial_key, utc_column
from runtime.kafka import reliable_producer
from runtime.partitions import murmur2_positive
from runtime.settings import ServiceSettings
from runtime.wakeup import NotifiedLoop

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

NOTIFY_CHANNEL = "outbox"
# One relay per database publishes at a time, which is what keeps the id order on the wire.
RELAY_LOCK_KEY = 727_274_002
# Housekeeping deletes one batch of old sent rows per round through ix_outbox_sent: the
# partial index holds only sent rows, ordered by age, so the oldest are found without a scan.
PRUNE_SENT_SQL = (
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NOT NULL "
    "AND sent_at < now() - CAST(:retention AS interval) ORDER BY sent_at LIMIT :n)"
)

# The relay's fetch: the next unsent rows after the last one it sent this round, in id order,
# through the partial index of unsent rows. The headers come split: their names as one JSON
# text (the same few lists row after row, parsed once each: `_header_names`) and their values
# as an array of UTF-8 bytes, which asyncpg decodes without Python; JSON-decoding every row's
# headers was the relay's largest cost.
_UNSENT_SQL = text(
    "SELECT id, topic, key, value, "
    "jsonb_path_query_array(headers, '$[*][0]')::text AS header_names, "
    "ARRAY(SELECT convert_to(h ->> 1, 'UTF8') FROM jsonb_array_elements(headers) AS h) "
    "AS header_values "
    "FROM outbox WHERE sent_at IS NULL AND id > :after ORDER BY id LIMIT :n"
)
# The W3C trace context the relay replaces with its own publish span's (`_publish_span`).
_TRACE_HEADERS = frozenset(("traceparent", "tracestate"))
_FETCH_PLAN = text(
    "SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)"
)
_MARK_SQL = text("UPDATE outbox SET sent_at = now() WHERE id = ANY(:ids)")
# A lease (one transaction holding the relay lock) publishes at most this many full rounds. Its
# fetches follow one cursor past the rounds still being marked, so a row that commits late
# with a lower id than the cursor waits for the next lease, which starts again from the first
# unsent row.
ROUNDS_PER_LEASE = 8
# Housekeeping's backlog gauge walks the partial index of unsent rows, never the table: the
# count stops at BACKLOG_COUNT_CAP, the oldest is the first unsent row by id.
BACKLOG_COUNT_CAP = 1_000_000
_BACKLOG_SQL = text(
    "SELECT (SELECT count(*) FROM (SELECT 1 FROM outbox WHERE sent_at IS NULL "
    "ORDER BY id LIMIT :cap) AS unsent), "
    "(SELECT created_at FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 1)"
)


class OutboxMessage(SQLModel, table=True):
    """One encoded event waiting to be (or already) published."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unsent", "id", postgresql_where=text("sent_at IS NULL")),
        Index("ix_outbox_sent", "sent_at", postgresql_where=text("sent_at IS NOT NULL")),
    )

    id: int | None = Field(default=None, sa_column=serial_key())
    event_id: uuid.UUID = Field(unique=True)
    topic: str = Field(max_length=255)  # the contract's name; the relay adds the topic prefix
    key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    headers: list[list[str]] = Field(sa_column=Column(JSONB, nullable=False))
    traceparent: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


@dataclass(frozen=True, slots=True)
class PendingOutbox:
    """An outbox row built for an insert (`runtime.uow`, the bulk import): the columns only,
    without the ORM's instrumentation (which cost more than encoding the event)."""

    event_id: uuid.UUID
    topic: str
    key: bytes
    value: bytes
    headers: list[list[str]]
    traceparent: str | None
    created_at: datetime


def _current_trace_headers() -> dict[str, str]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def outbox_rows(
    events: Sequence[EventData], *, time: datetime | None = None
) -> list[PendingOutbox]:
    """The outbox rows of `events`, built but not added to any session.

    `time` (the CloudEvents `ce_time`) defaults to each event's `occurred_at`. The current
    trace context goes onto each row, so the consumers' spans join the trace of the request
    that caused the event.
    """
    trace_headers = _current_trace_headers()
    traceparent, tracestate = trace_headers.get("traceparent"), trace_headers.get("tracestate")
    rows = []
    for event in events:
        event_id = uuid.uuid4()
        record = encode(
            event, event_id=event_id, time=time, traceparent=traceparent, tracestate=tracestate
        )
        rows.append(
            PendingOutbox(
                event_id=event_id,
                topic=record.topic,
                key=record.key,
                value=record.value,
                headers=[[k, v.decode()] for k, v in record.headers],
                traceparent=traceparent,
                created_at=datetime.now(UTC),
            )
        )
    return rows


class OutboxRelay(NotifiedLoop):
    """Publishes committed outbox rows in order; woken by NOTIFY, polling as a fallback."""

    def __init__(self, *, engine: AsyncEngine, settings: ServiceSettings) -> None:
        super().__init__(
            engine=engine, channel=NOTIFY_CHANNEL, name=f"outbox-relay-{settings.service_name}",
            poll_seconds=settings.outbox_poll_interval_seconds,
        )
        self.settings = settings
        self.batch_size = settings.outbox_batch_size
        self.round_rows = max(settings.outbox_round_rows, self.batch_size)
        self.retention = timedelta(days=settings.outbox_retention_days)
        self._producer: Any = None
        self._names_cache: dict[str, tuple[tuple[str, ...], bool]] = {}
        self._last_housekeeping = 0.0
        self.last_published_at: float | None = None
        self.published_total = 0  # since start: what a benchmark or a test waits on

    async def start(self) -> None:
        self._producer = reliable_producer(
            self.settings.platform.kafka_bootstrap_servers, **self.settings.kafka_security()
        )
        await self._producer.start()
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        if self._producer is not None:
            await self._producer.stop()

    async def round(self) -> bool:
        published = await self.publish_pending()
        if time.monotonic() - self._last_housekeeping > 5:
            await self._housekeeping()
            self._last_housekeeping = time.monotonic()
        return published >= self.batch_size

    async def publish_pending(self) -> int:
        """Publishes unsent rows, round after round while a backlog lasts (at most
        `ROUNDS_PER_LEASE` rounds); returns how many were published and marked sent.

        A round reads up to `outbox_round_rows` rows, `outbox_batch_size` at a time, and hands
        each fetch's records to the producer as whole batches, one per partition
        (`_send_page`), without awaiting them (the next fetch is read while the broker
        acknowledges), then waits for every acknowledgement. Only then is the round marked
        sent, in one statement and a transaction of its own (`_mark`), which runs while the
        next round is read and sent; the relay lock, held by this lease's transaction, ends
        only after every mark has committed."""
        async with self.engine.begin() as lease:
            got_lock = await lease.scalar(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": RELAY_LOCK_KEY}
            )
            if not got_lock:
                return 0
            # The fetch must walk ix_outbox_unsent in id order and stop at its LIMIT. Until
            # autovacuum has analyzed a fresh backlog the planner takes it for a few rows and
            # prefers a bitmap scan of every unsent row plus a sort, for every fetch: a round
            # then costs the whole backlog, over and over. Only this transaction's statements
            # are steered (`set_config(..., is_local => true)`).
            await lease.execute(_FETCH_PLAN)
            published = 0
            marking: asyncio.Task[int] | None = None
            after = 0  # the lease's cursor: rows of a round still being marked are behind it
            try:
                for _ in range(ROUNDS_PER_LEASE):
                    ids, topics = await self._publish_round(lease, after)
                    if not ids:
                        break
                    if marking is not None:
                        # Marks commit in round order; a stop lets the mark in flight commit.
                        published += await asyncio.shield(marking)
                    marking = asyncio.create_task(self._mark(ids, topics))
                    after = ids[-1]
                    if len(ids) < self.round_rows:
                        break
            finally:
                if marking is not None:
                    # A failed round leaves the one before it acknowledged: marked all the same.
                    published += await asyncio.shield(marking)
        return published

    async def _publish_round(
        self, lease: AsyncConnection, after: int
    ) -> tuple[list[int], dict[str, int]]:
        """Sends one round of unsent rows with ids above `after` and waits for every
        acknowledgement; returns their ids (none: nothing to send) and the count per topic."""
        ids: list[int] = []
        topics: dict[str, int] = {}
        futures: list[asyncio.Future[Any]] = []
        spans: list[trace.Span] = []
        try:
            while len(ids) < self.round_rows:
                rows = (
                    await lease.execute(
                        _UNSENT_SQL,
                        {
                            "after": ids[-1] if ids else after,
                            "n": min(self.batch_size, self.round_rows - len(ids)),
                        },
                    )
                ).all()
                if rows:
                    futures += await self._send_page(rows, spans, topics)
                    ids += [row.id for row in rows]
                if len(rows) < self.batch_size:
                    break
            if ids:
                await asyncio.gather(*futures)
        finally:
            for span in spans:
                span.end()
        if ids:
            await self._after_publish_before_mark(len(ids))
        return ids, topics

    async def _mark(self, ids: list[int], topics: dict[str, int]) -> int:
        """Marks an acknowledged round sent and commits; returns how many rows it marked."""
        async with self.engine.begin() as conn:
            await conn.execute(_MARK_SQL, {"ids": ids})
        for topic, count in topics.items():
            metrics.EVENTS_PUBLISHED.labels(self.settings.service_name, topic).inc(count)
        self.last_published_at = time.time()
        self.published_total += len(ids)
        return len(ids)

    async def _send_page(
        self, rows: Sequence[Any], spans: list[trace.Span], topics: dict[str, int]
    ) -> list[asyncio.Future[Any]]:
        """Hands one fetch's records to the producer as closed batches, one per partition
        (more when one fills), in id order within each; returns the batches' futures.

        `producer.send` per record would hash its key in pure Python and keep a future per
        record, most of a record's cost: here the page's keys are hashed at once
        (`runtime.partitions`, the default partitioner's choice, bit for bit) and each batch
        has one future. The producer stays idempotent (it numbers each batch when it sends
        it) and sends a partition's batches in the order they are handed over."""
        producer = self._producer
        hashes = murmur2_positive([row.key for row in rows])
        partitions: dict[str, tuple[str, list[int]]] = {}
        batches: dict[tuple[str, int], Any] = {}
        futures: list[asyncio.Future[Any]] = []
        for row, hashed in zip(rows, hashes, strict=True):
            found = partitions.get(row.topic)
            if found is None:
                name = self.settings.topic(row.topic)
                found = partitions[row.topic] = (
                    name, sorted(await producer.partitions_for(name))
                )
            name, known = found
            topics[row.topic] = topics.get(row.topic, 0) + 1
            partition = known[hashed % len(known)]
            names, traced = self._header_names(row.header_names)
            headers = list(zip(names, row.header_values, strict=True))
            carrier = {n: v.decode() for n, v in headers if n in _TRACE_HEADERS} if traced else {}
            span, injected = self._publish_span(row.topic, carrier)
            spans.append(span)
            if traced:
                headers = [(n, v) for n, v in headers if n not in _TRACE_HEADERS] + injected
            batch = batches.get((name, partition))
            if batch is None:
                batch = batches[name, partition] = producer.create_batch()
            if batch.append(timestamp=None, key=row.key, value=row.value, headers=headers) is None:
                futures.append(await producer.send_batch(batch, name, partition=partition))
                batch = batches[name, partition] = producer.create_batch()
                if batch.append(
                    timestamp=None, key=row.key, value=row.value, headers=headers
                ) is None:
                    raise ValueError(f"outbox row {row.id} is larger than a producer batch")
        for (name, partition), batch in batches.items():
            batch.close()  # a closed batch is sent at once, without lingering
            futures.append(await producer.send_batch(batch, name, partition=partition))
        return futures

    def _header_names(self, names_json: str) -> tuple[tuple[str, ...], bool]:
        """A row's header names (and whether they carry a trace context), parsed once per
        distinct list: an event type's rows all have the same."""
        found = self._names_cache.get(names_json)
        if found is None:
            names = tuple(json.loads(names_json))
            found = (names, not _TRACE_HEADERS.isdisjoint(names))
            if len(self._names_cache) < 1024:  # event types times trace shapes: a handful
                self._names_cache[names_json] = found
        return found

    def _publish_span(
        self, topic: str, carrier: dict[str, str]
    ) -> tuple[trace.Span, list[tuple[str, bytes]]]:
        """A PRODUCER span in the trace of the request that staged the event (`carrier`, the
        row's stored trace context); returns it and the trace headers the record carries in
        place of the stored ones, this span's context, so consumers' spans nest under the
        publish."""
        span = tracer.start_span(
            f"{topic} publish",
            context=propagate.extract(carrier),
            kind=trace.SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": topic,
                "messaging.operation.type": "send",
            },
        )
        if not carrier:
            return span, []
        injected: dict[str, str] = {}
        propagate.inject(injected, context=trace.set_span_in_context(span))
        return span, [(k, v.encode()) for k, v in injected.items()]

    async def _after_publish_before_mark(self, count: int) -> None:
        """A seam for the crash test: a relay killed here has published but not marked."""

    async def _housekeeping(self) -> None:
        async with self.engine.begin() as conn:
            backlog, oldest = (
                await conn.execute(_BACKLOG_SQL, {"cap": BACKLOG_COUNT_CAP})
            ).one()
            # `sent_at` is the database's clock (`now()` above), so the cutoff is too: this
            # process's clock may run ahead of it and would delete rows still within retention.
            await conn.execute(
                text(PRUNE_SENT_SQL),
                {"retention": self.retention, "n": self.settings.outbox_prune_batch_size},
            )
        metrics.OUTBOX_BACKLOG.labels(self.settings.service_name).set(backlog)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        metrics.OUTBOX_OLDEST_AGE.labels(self.settings.service_name).set(age)
