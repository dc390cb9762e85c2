"""Scale-out on the three-broker cluster (replication 3, min ISR 2): three instances of each
service, each consumer group's partitions shared among its three members; then, while works
are being filed through filing's instances, one instance of every service is killed with
SIGKILL. The survivors take the dead members' partitions over and every event filing
published is applied exactly once by licensing and by notifications (ARCHITECTURE.md,
"Scaling out"). The brokers' own view of the groups is the oracle for who holds what, and
filing's outbox for what was published. The cluster is this module's own (its storage, the
cluster's fixed ports)."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from contracts.topics import LICENSING_GROUP, NOTIFICATIONS_GROUP, PARTITIONS, dlq
from devstack.kafka_access import provision
from devstack.kafka_acls import READS
from devstack.platform import SERVICES
from devstack.polling import eventually
from runtime.settings import PlatformSettings
from sqlalchemy import text

from ..infra.scripts import CLUSTER_BOOTSTRAP, KafkaCluster
from .groups import GroupView, Member, Partition
from .instances import Instance, Instances, running_services

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

INSTANCES = 3
PARTIES = 4
CONCURRENCY = 6  # filings in flight at once
KILL_AFTER = 80  # events licensing has applied when the victims die
AFTER_KILL = 40  # works filed after the kill


def _event_topics(service: str, group: str) -> tuple[str, ...]:
    """The topics the service's group reads (KAFKA.md's grants, one list for the whole
    platform), less its dead letters, which only a redrive reads."""
    return tuple(topic for topic in READS[service] if topic != dlq(group))


# Each consumer service: its group and the topics it reads.
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    service: (group, _event_topics(service, group))
    for service, group in (("licensing", LICENSING_GROUP), ("notifications", NOTIFICATIONS_GROUP))
}


def every_partition(topics: tuple[str, ...]) -> set[Partition]:
    return {(topic, p) for topic in topics for p in range(PARTITIONS[topic])}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    c = KafkaCluster(tmp_path_factory.mktemp("scale-out-cluster"), heap="256M")
    with c.throwaway():
        yield c


@dataclass
class Filer:
    """Files one-holder works through the live filing instances in turn, a few at a time."""

    http: httpx.AsyncClient
    live: list[str]
    tokens: dict[uuid.UUID, str]
    filed: list[uuid.UUID] = field(default_factory=list)
    busy: Counter[str] = field(default_factory=Counter)
    filed_at_kill: int | None = None

    def done(self) -> bool:
        return self.filed_at_kill is not None and len(self.filed) - self.filed_at_kill >= AFTER_KILL

    async def file(self, n: int) -> None:
        url = self.live[n % len(self.live)]
        party = list(self.tokens)[n % len(self.tokens)]
        body = {
            "title": f"Scale-out {uuid.uuid4().hex}",
            "kind": "MUSICAL_WORK",
            "country_of_origin": "TH",
            "rights_holders": [{"party_id": str(party), "role": "COMPOSER", "share": "100.00"}],
        }
        self.busy[url] += 1
        try:
            answer = await self.http.post(
                f"{url}/works", json=body, headers={"Authorization": f"Bearer {self.tokens[party]}"}
            )
        finally:
            self.busy[url] -= 1
        assert answer.status_code == 201, answer.text
        self.filed.append(uuid.UUID(answer.json()["id"]))

    async def run(self) -> None:
        numbers = itertools.count()

        async def one_at_a_time() -> None:
            while not self.done():
                await self.file(next(numbers))

        await asyncio.gather(*(one_at_a_time() for _ in range(CONCURRENCY)))

    async def retire(self, url: str) -> None:
        """No new filing goes to `url`; returns when none is in flight there."""
        self.live.remove(url)

        async def idle() -> bool:
            return self.busy[url] == 0

        await eventually(idle, timeout=30, what=f"filings in flight at {url} answered")


async def held_by_instances(instances: Instances, live: list[Instance]) -> list[int]:
    """How many partitions each live instance says it holds (its /ready)."""
    reports: list[dict[str, Any]] = [await i.ready(instances.http) for i in live]
    return sorted(r["consumers"][0]["assigned_partitions"] if r["consumers"] else 0 for r in reports)


async def shared(
    view: GroupView, instances: Instances, live: list[Instance]
) -> list[Member] | None:
    """The group's members when there is one per live instance and they split the group's
    partitions: each holds some, no two the same, all of them held; else None."""
    group, topics = GROUPS[instances.service]
    members = await view.members(group)
    held = [m.partitions for m in members]
    if len(members) != len(live) or not all(held):
        return None
    if sum(map(len, held)) != len(set().union(*held)):  # one holder per partition
        return None
    if set().union(*held) != every_partition(topics):
        return None
    # The instances say the same of themselves (the one member each of them runs).
    if await held_by_instances(instances, live) != sorted(map(len, held)):
        return None
    return members


async def event_ids(instances: Instances, sql: str) -> set[uuid.UUID]:
    async with instances.engine.connect() as conn:
        return {row[0] for row in await conn.execute(text(sql))}


async def test_three_instances_share_the_partitions_and_survivors_of_a_kill_apply_every_event_once(
    cluster: KafkaCluster,
    create_database: Callable[[str], Awaitable[str]],
    token_for: Callable[..., str],
    tmp_path: Path,
) -> None:
    settings = PlatformSettings(kafka_bootstrap_servers=CLUSTER_BOOTSTRAP)
    prefix = f"scale-{uuid.uuid4().hex[:8]}."
    # Users, topics at replication 3 (min ISR 2, the brokers' default) and ACLs: each
    # service logs in as itself, as in production.
    await asyncio.to_thread(provision, settings, prefix, 3)
    urls = {s: await create_database(f"scale_out_{s}") for s in SERVICES}
    parties = [uuid.uuid4() for _ in range(PARTIES)]
    tokens = {p: await asyncio.to_thread(token_for, p) for p in parties}
    view = GroupView(settings, prefix)

    async with running_services(
        urls,
        prefix=prefix,
        log=tmp_path / "services.log",
        count=INSTANCES,
        state_dir=tmp_path,
        extra_env={"KAFKA_BOOTSTRAP_SERVERS": CLUSTER_BOOTSTRAP, "LOG_LEVEL": "WARNING"},
    ) as services:
        filing, consumers = services["filing"], [services[s] for s in GROUPS]

        # 1. Each group's partitions split three ways, as the brokers and the instances see it.
        for instances in consumers:
            await eventually(
                lambda i=instances: shared(view, i, i.each),
                timeout=90,
                what=f"{instances.service}'s partitions shared by its {INSTANCES} instances",
            )

        # 2. Works filed through filing's instances while one instance of each service dies.
        for party in parties:
            answer = await filing.http.put(
                f"{filing.each[0].url}/parties/{party}",
                json={"name": f"Scale-out {party.hex[:6]}", "kind": "PERSON", "country": "TH"},
                headers={"Authorization": f"Bearer {tokens[party]}"},
            )
            assert answer.status_code == 201, answer.text
        filer = Filer(filing.http, [i.url for i in filing.each], tokens)
        filing_works = asyncio.create_task(filer.run())
        licensing = services["licensing"]

        async def streaming() -> bool:
            applied = await licensing.scalar("SELECT count(*) FROM processed_event")
            return bool(applied >= KILL_AFTER)

        await eventually(streaming, timeout=90, what=f"{KILL_AFTER} events applied by licensing")
        before = {i.service: await view.members(GROUPS[i.service][0]) for i in consumers}
        victims = {service: services[service].each[-1] for service in SERVICES}
        await filer.retire(victims["filing"].url)
        for victim in victims.values():
            victim.kill()
        for victim in victims.values():
            await victim.running.process.wait()
        if filing_works.done():
            filing_works.result()  # its failure, if it failed
        assert not filing_works.done()  # events are still flowing
        filer.filed_at_kill = len(filer.filed)
        committed_at_kill = {i.service: await view.committed(GROUPS[i.service][0]) for i in consumers}

        # 3. The survivors hold every partition between them, the dead member's too.
        after: dict[str, list[Member]] = {}
        for instances in consumers:
            after[instances.service] = await eventually(
                lambda i=instances: shared(view, i, i.each[:-1]),
                timeout=90,
                what=f"{instances.service}'s partitions taken over by the survivors",
            )
        await filing_works

        # 4. Every event filing published, applied once by each consumer, nothing lost.
        async def all_published() -> bool:
            unsent = await filing.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            return bool(unsent == 0)

        await eventually(all_published, timeout=60, what="filing's outbox published")
        published = await event_ids(filing, "SELECT event_id FROM outbox")
        assert len(published) >= PARTIES + len(filer.filed)  # a filing publishes one or two

        for instances in consumers:

            async def caught_up(i: Instances = instances) -> bool:
                applied = await i.scalar("SELECT count(*) FROM processed_event")
                return bool(applied >= len(published))

            await eventually(caught_up, timeout=90, what=f"{instances.service} caught up")
            processed = await event_ids(instances, "SELECT event_id FROM processed_event")
            assert processed == published

        # 5. Their effects: each work and party once in licensing's register, each event once
        # in notifications' inbox (one holder per work: one recipient per event) and its
        # `notification.delivered` once on notifications' outbox.
        assert await event_ids(licensing, "SELECT id FROM register_work") == set(filer.filed)
        assert await licensing.scalar("SELECT count(*) FROM register_party") == PARTIES
        notifications = services["notifications"]
        assert await notifications.scalar("SELECT count(*) FROM notification") == len(published)
        assert await event_ids(notifications, "SELECT event_id FROM notification") == published
        assert await notifications.scalar("SELECT count(*) FROM outbox") == len(published)

        # 6. On the brokers: each group committed to the end of every partition, and the dead
        # member's partitions got records after it died, which the survivors applied.
        for service, (group, topics) in GROUPS.items():
            ends = {
                p: end for p, end in (await view.end_offsets(every_partition(topics))).items() if end
            }
            committed = await view.committed(group)
            assert {p: o for p, o in committed.items() if p in ends} == ends
            survivors = {m.member_id for m in after[service]}
            dead = [m for m in before[service] if m.member_id not in survivors]
            assert len(dead) == 1, (before[service], after[service])
            moved = {
                p
                for p in dead[0].partitions
                if ends.get(p, 0) > committed_at_kill[service].get(p, 0)
            }
            assert moved, f"{service}: no record reached the dead member's partitions after it died"
