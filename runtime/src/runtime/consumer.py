"""The idempotent consumer: each event's effect happens once, however often it is delivered.

Shape (after pyeventsourcing's tracking table): the id of every handled event is inserted
into `processed_event` in the SAME transaction as the handler's effects, and the Kafka offset
is committed only after that transaction. A crash before the commit redelivers the records;
their ids are then found and skipped.

A batch of records is applied in one transaction (a commit per event caps a consumer near
1 k events/s). If the batch fails, its events are retried one by one, each up to
`max_attempts` times; one that still fails goes to `<group>.dlq` with the error in headers,
and the partition moves on. Records that cannot be decoded go to the DLQ at once. Failures
of the database or broker themselves are not the record's fault (`runtime.failures`): the
same batch is retried with capped, jittered backoff, never dead-lettered.

A dead-lettered event is NOT recorded in `processed_event`: `runtime.deadletters` can
republish it once its cause is fixed, and the tracking row written when it is finally
applied makes a second redrive (or a redelivery) change nothing. The price: a batch
redelivered after a crash may dead-letter the same event twice; redriving both applies it
once.

Fetching is the runtime's own loop over aiokafka (`GroupMember`): no pause after an empty
fetch, the next batch fetched and decoded while one is in the database, batches applied one
after another, a rebalance waiting for the batch in flight (ARCHITECTURE.md).

Housekeeping: tracking rows older than `consumer_processed_retention_days` (far beyond the
topics' retention) are pruned in batches; a consumer that stalls with records waiting is
closed and replaced by a new member of its group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, ConsumerStoppedError, KafkaError
from contracts.envelope import DecodedEvent, MalformedRecord, decode
from contracts.topics import dlq
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from runtime import metrics
from runtime.columns import utc_column
from runtime.db import SessionMaker
from runtime.failures import Fault, backoff_seconds, classify
from runtime.kafka import group_consumer, reliable_producer
from runtime.settings import ServiceSettings
from runtime.telemetry import AGGREGATE_ID
from runtime.uow import UnitOfWork, UnitOfWorkFactory, unit_of_work_factory

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

# The one read-model writer of a consumer: set-based over a batch, in the consumer's unit of
# work. A single event is a batch of one (interactive traffic goes that way, one span each).
EventsHandler = Callable[[UnitOfWork, Sequence[DecodedEvent]], Awaitable[None]]


class ProcessedEvent(SQLModel, table=True):
    """The tracking table: (consumer, event id) of every event whose effect is committed."""

    __tablename__ = "processed_event"
    # Pruning by age per consumer walks this index, never the whole table.
    __table_args__ = (Index("ix_processed_event_age", "consumer", "processed_at"),)

    consumer: str = Field(primary_key=True, max_length=100)
    event_id: uuid.UUID = Field(primary_key=True)
    processed_at: datetime = Field(
        sa_column=utc_column(default_now=True)
    )


# Deletes one batch of old tracking rows through ix_processed_event_age.
PRUNE_PROCESSED_SQL = (
    "DELETE FROM processed_event WHERE consumer = :consumer AND event_id IN ("
    "SELECT event_id FROM processed_event WHERE consumer = :consumer "
    "AND processed_at < now() - CAST(:retention AS interval) ORDER BY processed_at LIMIT :n)"
)


class InfrastructureFailure(Exception):
    """The database or broker failed, not the record: rewind and retry the batch."""


async def prune_processed(
    sessions: SessionMaker, *, consumer: str, retention: timedelta, batch_size: int
) -> int:
    """Deletes `consumer`'s tracking rows older than `retention`, a batch per transaction (no
    long lock, no huge WAL burst); returns how many went. Age is measured on the database's
    clock, the one that stamped `processed_at`: a process whose clock runs ahead must not
    forget events still within retention (they would then apply twice)."""
    total = 0
    while True:
        async with sessions() as session, session.begin():
            result: Any = await session.execute(
                text(PRUNE_PROCESSED_SQL),
                {"consumer": consumer, "retention": retention, "n": batch_size},
            )
        total += result.rowcount
        if result.rowcount < batch_size:
            return total


@dataclass
class Record:
    """The parts of a Kafka record the consumer needs (faststream-independent, testable)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]
    # Decoded ahead by the fetch loop while the batch before it was in the database.
    decoded: DecodedEvent | MalformedRecord | None = field(default=None, compare=False)

    def decode(self) -> DecodedEvent:
        """The record's event (decoded once); `MalformedRecord` if it is none."""
        if self.decoded is None:
            try:
                self.decoded = decode(self.value, self.headers, key=self.key)
            except MalformedRecord as exc:
                self.decoded = exc
        if isinstance(self.decoded, MalformedRecord):
            raise self.decoded
        return self.decoded


