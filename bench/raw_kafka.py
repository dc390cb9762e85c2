"""Scenario 1, the baseline: raw aiokafka produce, consume and round trip on the same broker,
of the very records the pipeline carries (filing's work events: same values, same ce_* headers,
same keys), generated before any clock starts."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from contracts.envelope import KafkaRecord
from devstack.kafka_access import admin_login

from bench.common import Latencies
from bench.events import FilingStream
from bench.platform import profiling_self

PARTITIONS = 6


async def make_topic(bootstrap: str, name: str, partitions: int = PARTITIONS) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **admin_login())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()


def producer(bootstrap: str, **options: Any) -> AIOKafkaProducer:
    settings: dict[str, Any] = {"enable_idempotence": True, "acks": "all", "linger_ms": 5,
                                "max_batch_size": 256 * 1024, **options}
    return AIOKafkaProducer(bootstrap_servers=bootstrap, **admin_login(), **settings)


def pipeline_records(count: int, parties: int = 200) -> list[KafkaRecord]:
    """`count` records as the pipeline's backlog holds them: the parties, then work.filed /
    work.registered pairs (built here, outside every timed loop)."""
    stream = FilingStream(parties)
    found = list(itertools.islice(stream.parties(), count))
    found += itertools.islice(stream.works((count - len(found) + 1) // 2), count - len(found))
    return found


async def produce_records(bootstrap: str, records: Sequence[KafkaRecord], *,
                          topic: str | None = None, prefix: str = "", window: int = 5000,
                          **producer_options: Any) -> dict[str, Any]:
    """Raw produce of records built beforehand (key, value and headers as given), pipelined:
    `window` sends in flight, then awaited. To `topic`, or each record's own topic behind
    `prefix`. The baseline any producer of the same records (the outbox relay) is set against.
    Returns records, seconds and per_s."""
    prod = producer(bootstrap, **producer_options)
    await prod.start()
    try:
        started = time.perf_counter()
        pending: list[Any] = []
        for record in records:
            pending.append(await prod.send(topic or prefix + record.topic, value=record.value,
                                           key=record.key, headers=record.headers))
            if len(pending) >= window:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        elapsed = time.perf_counter() - started
    finally:
        await prod.stop()
    return {"records": len(records), "seconds": round(elapsed, 2),
            "per_s": round(len(records) / elapsed)}


async def produce(bootstrap: str, topic: str, records: Sequence[KafkaRecord]) -> float:
    """Records per second, idempotent acks=all, pipelined (futures gathered in windows)."""
    return float((await produce_records(bootstrap, records, topic=topic))["per_s"])


async def consume(bootstrap: str, topic: str, count: int) -> float:
    """Records per second read by a fresh group with manual commits per batch."""
    return await read_rate(bootstrap, [topic], f"bench-{uuid.uuid4().hex}", count)


async def read_rate(bootstrap: str, topics: list[str], group: str, count: int) -> float:
    """Records per second a plain consumer of a new group reads (getmany, a commit per batch),
    timed from its first batch until `count` records."""
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, **admin_login(),
                                group_id=group, auto_offset_reset="earliest",
                                enable_auto_commit=False, max_poll_records=1000)
    await consumer.start()
    try:
        seen = 0
        started = None
        while seen < count:
            batch = await consumer.getmany(timeout_ms=1000, max_records=1000)
            if started is None and batch:
                started = time.perf_counter()
            seen += sum(len(v) for v in batch.values())
            if batch:
                await consumer.commit()
        assert started is not None
        return count / (time.perf_counter() - started)
    finally:
        await consumer.stop()


async def round_trip(bootstrap: str, topic: str, count: int,
                     records: Sequence[KafkaRecord]) -> Latencies:
    """Closed loop: send one record, wait until the consumer has it, repeat."""
    # No linger here: a waiting record is sent at once, the fastest the broker allows.
    prod = AIOKafkaProducer(bootstrap_servers=bootstrap, **admin_login(), enable_idempotence=True,
                            acks="all",
                            linger_ms=0)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, **admin_login(),
                                group_id=f"rt-{uuid.uuid4().hex}",
                                auto_offset_reset="latest", enable_auto_commit=False,
                                fetch_max_wait_ms=5)
    await prod.start()
    await consumer.start()
    # Wait for the assignment before measuring, or the first samples include the join.
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=100)
    for tp in consumer.assignment():
        await consumer.seek_to_end(tp)
    hist = Latencies()
    try:
        for n in range(count + 100):
            record = records[n % len(records)]
            started = time.perf_counter()
            await prod.send_and_wait(topic, value=record.value, key=record.key,
                                     headers=record.headers)
            got = False
            while not got:
                batch = await consumer.getmany(timeout_ms=1000)
                got = any(batch.values())
            if n >= 100:  # the first 100 are the warm-up
                hist.record_seconds(time.perf_counter() - started)
        return hist
    finally:
        await consumer.stop()
        await prod.stop()


async def run(bootstrap: str, prefix: str, *, count: int, rt_count: int,
              profile_dir: Path | None = None) -> dict[str, Any]:
    profiles: dict[str, Any] = {}
    records = pipeline_records(count)
    sizes = sorted(len(r.value) for r in records)
    topic = f"{prefix}raw-{uuid.uuid4().hex[:6]}"
    await make_topic(bootstrap, topic)
    warm = f"{prefix}raw-warm-{uuid.uuid4().hex[:6]}"
    await make_topic(bootstrap, warm)
    await produce(bootstrap, warm, records[:5000])  # warm-up: connections, page cache
    await consume(bootstrap, warm, min(5000, len(records)))
    with profiling_self(profile_dir, "raw produce", profiles):
        produce_rate = await produce(bootstrap, topic, records)
    with profiling_self(profile_dir, "raw consume", profiles):
        consume_rate = await consume(bootstrap, topic, count)
    rt_topic = f"{prefix}raw-rt-{uuid.uuid4().hex[:6]}"
    await make_topic(bootstrap, rt_topic, 1)
    latency = await round_trip(bootstrap, rt_topic, rt_count, records[-200:])
    return {
        "setup": {"records": count,
                  "record": "the pipeline's filing events (200 party.registered, then "
                            "work.filed/work.registered pairs) with their 8 ce_* headers and "
                            f"keys; values {sizes[0]}-{sizes[-1]} B (median "
                            f"{sizes[len(sizes) // 2]} B), built before the clock starts",
                  "partitions": PARTITIONS,
                  "producer": "aiokafka, enable_idempotence, acks=all, linger 5 ms, 256 KiB "
                              "batches, pipelined (5,000 sends in flight, then awaited)",
                  "consumer": "aiokafka getmany(1000) + commit per batch, fresh group",
                  "round_trip": f"{rt_count} sequential produce (send_and_wait, idempotent, "
                                "acks=all, "
                                "linger 0) -> consume (fetch_max_wait 5 ms) on 1 partition, "
                                "100 warm-up",
                  "warm_up": "5,000 records produced and consumed on a separate topic first"},
        "record_bytes": sizes[len(sizes) // 2],
        "produce_per_s": round(produce_rate),
        "consume_per_s": round(consume_rate),
        "round_trip": latency.summary_ms(),
        "round_trip_hist": latency,
        "profiles": profiles,
    }
