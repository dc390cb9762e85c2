"""Dead letters are not lost: an event the handler could not apply is NOT recorded as
processed, `python -m runtime.deadletters` lists and shows it, and redriving it (twice) once
the cause is fixed applies it exactly once, in key order, against the real broker and
database."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from contracts.envelope import DecodedEvent
from contracts.events import PartyRegistered
from contracts.topics import dlq
from devstack.polling import eventually
from runtime.db import create_engine
from runtime.settings import PlatformSettings, ServiceSettings
from runtime.uow import UnitOfWork
from sqlalchemy import text

from .party_stream import create_tables, party, party_stream

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]


async def deadletters(prefix: str, *args: str) -> str:
    """Runs the command as an operator would (a process of its own; the loop keeps running
    the consumer meanwhile)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "runtime.deadletters",
        *args,
        env=os.environ | {"RIGHTS_TOPIC_PREFIX": prefix},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, out.decode() + err.decode()
    return out.decode()


async def test_dead_letter_is_listed_and_redriving_it_twice_applies_it_once(
    create_database: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    prefix = f"{topic_prefix}redrive-{uuid.uuid4().hex[:6]}."
    url = await create_database(f"redrive_{uuid.uuid4().hex[:6]}")
    service = ServiceSettings(
        kafka_principal="admin",  # the test's own topics and groups
        service_name="redrive-test",
        database_url=url,
        consumer_max_attempts=2,
        platform=PlatformSettings(rights_topic_prefix=prefix),
    )
    engine = create_engine(url)
    await create_tables(engine, "CREATE TABLE seen (event_id uuid NOT NULL, name text)")
    broken = {"needs a fix"}  # the handler's bug, fixed later in the test

    async def handler(uow: UnitOfWork, events: Sequence[DecodedEvent]) -> None:
        session = uow.session
        for event in events:
            assert isinstance(event.data, PartyRegistered)
            if event.data.party.name in broken:
                raise ValueError("party names of this shape are not supported yet")
            await session.execute(
                text("INSERT INTO seen VALUES (:i, :n)"),
                {"i": event.id, "n": event.data.party.name},
            )

    group = "redrive"
    stream = await party_stream(
        kafka_bootstrap=kafka_bootstrap, service=service, engine=engine, group=group,
        handler=handler,
    )
    stream.consumer.retry_base_seconds = 0.01
    topic, produce = stream.topic, stream.send

    async def names() -> list[str]:
        async with engine.connect() as conn:
            return sorted(r[0] for r in await conn.execute(text("SELECT name FROM seen")))

    async def tracked(event_id: uuid.UUID) -> bool:
        async with engine.connect() as conn:
            return bool(
                await conn.scalar(
                    text("SELECT count(*) FROM processed_event WHERE event_id = :i"),
                    {"i": event_id},
                )
            )

    await stream.start()
    try:
        failing = party("needs a fix")
        failing_id = await produce(failing)
        await produce(party("Suda"))
        listed: list[dict[str, Any]] = []

        async def dead_lettered() -> bool:
            listed[:] = json.loads(await deadletters(prefix, "list", "--json"))
            return bool(listed) and "Suda" in await names()

        await eventually(dead_lettered, timeout=60, what="the failing event in the DLQ")
        assert not await tracked(failing_id)  # a dead letter is not "processed"
        [letter] = listed
        assert letter["event_id"] == str(failing_id)
        assert letter["error_type"] == "ValueError"
        assert "not supported yet" in letter["error"]
        assert letter["original_topic"] == topic
        assert letter["attempts"] == "2"
        assert letter["ref"].startswith(f"{dlq(group)}:")
        shown = json.loads(await deadletters(prefix, "show", letter["ref"]))
        assert shown["value"]["party"]["name"] == "needs a fix"
        assert shown["original_offset"] == letter["original_offset"]

        broken.clear()
        for _ in range(2):  # an operator who redrives twice changes nothing more
            out = await deadletters(prefix, "redrive", letter["ref"])
            assert out.startswith(f"{letter['ref']} -> {topic}:{letter['original_partition']}:")
        # Same key, so the same partition, after both copies: once it is applied, they were.
        await produce(party("sentinel", failing.party.id))

        async def sentinel_applied() -> bool:
            return "sentinel" in await names()

        await eventually(sentinel_applied, timeout=60, what="the redriven copies consumed")
    finally:
        await stream.stop()
    assert await names() == ["Suda", "needs a fix", "sentinel"]
    assert await tracked(failing_id)
    assert len(json.loads(await deadletters(prefix, "list", "--json"))) == 1  # nothing new died
    await engine.dispose()