# Records decoded between two yields to the batch in the database (about 13-33 µs each).
DECODE_SLICE = 32


class GroupMember(ConsumerRebalanceListener):
    """One member of the consumer's group and its fetch loop (ARCHITECTURE.md, "Delivery
    guarantees"): fetches wait inside aiokafka's `getmany` (no pause after an empty fetch);
    while a batch is in the database the next one is fetched and decoded; batches are
    applied one after another and their offsets committed after their transaction.

    `consumer` and `running` are what health and the stall watch look at; `stop` then
    `start` is a new member in the same group."""

    def __init__(self, owner: IdempotentConsumer) -> None:
        self.owner = owner
        self.consumer: Any = None
        self.running = False
        self._task: asyncio.Task[None] | None = None
        # Held while a batch is applied and its offsets committed; a rebalance takes it.
        self._applying = asyncio.Lock()
        # Moves on each revocation: a batch fetched under an older one is not applied.
        self._generation = 0

    async def start(self) -> None:
        settings = self.owner.settings
        self.consumer = group_consumer(
            settings.platform.kafka_bootstrap_servers,
            group_id=settings.topic(self.owner.group_id),
            **settings.kafka_security(),
        )
        self.consumer.subscribe(
            topics=[settings.topic(t) for t in self.owner.topics], listener=self
        )
        await self.consumer.start()
        self.running = True
        self._task = asyncio.create_task(self._run(), name=f"consume-{self.owner.group_id}")

    async def stop(self) -> None:
        """Lets the batch in flight finish (or give up, in an outage), then leaves the group."""
        if not self.running:
            return
        self.running = False
        async with self._applying:
            if self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._task
        self._task = None
        await self.consumer.stop()

    # -- rebalance --------------------------------------------------------------------------
    async def on_partitions_revoked(self, revoked: Any) -> None:
        # The batch in flight commits (and its offsets) before the partitions go elsewhere.
        async with self._applying:
            self._generation += 1

    async def on_partitions_assigned(self, assigned: Any) -> None:
        return None

    # -- the loop ---------------------------------------------------------------------------
    async def _fetch(self, wait_ms: int) -> tuple[int, list[Record]]:
        generation = self._generation
        fetched = await self.consumer.getmany(
            timeout_ms=wait_ms, max_records=self.owner.settings.consumer_batch_size
        )
        return generation, [
            Record(r.topic, r.partition, r.offset, r.key, r.value, r.headers)
            for records in fetched.values()
            for r in records
        ]

    async def _run(self) -> None:
        wait_ms = self.owner.settings.consumer_fetch_wait_ms
        ahead: tuple[int, list[Record]] = (self._generation, [])
        while self.running:
            try:
                if ahead[1]:
                    (generation, batch), ahead = ahead, (self._generation, [])
                else:
                    generation, batch = await self._fetch(wait_ms)
                if not batch:
                    continue
                async with self._applying:
                    if generation != self._generation:
                        self._rewind(batch)  # fetched across a rebalance: fetch again
                        continue
                    applying = asyncio.create_task(self.owner.handle_records(batch))
                    # Meanwhile: what has already arrived, decoded while the batch is in the
                    # database (the loop yields to it every few records).
                    ahead = await self._fetch(0)
                    await _decode_beside(ahead[1], applying)
                    try:
                        await applying
                    except BaseException:
                        self._rewind(ahead[1])
                        ahead = (self._generation, [])
                        self._rewind(batch)  # nothing skipped: fetched again after the pause
                        raise
                    await self._commit(batch)
                await self.owner._record_lag(self.consumer)
            except asyncio.CancelledError:
                raise
            except ConsumerStoppedError:
                return
            except Exception as exc:
                log.warning(
                    "consumer %s: batch given back (%s); fetching it again",
                    self.owner.group_id,
                    type(exc).__name__,
                )
                await asyncio.sleep(1.0)  # the database or broker is down: do not spin

    def _rewind(self, batch: Sequence[Record]) -> None:
        """Seeks each held partition of `batch` back to its first record there."""
        first: dict[TopicPartition, int] = {}
        for record in batch:
            first.setdefault(TopicPartition(record.topic, record.partition), record.offset)
        held = self.consumer.assignment()
        for tp, offset in first.items():
            if tp in held:
                self.consumer.seek(tp, offset)

    async def _commit(self, batch: Sequence[Record]) -> None:
        """Commits the offsets after `batch` (its transaction has committed). A rebalance may
        have moved its partitions: their new holder finds its events claimed and skips them."""
        offsets: dict[TopicPartition, int] = {}
        for record in batch:
            offsets[TopicPartition(record.topic, record.partition)] = record.offset + 1
        try:
            await self.consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as exc:
            log.warning(
                "consumer %s: offsets not committed (%s); the events are applied and a "
                "redelivery is skipped",
                self.owner.group_id,
                type(exc).__name__,
            )


