"""`rights dead-letters list | show | redrive` over a consumer's real dead-letter topic: the
dead letter is listed with its error, shown in full, and redriving it twice (once the cause
is fixed) applies it once: the runtime's redrive path, exactly once."""

from __future__ import annotations

import json
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

from tests.integration.runtime.party_stream import create_tables, party, party_stream

from .conftest import Rights

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]


async def test_dead_letter_listed_shown_and_redriven_twice_is_applied_once(
    rights: Rights, create_database: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    prefix = f"{topic_prefix}ops-dlq-{uuid.uuid4().hex[:6]}."
    env = {"RIGHTS_TOPIC_PREFIX": prefix}
    url = await create_database(f"ops_dlq_{uuid.uuid4().hex[:6]}")
    service = ServiceSettings(
        kafka_principal="admin", service_name="ops-dlq-test", database_url=url,
        consumer_max_attempts=2, platform=PlatformSettings(rights_topic_prefix=prefix),
    )
    engine = create_engine(url)
    await create_tables(engine, "CREATE TABLE seen (event_id uuid NOT NULL, name text)")
    broken = {"needs a fix"}

    async def handler(uow: UnitOfWork, events: Sequence[DecodedEvent]) -> None:
        for event in events:
            assert isinstance(event.data, PartyRegistered)
            if event.data.party.name in broken:
                raise ValueError("party names of this shape are not supported yet")
            await uow.session.execute(text("INSERT INTO seen VALUES (:i, :n)"),
                                      {"i": event.id, "n": event.data.party.name})

    group = "opsdlq"
    stream = await party_stream(kafka_bootstrap=kafka_bootstrap, service=service,
                                engine=engine, group=group, handler=handler)
    stream.consumer.retry_base_seconds = 0.01

    async def seen(name: str) -> int:
        async with engine.connect() as conn:
            return int(await conn.scalar(text("SELECT count(*) FROM seen WHERE name = :n"),
                                         {"n": name}))

    await stream.start()
    try:
        failing = party("needs a fix")
        failing_id = await stream.send(failing)
        listed: list[dict[str, Any]] = []

        async def dead_lettered() -> bool:
            result = await rights("dead-letters", "list", "--json", env=env)
            assert result.exit_code == 0, result.output
            listed[:] = json.loads(result.output)
            return bool(listed)

        await eventually(dead_lettered, timeout=60, what="the failing event in the DLQ")
        [letter] = listed
        assert letter["event_id"] == str(failing_id)
        assert letter["error_type"] == "ValueError"
        assert letter["ref"].startswith(f"{dlq(group)}:")
        table = await rights("dead-letters", "list", env=env | {"COLUMNS": "300"})
        assert letter["ref"] in table.output and "not supported yet" in table.output

        shown = await rights("dead-letters", "show", letter["ref"], env=env)
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.output)["value"]["party"]["name"] == "needs a fix"

        broken.clear()
        for _ in range(2):
            redriven = await rights("dead-letters", "redrive", letter["ref"], "--json", env=env)
            assert redriven.exit_code == 0, redriven.output
            assert json.loads(redriven.output)["redriven_to"].startswith(
                f"{stream.topic}:{letter['original_partition']}:")
        # Same key, same partition, after both copies: once it is applied, they were.
        await stream.send(party("sentinel", failing.party.id))

        async def sentinel() -> bool:
            return await seen("sentinel") == 1

        await eventually(sentinel, timeout=60, what="the redriven copies consumed")
        assert await seen("needs a fix") == 1
    finally:
        await stream.stop()
        await engine.dispose()


async def test_an_unknown_dead_letter_is_refused_naming_it(rights: Rights, topic_prefix: str) -> None:
    env = {"RIGHTS_TOPIC_PREFIX": f"{topic_prefix}ops-none."}
    result = await rights("dead-letters", "show", "licensing.dlq:0:999999", env=env)
    assert result.exit_code == 2
    assert "no dead letter at licensing.dlq:0:999999" in result.output
