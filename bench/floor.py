"""The exactly-once floor: the least a consumer can do and still apply each event once.

A minimal aiokafka + asyncpg program that does, per batch, the durable work every consumer of
the platform must do: read the batch, decode the CloudEvents headers and `json.loads` the
value, claim the event ids (`INSERT … SELECT unnest(…) ON CONFLICT DO NOTHING RETURNING`),
upsert one read-model row per subject of the fresh events (newest event wins, set-based),
commit, then commit the offsets. No framework, no ORM, no validation beyond JSON: a consumer
at 1.0 of this figure has no overhead left but its own domain logic.

`pipeline` runs it on the very topics and records the licensing and notifications consumers
drain, giving `pipeline.ratio_to_floor`; `two_hop` (e2e_latency's baseline) uses `apply` as
its database step.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer
from devstack.kafka_access import admin_login

from bench.common import url_of
from bench.consumers import Progress

SCHEMA = """
CREATE TABLE IF NOT EXISTS processed_event (
    consumer text NOT NULL, event_id uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (consumer, event_id));
CREATE TABLE IF NOT EXISTS floor_subject (
    id text PRIMARY KEY, type text NOT NULL, title text, status text,
    last_event_id uuid NOT NULL, last_event_at timestamptz NOT NULL);
"""

CLAIM = ("INSERT INTO processed_event (consumer, event_id) SELECT $1, unnest($2::uuid[]) "
         "ON CONFLICT DO NOTHING RETURNING event_id")
UPSERT = """
INSERT INTO floor_subject (id, type, title, status, last_event_id, last_event_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::uuid[],
                     $6::timestamptz[])
ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, title = EXCLUDED.title,
    status = EXCLUDED.status, last_event_id = EXCLUDED.last_event_id,
    last_event_at = EXCLUDED.last_event_at
WHERE floor_subject.last_event_at <= EXCLUDED.last_event_at
"""


class Decoded:
    """What the floor reads of a record: its id, type, subject and time, and two fields."""

    __slots__ = ("id", "status", "subject", "time", "title", "type")

    def __init__(self, headers: Sequence[tuple[str, bytes]], value: bytes) -> None:
        h = dict(headers)
        self.id = uuid.UUID(h["ce_id"].decode())
        self.type = h["ce_type"].decode()
        self.subject = h["ce_subject"].decode()
        self.time = datetime.fromisoformat(h["ce_time"].decode())
        data: dict[str, Any] = json.loads(value)
        state = data.get("work") or data.get("party") or {}
        self.title = state.get("title") or state.get("name")
        self.status = state.get("status")


def latest_per_subject(events: Sequence[Decoded], fresh: set[uuid.UUID]) -> list[Decoded]:
    """The fresh events, one per subject (the last in record order: an upsert statement may
    touch a row once)."""
    chosen: dict[str, Decoded] = {}
    for event in events:
        if event.id in fresh:
            chosen[event.subject] = event
    return list(chosen.values())


async def prepare(conn: asyncpg.Connection) -> None:
    await conn.execute(SCHEMA)


async def apply(conn: asyncpg.Connection, consumer: str, events: Sequence[Decoded]) -> int:
    """One transaction: claim the ids, upsert the fresh events' rows, commit. Returns the
    number of fresh events."""
    async with conn.transaction():
        fresh = {row[0] for row in await conn.fetch(CLAIM, consumer, [e.id for e in events])}
        rows = latest_per_subject(events, fresh)
        if rows:
            await conn.execute(UPSERT, [r.subject for r in rows], [r.type for r in rows],
                               [r.title for r in rows], [r.status for r in rows],
                               [r.id for r in rows], [r.time for r in rows])
    return len(fresh)


async def connect(database_url: str) -> asyncpg.Connection:
    # Loopback without TLS, as the services connect (runtime.db.connect_args).
    return await asyncpg.connect(url_of(database_url), ssl=False)


async def drain(bootstrap: str, topics: list[str], database_url: str, *, total: int,
                warmup: int, batch_size: int, timeout: float) -> dict[str, Any]:
    """Applies a waiting backlog of `total` events from `topics` with a new group; timed as
    bench.consumers times the services (first commit past `warmup` to the last commit)."""
    conn = await connect(database_url)
    await prepare(conn)
    group = f"bench-floor-{uuid.uuid4().hex[:8]}"
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, **admin_login(),
                                group_id=group, auto_offset_reset="earliest",
                                enable_auto_commit=False, max_poll_records=batch_size)
    await consumer.start()
    progress = Progress()
    deadline = time.monotonic() + timeout
    try:
        while progress.applied < total and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=1000, max_records=batch_size)
            records = [r for part in batch.values() for r in part]
            if not records:
                continue
            events = [Decoded(r.headers, r.value) for r in records]
            await apply(conn, group, events)
            await consumer.commit()
            progress.applied += len(records)
            progress.batches.append((time.perf_counter(), progress.applied))
    finally:
        await consumer.stop()
        await conn.close()
    result = progress.rate_after(warmup)
    result["complete"] = progress.applied >= total
    result["applied_total"] = progress.applied
    return result


SETUP = ("aiokafka getmany + asyncpg, one process: per batch decode the ce_* headers and "
         "json.loads the value; one transaction: claim the ids (INSERT ... SELECT unnest(...) "
         "ON CONFLICT DO NOTHING RETURNING), upsert one row per subject of the fresh events "
         "(unnest, newest wins), COMMIT; then commit the offsets")
