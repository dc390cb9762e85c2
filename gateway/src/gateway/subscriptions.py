"""Live updates: a Kafka consumer per gateway instance feeding an in-process publish/subscribe hub.

Each instance has its own consumer group (every instance must see every event to serve its
own WebSocket subscribers) and starts at the end of the topics: a subscription delivers what
happens after it starts. Events only say *what* changed; the subscription re-reads the
object through the services with the subscriber's token, so nobody sees what they may not.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from contracts import topics

log = logging.getLogger("gateway.subscriptions")

# Which subscription kind a topic's events concern, keyed by the record's subject.
TOPIC_KINDS = {
    topics.FILING_WORKS: "work",
    topics.LICENSING_LICENCES: "licence",
    topics.LICENSING_ROYALTIES: "licence",
    topics.NOTIFICATIONS_DELIVERIES: "notification",
}
QUEUE_SIZE = 100


@dataclass(frozen=True)
class Update:
    kind: str  # "work" | "licence" | "notification"
    key: str  # work id, licence id, or the recipient's party id
    event_type: str
    data: dict[str, Any] = field(default_factory=dict)


class UpdateHub:
    """Fans updates out to the subscriptions listening for that (kind, key)."""

    def __init__(self) -> None:
        self._queues: dict[tuple[str, str], set[asyncio.Queue[Update]]] = defaultdict(set)
        self.ready = asyncio.Event()

    @contextlib.asynccontextmanager
    async def listen(self, kind: str, key: str) -> AsyncIterator[asyncio.Queue[Update]]:
        queue: asyncio.Queue[Update] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._queues[(kind, key)].add(queue)
        try:
            yield queue
        finally:
            listeners = self._queues.get((kind, key))
            if listeners is not None:
                listeners.discard(queue)
                if not listeners:
                    del self._queues[(kind, key)]

    def publish(self, update: Update) -> None:
        for queue in list(self._queues.get((update.kind, update.key), ())):
            if queue.full():
                # A slow subscriber loses its oldest update, never blocks the others.
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(update)

    @property
    def listener_count(self) -> int:
        return sum(len(q) for q in self._queues.values())


def update_from_record(topic: str, key: bytes | None, value: bytes | None,
                       headers: list[tuple[str, bytes]]) -> Update | None:
    """A Kafka record (CloudEvents binary mode) as an Update, or None when it is not one."""
    kind = TOPIC_KINDS.get(topic)
    if kind is None:
        return None
    header = {name: raw.decode("utf-8", "replace") for name, raw in headers or []}
    subject = header.get("ce_subject") or (key.decode("utf-8", "replace") if key else "")
    if not subject:
        return None
    try:
        data = json.loads(value) if value else {}
    except ValueError:
        return None
    if not isinstance(data, dict):
        data = {}
    return Update(kind=kind, key=subject, event_type=header.get("ce_type", ""), data=data)


class KafkaUpdateFeed:
    """Consumes the topics and publishes to the hub until stopped."""

    def __init__(
        self,
        hub: UpdateHub,
        bootstrap_servers: str,
        topic_prefix: str,
        security: dict[str, Any] | None = None,
        *,
        replication: tuple[int, int] = (1, 1),
    ):
        self.hub = hub
        self.bootstrap_servers = bootstrap_servers
        self.security = security or {}
        # (KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS) of a topic it creates first.
        self.replication = replication
        self.prefix = topic_prefix
        self.group_id = f"{topic_prefix}gateway-{uuid.uuid4()}"
        self._task: asyncio.Task[None] | None = None
        self._consumer: Any = None

    async def start(self) -> None:
        """Starts in the background: queries are served while Kafka is still unreachable."""
        self._task = asyncio.create_task(self._connect_and_run(), name="gateway-update-feed")

    async def _connect_and_run(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._connect()
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("update feed: Kafka not reachable (%s); retrying", type(exc).__name__)
                if self._consumer is not None:
                    with contextlib.suppress(Exception):
                        await self._consumer.stop()
                    self._consumer = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        await self._run()

    async def _connect(self) -> None:
        from aiokafka import AIOKafkaConsumer
        from aiokafka.abc import ConsumerRebalanceListener
        from runtime.kafka import ensure_topics

        feed = self

        class _Ready(ConsumerRebalanceListener):
            async def on_partitions_revoked(self, revoked: Any) -> None:
                return None

            async def on_partitions_assigned(self, assigned: Any) -> None:
                # Resolve the start positions now, so "ready" means nothing later is missed.
                for tp in assigned:
                    await feed._consumer.position(tp)
                if assigned:
                    feed.hub.ready.set()

        # The services create their topics too; whoever comes first, the topics are the
        # contract's (same names and partition counts), so the gateway can subscribe at once.
        await ensure_topics(
            self.bootstrap_servers,
            [(self.prefix + name, name) for name in TOPIC_KINDS],
            replication_factor=self.replication[0],
            min_insync_replicas=self.replication[1],
            security=self.security,
        )
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            **self.security,
            group_id=self.group_id,
            auto_offset_reset="latest",
            enable_auto_commit=True,
            metadata_max_age_ms=5000,
        )
        await self._consumer.start()
        self._consumer.subscribe(
            topics=[self.prefix + name for name in TOPIC_KINDS], listener=_Ready()
        )

    async def _run(self) -> None:
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=500)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("update feed: fetch failed; retrying")
                await asyncio.sleep(1)
                continue
            for tp, records in batches.items():
                base = tp.topic.removeprefix(self.prefix)
                for record in records:
                    update = update_from_record(base, record.key, record.value, record.headers)
                    if update is not None:
                        self.hub.publish(update)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()
