"""The raw two-hop latency probe, e2e_latency's baseline: produce → consume → database commit
→ produce → consume, with plain aiokafka and asyncpg, at the offered load of each e2e level.

The load generator's process (bench.loadgen) produces the pipeline's work.registered records
to topic A on the level's schedule. Here, one hop consumes A, applies each batch as the
exactly-once floor does (claim the ids, upsert, COMMIT), produces the batch to topic B
(idempotent, acks=all, linger 0), then commits its offsets; a last consumer reads B and
notes when each key arrives. Latency: from the record's intended send time to its arrival
from B (open loop: a late send counts against the probe)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from devstack.kafka_access import admin_login

from bench import floor
from bench.common import Latencies
from bench.loadgen import LoadGenerator
from bench.raw_kafka import PARTITIONS, make_topic


def _consumer(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    # As scenario 1's round trip: a fetch returns at once when a record is there.
    return AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, **admin_login(),
                            group_id=f"bench-two-hop-{uuid.uuid4().hex[:8]}",
                            auto_offset_reset="earliest", enable_auto_commit=False,
                            fetch_max_wait_ms=5)


class TwoHop:
    """Topics A and B, the hop and the arrival watcher, running until closed."""

    def __init__(self, bootstrap: str, prefix: str, database_url: str) -> None:
        self.bootstrap = bootstrap
        suffix = uuid.uuid4().hex[:6]
        self.topic_a, self.topic_b = f"{prefix}hop-a-{suffix}", f"{prefix}hop-b-{suffix}"
        self.database_url = database_url
        self.arrived: dict[str, float] = {}
        self.changed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._closers: list[Any] = []

    async def start(self) -> None:
        for topic in (self.topic_a, self.topic_b):
            await make_topic(self.bootstrap, topic, PARTITIONS)
        conn = await floor.connect(self.database_url)
        await floor.prepare(conn)
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, **admin_login(),
                                    enable_idempotence=True, acks="all", linger_ms=0)
        hop, last = _consumer(self.bootstrap, self.topic_a), _consumer(self.bootstrap,
                                                                       self.topic_b)
        for part in (producer, hop, last):
            await part.start()
        self._closers = [hop.stop, last.stop, producer.stop, conn.close]
        for consumer in (hop, last):  # joined and at the start before the first record
            while not consumer.assignment():
                await consumer.getmany(timeout_ms=100)
        self._tasks = [asyncio.create_task(self._hop(hop, conn, producer)),
                       asyncio.create_task(self._watch(last))]

    async def _hop(self, consumer: AIOKafkaConsumer, conn: Any,
                   producer: AIOKafkaProducer) -> None:
        group = f"two-hop-{uuid.uuid4().hex[:6]}"
        while True:
            batch = await consumer.getmany(timeout_ms=1000, max_records=500)
            records = [r for part in batch.values() for r in part]
            if not records:
                continue
            await floor.apply(conn, group, [floor.Decoded(r.headers, r.value) for r in records])
            sent = [await producer.send(self.topic_b, value=r.value, key=r.key,
                                        headers=list(r.headers)) for r in records]
            await asyncio.gather(*sent)
            await consumer.commit()

    async def _watch(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=1000)
            now = time.perf_counter()
            for part in batch.values():
                for record in part:
                    self.arrived.setdefault(record.key.decode(), now)
            if batch:
                self.changed.set()

    async def wait_for(self, keys: list[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not all(k in self.arrived for k in keys):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 1.0))
        return True

    async def measure(self, load: LoadGenerator, *, rate: float, count: int) -> dict[str, Any]:
        """One open-loop schedule through both hops; the latency summary and its histogram."""
        sent = await load.run("produce", bootstrap=self.bootstrap, topic=self.topic_a,
                              rate=rate, count=count)
        keys = [k for k, _, _ in sent.answers if k]
        complete = await self.wait_for(keys, timeout=60)
        hist = Latencies()
        for key, intended, _ in sent.answers:
            if key and key in self.arrived:
                hist.record_seconds(self.arrived[key] - intended)
        return {"offered_per_s": round(rate, 1), "records": count, "complete": complete,
                "errors": count - len(keys), "first_error": sent.first_error,
                "latency": hist.summary_ms(), "latency_hist": hist}

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for close in self._closers:
            with contextlib.suppress(Exception):
                await close()


SETUP = ("raw two-hop probe after each level, at its offered rate and with the same number of "
         "records (its own topics and consumers, started for its turn only): the "
         "load generator produces work.registered records (idempotent, acks=all, linger 0) "
         "to A (6 partitions); one hop consumes A (fetch_max_wait 5 ms), applies the batch as "
         "the exactly-once floor (claim ids, upsert, COMMIT), produces it to B, commits "
         "offsets; a consumer of B notes arrivals; latency from the intended send")
