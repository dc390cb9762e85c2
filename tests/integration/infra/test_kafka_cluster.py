"""The three-broker cluster (replication factor 3, min ISR 2): a broker killed with SIGKILL
while an idempotent `acks=all` producer is writing loses nothing and duplicates nothing,
and consumers go on. The cluster is private to this test (its own storage), on the
cluster's loopback ports."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from devstack.kafka_access import admin_login

from .scripts import CLUSTER_BOOTSTRAP as BOOTSTRAP
from .scripts import KafkaCluster

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    c = KafkaCluster(tmp_path_factory.mktemp("kafka-cluster"))
    with c.up():
        yield c


async def test_killing_one_broker_under_load_loses_and_duplicates_nothing(cluster: KafkaCluster) -> None:
    topic = f"fault-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP, **admin_login())
    await admin.start()
    await admin.create_topics([NewTopic(topic, 6, 3, topic_configs={"min.insync.replicas": "2"})])
    await admin.close()

    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, **admin_login(), enable_idempotence=True,
                                acks="all", request_timeout_ms=30000)
    await producer.start()
    total = 3000
    try:
        pending = []
        for n in range(total):
            if n == total // 3:
                os.kill(cluster.pid(2), signal.SIGKILL)  # mid-stream, no warning
            pending.append(await producer.send(topic, value=str(n).encode(),
                                               key=str(n % 12).encode()))
            if len(pending) >= 200:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=BOOTSTRAP, **admin_login(),
                                group_id=f"g-{topic}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    seen: list[int] = []
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while len(seen) < total and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                seen.extend(int(r.value) for r in records)
    finally:
        await consumer.stop()
    assert sorted(seen) == list(range(total))  # nothing lost, nothing twice
    for key in range(12):  # per-key order kept through the failover
        mine = [n for n in seen if n % 12 == key]
        assert mine == sorted(mine)
    assert "removing stale pid file" in cluster.run("up")  # the killed node comes back
