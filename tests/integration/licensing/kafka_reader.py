"""Reads a topic of this run from the beginning, for assertions on what was published."""

from __future__ import annotations

import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from contracts.envelope import DecodedEvent, decode
from devstack.kafka_access import admin_login


async def read_until(
    bootstrap: str,
    topic: str,
    found: Callable[[list[DecodedEvent]], bool],
    *,
    within: float = 20.0,
) -> list[DecodedEvent]:
    """Decoded events of `topic` (full name), read until `found(events)` holds."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, **admin_login(), auto_offset_reset="earliest",
        enable_auto_commit=False, group_id=None,
    )
    await consumer.start()
    seen: list[DecodedEvent] = []
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    seen.append(decode(record.value, list(record.headers), key=record.key))
            if found(seen):
                return seen
        raise AssertionError(f"{topic}: expected events not seen within {within}s")
    finally:
        await consumer.stop()


async def read_raw_until(
    bootstrap: str, topic: str, found: Callable[[list[object]], bool], *, within: float = 20.0
) -> list[object]:
    """Raw records of `topic`, read until `found(records)` holds."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, **admin_login(), auto_offset_reset="earliest",
        enable_auto_commit=False, group_id=None,
    )
    await consumer.start()
    seen: list[object] = []
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                seen.extend(records)
            if found(seen):
                return seen
        raise AssertionError(f"{topic}: expected records not seen within {within}s")
    finally:
        await consumer.stop()
