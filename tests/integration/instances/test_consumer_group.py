"""Two licensing processes in one consumer group: they split the partitions, each event is
applied once in all, and when one is killed the survivor takes its partitions over."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from contracts.envelope import encode
from contracts.events import PartyRegistered, PartyState
from contracts.topics import FILING_PARTIES, FILING_WORKS, PARTITIONS
from devstack.kafka_access import admin_login
from devstack.polling import eventually
from runtime.kafka import reliable_producer
from runtime.settings import PlatformSettings

from .conftest import StartInstances
from .instances import Instance, Instances

pytestmark = pytest.mark.slow

HALF = 200
APPLIED = "rights_events_consumed_total"


def party_registered(n: int) -> PartyRegistered:
    return PartyRegistered(
        occurred_at=datetime.now(UTC),
        party=PartyState(id=uuid.uuid4(), name=f"Party {n}", kind="PERSON", country="TH")
    )


async def publish(producer: AIOKafkaProducer, topic: str, events: list[PartyRegistered]) -> None:
    """Each event under an id of its own, keyed by its party: spread over every partition."""
    for event in events:
        record = encode(event, event_id=uuid.uuid4())
        await producer.send(topic, value=record.value, key=record.key, headers=record.headers)
    await producer.flush()


async def applied_by(instance: Instance, instances: Instances) -> float:
    return await instance.counter(
        instances.http, APPLIED, topic=FILING_PARTIES, outcome="applied"
    )


async def held_partitions(instances: Instances) -> list[int]:
    reports: list[dict[str, Any]] = [await i.ready(instances.http) for i in instances.each]
    return [r["consumers"][0]["assigned_partitions"] if r["consumers"] else 0 for r in reports]


async def test_two_instances_split_the_partitions_and_the_survivor_of_a_kill_applies_the_rest(
    start_instances: StartInstances,
) -> None:
    instances = await start_instances("licensing", "instances_licensing")
    first, second = instances.each
    every_partition = PARTITIONS[FILING_PARTIES] + PARTITIONS[FILING_WORKS]

    async def split() -> bool:
        held = await held_partitions(instances)
        return all(held) and sum(held) == every_partition

    await eventually(split, timeout=90, what="both instances holding partitions of the group")

    producer = reliable_producer(PlatformSettings().kafka_bootstrap_servers, **admin_login())
    await producer.start()
    try:
        topic = instances.topic_prefix + FILING_PARTIES
        await publish(producer, topic, [party_registered(n) for n in range(HALF)])

        async def processed(wanted: int) -> bool:
            return bool(await instances.scalar("SELECT count(*) FROM processed_event") >= wanted)

        await eventually(lambda: processed(HALF), timeout=90, what="the first half applied")
        # Each applied some, and together each event exactly once.
        each = [await applied_by(i, instances) for i in instances.each]
        assert all(n > 0 for n in each), each
        assert sum(each) == HALF

        second.kill()  # SIGKILL: it leaves the group only when its session times out
        await second.running.process.wait()
        before = await applied_by(first, instances)
        await publish(producer, topic, [party_registered(n) for n in range(HALF, 2 * HALF)])
        await eventually(lambda: processed(2 * HALF), timeout=120, what="the second half applied")
    finally:
        await producer.stop()

    # The survivor applied all of the second half (some of it on the dead one's partitions)
    # once each, and nothing the dead one had applied again.
    assert await applied_by(first, instances) - before == HALF
    assert await instances.scalar("SELECT count(*) FROM processed_event") == 2 * HALF
    assert await instances.scalar("SELECT count(*) FROM register_party") == 2 * HALF
    assert await first.counter(instances.http, "rights_dlq_records_total") == 0
