"""Two filing processes, each with its outbox relay running over the one database: commands
through both, and every outbox row is on the topic exactly once, in outbox order per party."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Callable

import pytest
from contracts.envelope import DecodedEvent
from contracts.events import PartyEvent
from contracts.topics import FILING_PARTIES
from runtime.settings import PlatformSettings
from sqlalchemy import text

from ..licensing.kafka_reader import read_until
from .conftest import StartInstances
from .instances import Instances

pytestmark = pytest.mark.slow

PARTIES = 40
UPDATES = 5  # per party, after its registration: each a new version of it


async def sign_up_and_rename(
    instances: Instances, party: uuid.UUID, token: str
) -> None:
    """A party's commands, one after another, each through the next instance in turn."""
    headers = {"Authorization": f"Bearer {token}"}
    for step in range(UPDATES + 1):
        url = f"{instances.each[step % 2].url}/parties/{party}"
        if step == 0:
            body = {"name": "Dewi Lestari", "kind": "PERSON", "country": "ID"}
            answer = await instances.http.put(url, json=body, headers=headers)
        else:
            answer = await instances.http.patch(url, json={"name": f"Dewi {step}"}, headers=headers)
        assert answer.status_code < 300, answer.text


async def relays_running(instances: Instances) -> list[bool]:
    return [
        (await i.ready(instances.http))["outbox_relay"]["running"] for i in instances.each
    ]


async def test_two_relays_publish_every_outbox_row_once_in_order_per_aggregate(
    start_instances: StartInstances, token_for: Callable[..., str]
) -> None:
    instances = await start_instances("filing", "instances_filing")
    parties = [uuid.uuid4() for _ in range(PARTIES)]
    await asyncio.gather(*(sign_up_and_rename(instances, p, token_for(p)) for p in parties))
    total = PARTIES * (UPDATES + 1)

    seen = await read_until(
        PlatformSettings().kafka_bootstrap_servers,
        instances.topic_prefix + FILING_PARTIES,
        lambda events: len(events) >= total,
        within=60,
    )
    assert await relays_running(instances) == [True, True]

    async with instances.engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT event_id, key, sent_at FROM outbox ORDER BY id"))
        ).all()
    assert len(rows) == total and all(row.sent_at is not None for row in rows)
    outbox_order: dict[str, list[uuid.UUID]] = defaultdict(list)
    for row in rows:
        outbox_order[row.key.decode()].append(row.event_id)
    published: dict[str, list[DecodedEvent]] = defaultdict(list)
    for event in seen:
        published[event.subject].append(event)

    assert len(seen) == total and len({e.id for e in seen}) == total  # each row once
    assert {k: [e.id for e in v] for k, v in published.items()} == dict(outbox_order)
    for events in published.values():
        versions = [e.data.version for e in events if isinstance(e.data, PartyEvent)]
        assert versions == sorted(versions) and len(set(versions)) == UPDATES + 1
    # Both relays took turns (each commit's NOTIFY wakes both; the advisory lock picks one),
    # and between them they published each row once.
    each = [
        await i.counter(instances.http, "rights_events_published_total", topic=FILING_PARTIES)
        for i in instances.each
    ]
    assert all(n > 0 for n in each) and sum(each) == total, each
