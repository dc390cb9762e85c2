"""Reads a topic of this run from the beginning, for assertions on what was published."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord
from contracts.envelope import DecodedEvent, decode
from devstack.kafka_access import admin_login

Record: TypeAlias = ConsumerRecord[Any, Any]
Seen = TypeVar("Seen")


async def _read_until(
    bootstrap: str,
    topic: str,
    convert: Callable[[Record], Seen],
    found: Callable[[list[Seen]], bool],
    within: float,
) -> list[Seen]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, **admin_login(), auto_offset_reset="earliest",
        enable_auto_commit=False, group_id=None,
    )
    await consumer.start()
    seen: list[Seen] = []
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                seen.extend(convert(record) for record in records)
            if found(seen):
                return seen
        raise AssertionError(f"{topic}: expected records not seen within {within}s")
    finally:
        await consumer.stop()


async def read_until(
    bootstrap: str,
    topic: str,
    found: Callable[[list[DecodedEvent]], bool],
    *,
    within: float = 20.0,
) -> list[DecodedEvent]:
    """Decoded events of `topic` (full name), read until `found(events)` holds."""

    def decoded(record: Record) -> DecodedEvent:
        return decode(record.value, list(record.headers), key=record.key)

    return await _read_until(bootstrap, topic, decoded, found, within)


async def read_raw_until(
    bootstrap: str, topic: str, found: Callable[[list[Record]], bool], *, within: float = 20.0
) -> list[Record]:
    """Raw records of `topic`, read until `found(records)` holds."""
    return await _read_until(bootstrap, topic, lambda record: record, found, within)