async def _decode_beside(records: Sequence[Record], busy: asyncio.Task[None]) -> None:
    """Decodes `records` ahead of time, a few at a time, yielding to `busy` in between."""
    for start in range(0, len(records), DECODE_SLICE):
        if not busy.done():
            await asyncio.sleep(0)
        for record in records[start : start + DECODE_SLICE]:
            with contextlib.suppress(MalformedRecord):
                record.decode()


class IdempotentConsumer:
    """Applies events from `topics` with `handler`, exactly once per event id."""

    def __init__(
        self,
        *,
        group_id: str,
        topics: Sequence[str],
        handler: EventsHandler,
        sessions: SessionMaker,
        settings: ServiceSettings,
        unit_of_work: UnitOfWorkFactory | None = None,
    ) -> None:
        self.group_id = group_id  # also the tracking name and the DLQ's name
        self.topics = list(topics)
        self.handler = handler
        self.sessions = sessions
        self.unit_of_work = unit_of_work or unit_of_work_factory(sessions)
        self.settings = settings
        self.max_attempts = settings.consumer_max_attempts
        self.retry_base_seconds = 0.05
        self.infra_retry_base = settings.consumer_retry_base_seconds
        self.infra_retry_cap = settings.consumer_retry_max_seconds
        self.infra_retry_window = settings.consumer_retry_window_seconds
        self._progress = asyncio.Condition()
        self._dlq_producer: Any = None
        self._subscriber: Any = None
        self.batches = 0
        self.last_batch_at: float | None = None
        self.last_error: str | None = None
        self.started_at: float | None = None
        # Set while a database or broker outage holds the current batch (readiness shows it).
        self.infrastructure_error: str | None = None
        self.infrastructure_retries = 0
        self.restarts = 0
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []

    # -- wiring -----------------------------------------------------------------------------
    async def start(self, *, fetching: bool = True) -> None:
        """Starts the dead-letter producer, housekeeping and (unless `fetching` is False: a
        caller that hands batches to `handle_records` itself) the group member."""
        self.started_at = time.time()
        self._stopping = False
        self._dlq_producer = reliable_producer(
            self.settings.platform.kafka_bootstrap_servers, **self.settings.kafka_security()
        )
        await self._dlq_producer.start()
        if fetching:
            self._subscriber = GroupMember(self)
            await self._subscriber.start()
        self._tasks = [
            asyncio.create_task(self._watch_for_stall(), name=f"stall-watch-{self.group_id}"),
            asyncio.create_task(self._prune_loop(), name=f"prune-{self.group_id}"),
        ]

    async def stop(self) -> None:
        self._stopping = True
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._subscriber is not None:
            await self._subscriber.stop()
        if self._dlq_producer is not None:
            await self._dlq_producer.stop()

    # -- keeping itself alive and small ----------------------------------------------------
    async def _watch_for_stall(self) -> None:
        """Replaces a stalled consumer: closing it leaves the group (its partitions go to the
        others at once) and the new one rejoins and fetches from the committed offsets."""
        interval = max(0.2, min(5.0, self.settings.consumer_stall_seconds / 4))
        while True:
            await asyncio.sleep(interval)
            if not self.settings.consumer_restart_on_stall or self.infrastructure_error:
                continue  # an outage is not a stall: a new consumer would not help
            try:
                report = await self.health()
                # Readiness says "stalled" at once; a new member only after twice as long,
                # so a slow first fetch or rebalance is not answered with another rebalance.
                limit = 2 * self.settings.consumer_stall_seconds
                # Records waiting on held partitions only: holding none is normal in a group
                # with more members than partitions, and a slow join must not be cut short.
                waiting = report["assigned_partitions"] > 0 and sum(report["lag"].values()) > 0
                if report["stalled"] and waiting and report["quiet_seconds"] > limit:
                    await self.restart()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer %s: stall check or restart failed", self.group_id)

    async def restart(self) -> None:
        """Stops the Kafka consumer and starts a new one in the same group."""
        if self._subscriber is None:
            return
        log.warning("consumer %s stalled with records waiting: rejoining", self.group_id)
        self.restarts += 1
        metrics.CONSUMER_RESTARTS.labels(self.settings.service_name, self.group_id).inc()
        await self._subscriber.stop()
        self.started_at = time.time()  # the new member gets the full grace period to join
        await self._subscriber.start()

    async def _prune_loop(self) -> None:
        while True:
            try:
                await self.prune()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer %s: pruning processed events failed", self.group_id)
            await asyncio.sleep(self.settings.consumer_prune_interval_seconds)

    async def prune(self) -> int:
        """Deletes this consumer's tracking rows older than the retention."""
        pruned = await prune_processed(
            self.sessions,
            consumer=self.group_id,
            retention=timedelta(days=self.settings.consumer_processed_retention_days),
            batch_size=self.settings.consumer_prune_batch_size,
        )
        if pruned:
            metrics.PROCESSED_PRUNED.labels(self.settings.service_name, self.group_id).inc(pruned)
        return pruned

    # -- the rule ---------------------------------------------------------------------------
    async def handle_records(self, records: Sequence[Record]) -> None:
        """Applies a batch; returns only when every record is applied, skipped or dead-lettered.

        An outage of the database or broker retries the whole batch (already applied events
        are skipped by their tracking rows) until `consumer_retry_window_seconds` pass; then
        InfrastructureFailure asks the caller to rewind the partitions and fetch again.
        """
        started = time.perf_counter()
        window_ends = time.monotonic() + self.infra_retry_window
        attempt = 0
        while True:
            try:
                await self._handle_once(records)
                break
            except Exception as exc:
                if classify(exc) is not Fault.INFRASTRUCTURE:
                    raise
                attempt += 1
                self.infrastructure_retries += 1
                self.infrastructure_error = f"{type(exc).__name__}: {exc}"[:300]
                metrics.CONSUMER_INFRA_RETRIES.labels(
                    self.settings.service_name, self.group_id
                ).inc()
                # A subscriber being stopped waits for this batch: give it back unapplied.
                leaving = self._stopping or not getattr(self._subscriber, "running", True)
                if leaving or time.monotonic() >= window_ends:
                    raise InfrastructureFailure(self.infrastructure_error) from exc
                delay = backoff_seconds(
                    attempt, base=self.infra_retry_base, cap=self.infra_retry_cap
                )
                log.warning(
                    "consumer %s: infrastructure failure (%s), retrying the batch in %.2fs",
                    self.group_id,
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
        self.infrastructure_error = None
        self.batches += 1
        self.last_batch_at = time.time()
        metrics.HANDLER_SECONDS.labels(self.settings.service_name, self.group_id).observe(
            time.perf_counter() - started
        )
        async with self._progress:
            self._progress.notify_all()

    async def _handle_once(self, records: Sequence[Record]) -> None:
        decoded: list[tuple[Record, DecodedEvent]] = []
        malformed: list[tuple[Record, MalformedRecord]] = []
        for record in records:
            try:
                decoded.append((record, record.decode()))
            except MalformedRecord as exc:
                malformed.append((record, exc))
        for record, error in malformed:
            await self._dead_letter(record, error, attempts=1)
        if not decoded:
            return
        try:
            await self._apply_batch(decoded)
        except Exception as exc:
            if classify(exc) is Fault.INFRASTRUCTURE:
                raise
            log.warning(
                "batch of %d failed (%s); applying one by one", len(decoded), type(exc).__name__
            )
            for record, event in decoded:
                await self._apply_one_with_retries(record, event)

    async def _claim(self, session: AsyncSession, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Inserts the tracking rows; returns the ids not seen before.

        A unique key decides, not a check-then-insert: two deliveries racing cannot both win.
        """
        result = await session.execute(
            text(
                "INSERT INTO processed_event (consumer, event_id) "
                "SELECT :consumer, unnest(CAST(:ids AS uuid[])) "
                "ON CONFLICT DO NOTHING RETURNING event_id"
            ),
            {"consumer": self.group_id, "ids": event_ids},
        )
        return {row[0] for row in result}

    async def _apply_batch(self, decoded: list[tuple[Record, DecodedEvent]]) -> None:
        async with self.unit_of_work() as uow:
            fresh = await self._claim(uow.session, [event.id for _, event in decoded])
            # A relay that died before marking its rows sent republishes them, often right
            # beside the first copies: the same id can appear twice in one batch.
            outcomes: list[str] = []
            new: list[tuple[Record, DecodedEvent]] = []
            for record, event in decoded:
                if event.id in fresh:
                    fresh.discard(event.id)
                    new.append((record, event))
                    outcomes.append("applied")
                else:
                    outcomes.append("duplicate")
            # One event or a backlog: the same set-based handler call (a batch of one is
            # traced under the request that caused it).
            if len(new) == 1:
                await self._call_handler(uow, *new[0])
            elif new:
                await self._call_batch_handler(uow, new)
        # Counted per (topic, outcome), not per event: a label lookup per event of a backlog
        # is a few microseconds each.
        counts: dict[tuple[str, str], int] = {}
        for (record, _), outcome in zip(decoded, outcomes, strict=True):
            counts[record.topic, outcome] = counts.get((record.topic, outcome), 0) + 1
        for (topic, outcome), count in counts.items():
            metrics.EVENTS_CONSUMED.labels(
                self.settings.service_name, self._base_topic(topic), outcome
            ).inc(count)

    async def _apply_one_with_retries(self, record: Record, event: DecodedEvent) -> None:
        last: Exception | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self.unit_of_work() as uow:
                    if await self._claim(uow.session, [event.id]):
                        await self._call_handler(uow, record, event)
                metrics.EVENTS_CONSUMED.labels(
                    self.settings.service_name, self._base_topic(record.topic), "applied"
                ).inc()
                return
            except Exception as exc:
                if classify(exc) is Fault.INFRASTRUCTURE:
                    raise  # not the record's fault: never counts toward the DLQ
                last = exc
                log.warning(
                    "event %s (%s) failed attempt %d/%d: %s",
                    event.id,
                    event.type,
                    attempt,
                    self.max_attempts,
                    type(exc).__name__,
                    extra={"aggregate_id": event.subject, "event_type": event.type},
                )
                if attempt < self.max_attempts:
                    await asyncio.sleep(self.retry_base_seconds * 2 ** (attempt - 1))
        assert last is not None
        # Deliberately not claimed: a redriven copy must still be applied (module docstring).
        await self._dead_letter(record, last, attempts=self.max_attempts)

    async def _call_handler(self, uow: UnitOfWork, record: Record, event: DecodedEvent) -> None:
        carrier = {"traceparent": event.traceparent} if event.traceparent else {}
        if event.tracestate:
            carrier["tracestate"] = event.tracestate
        token = otel_context.attach(propagate.extract(carrier))
        aggregate = AGGREGATE_ID.set(event.subject)
        try:
            with tracer.start_as_current_span(
                f"{self._base_topic(record.topic)} process",
                kind=trace.SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": record.topic,
                    "messaging.consumer.group.name": self.group_id,
                    "messaging.message.id": str(event.id),
                    "cloudevents.event_type": event.type,
                    "cloudevents.event_subject": event.subject,
                },
            ):
                await self.handler(uow, [event])
        finally:
            AGGREGATE_ID.reset(aggregate)
            otel_context.detach(token)

    async def _call_batch_handler(
        self, uow: UnitOfWork, new: list[tuple[Record, DecodedEvent]]
    ) -> None:
        links = []
        parent = None  # the first event's trace: a few events of one request stay in it
        for _, event in new:
            if event.traceparent:
                extracted = propagate.extract({"traceparent": event.traceparent})
                ctx = trace.get_current_span(extracted).get_span_context()
                if ctx.is_valid:
                    links.append(trace.Link(ctx))
                    parent = parent or extracted
        token = otel_context.attach(parent) if parent is not None else None
        try:
            await self._batch_span(uow, new, links)
        finally:
            if token is not None:
                otel_context.detach(token)

    async def _batch_span(
        self, uow: UnitOfWork, new: list[tuple[Record, DecodedEvent]], links: list[trace.Link]
    ) -> None:
        attributes: dict[str, Any] = {
            "messaging.system": "kafka",
            "messaging.consumer.group.name": self.group_id,
            "messaging.batch.message_count": len(new),
        }
        last = new[-1][1]
        if all(event.subject == last.subject for _, event in new):
            # One aggregate's events in a row: the span is found by it, and by the last event
            # (whose state the read model ends with).
            attributes |= {
                "messaging.message.id": str(last.id),
                "cloudevents.event_type": last.type,
                "cloudevents.event_subject": last.subject,
            }
        with tracer.start_as_current_span(
            f"{self._base_topic(new[0][0].topic)} process batch",
            kind=trace.SpanKind.CONSUMER,
            links=links[:128],
            attributes=attributes,
        ):
            await self.handler(uow, [event for _, event in new])

    async def _dead_letter(self, record: Record, error: Exception, *, attempts: int) -> None:
        message = str(error)[:1000] or type(error).__name__
        headers = [
            *record.headers,
            ("dlq_error_type", type(error).__name__.encode()),
            ("dlq_error", message.encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_consumer_group", self.group_id.encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        await self._dlq_producer.send_and_wait(
            self.settings.topic(dlq(self.group_id)),
            value=record.value,
            key=record.key,
            headers=headers,
        )
        metrics.DLQ_RECORDS.labels(self.settings.service_name, self.group_id).inc()
        log.error(
            "record %s/%d@%d sent to %s after %d attempt(s): %s",
            record.topic,
            record.partition,
            record.offset,
            dlq(self.group_id),
            attempts,
            type(error).__name__,
        )

    def _base_topic(self, topic: str) -> str:
        return topic.removeprefix(self.settings.platform.rights_topic_prefix)

    # -- read-your-writes -------------------------------------------------------------------
    async def wait_until(self, check: Callable[[], Awaitable[bool]], timeout: float) -> bool:
        """Re-runs `check` after each committed batch until it holds or `timeout` passes.

        Woken by the consumer's progress, not by sleeping: a caller that just saw a write
        elsewhere waits only as long as the events take to arrive.
        """
        deadline = time.monotonic() + timeout
        while True:
            if await check():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            async with self._progress:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._progress.wait(), min(remaining, 0.5))

    # -- health ---------------------------------------------------------------------------
    async def _lag(self, consumer: Any, *, ask_broker: bool = False) -> dict[str, int]:
        """Records between each assigned partition's fetch position and its end, per topic.

        The end is the last fetch's high watermark (free), or with `ask_broker` the broker's
        answer: a consumer whose fetching stopped never learns of new records otherwise.
        """
        lag: dict[str, int] = {}
        assignment = list(consumer.assignment())
        ends: dict[Any, int] = {}
        if ask_broker and assignment:
            with contextlib.suppress(Exception):
                ends = await consumer.end_offsets(assignment)
        for tp in assignment:
            if tp in ends:
                high = ends[tp]
            elif consumer.assignment() and tp in consumer.assignment():
                high = consumer.highwater(tp)
            else:
                continue  # revoked by a rebalance while the broker was asked
            if high is None:
                continue
            try:
                position = await consumer.position(tp)
            except Exception:  # noqa: S112 - no position yet (still joining): no lag to report
                continue
            topic = self._base_topic(tp.topic)
            lag[topic] = lag.get(topic, 0) + max(0, high - position)
        return lag

    async def _record_lag(self, consumer: Any, *, ask_broker: bool = False) -> dict[str, int]:
        lag = await self._lag(consumer, ask_broker=ask_broker)
        for topic, behind in lag.items():
            metrics.CONSUMER_LAG.labels(self.settings.service_name, self.group_id, topic).set(
                behind
            )
        return lag

    async def health(self) -> dict[str, Any]:
        """Running, assigned, and making progress. A consumer that holds partitions with
        records waiting but has applied nothing for `consumer_stall_seconds` is stalled
        (aiokafka can stop fetching after a rebalance or broker restart: issues #1154, #847);
        so is one that has held no partition at all for that long."""
        consumer = getattr(self._subscriber, "consumer", None)
        running = bool(getattr(self._subscriber, "running", False))
        report: dict[str, Any] = {
            "group": self.group_id,
            "running": running,
            "assigned_partitions": 0,
            "lag": {},
            "stalled": False,
            "batches": self.batches,
            "last_batch_at": self.last_batch_at,
            "infrastructure_error": self.infrastructure_error,
            "restarts": self.restarts,
        }
        if consumer is None or not running:
            report["ok"] = False
            return report
        assignment: set[Any] = set()
        with contextlib.suppress(Exception):
            assignment = set(consumer.assignment())
        lag = await self._record_lag(consumer, ask_broker=True) if assignment else {}
        now = time.time()
        quiet_for = now - max(self.last_batch_at or 0.0, self.started_at or now)
        limit = self.settings.consumer_stall_seconds
        stalled = (sum(lag.values()) > 0 and quiet_for > limit) or (
            not assignment and now - (self.started_at or now) > limit
        )
        ok = not stalled and self.infrastructure_error is None
        report.update(
            assigned_partitions=len(assignment),
            lag=lag,
            stalled=stalled,
            ok=ok,
            quiet_seconds=quiet_for if assignment else now - (self.started_at or now),
        )
        return report
