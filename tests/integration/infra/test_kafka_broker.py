"""The real broker as the platform uses it: faststream with an idempotent `acks=all`
producer and a consumer group with manual commits, surviving a broker restart with nothing
lost and nothing read twice.

The restart runs on a private broker (its own ports and storage, started by
infra/kafka.sh like the shared one), so other suites keep their broker.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from devstack.platform import free_port
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from runtime.kafka_security import ADMIN, broker_security
from runtime.settings import PlatformSettings

from .scripts import ROOT, KafkaScript

pytestmark = pytest.mark.slow


class PrivateBroker(KafkaScript):
    def __init__(self, state_dir: Path) -> None:
        self.port, self.controller_port = free_port(), free_port()
        env = {
            "RIGHTS_STATE_DIR": str(state_dir),
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "KAFKA_HEAP": "256M",
        }
        super().__init__(env, timeout=180)
        self.bootstrap = f"127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def private_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateBroker]:
    broker = PrivateBroker(tmp_path_factory.mktemp("kafka-private"))
    with broker.up():
        yield broker


async def test_group_resumes_from_committed_offset_after_broker_restart(
    private_broker: PrivateBroker,
) -> None:
    topic = f"restart-{uuid.uuid4().hex[:8]}"
    group = f"group-{topic}"
    received: list[int] = []
    arrived = asyncio.Condition()

    def make_broker() -> KafkaBroker:
        broker = KafkaBroker(
            private_broker.bootstrap,
            enable_idempotence=True,
            acks="all",
            security=broker_security(PlatformSettings(), ADMIN),
        )

        @broker.subscriber(
            topic, group_id=group, auto_offset_reset="earliest", ack_policy=AckPolicy.MANUAL
        )
        async def on_message(body: dict[str, int], message: KafkaMessage) -> None:
            received.append(body["n"])
            await message.ack()  # manual commit, after the "effect"
            async with arrived:
                arrived.notify_all()

        return broker

    async def wait_for(count: int) -> None:
        async with arrived:
            await asyncio.wait_for(arrived.wait_for(lambda: len(received) >= count), 60)

    broker = make_broker()
    await broker.start()
    for n in range(50):
        await broker.publish({"n": n}, topic=topic, key=f"k{n % 5}".encode())
    await wait_for(50)
    await broker.stop()

    private_broker.run("down")
    assert "not running" in private_broker.run("status")
    private_broker.run("up")

    broker = make_broker()
    await broker.start()
    for n in range(50, 100):
        await broker.publish({"n": n}, topic=topic, key=f"k{n % 5}".encode())
    await wait_for(100)
    await broker.stop()

    assert sorted(received) == list(range(100))  # nothing lost, nothing read twice
    for key in range(5):  # per-key order kept
        mine = [n for n in received if n % 5 == key]
        assert mine == sorted(mine)


def test_second_up_is_harmless_and_down_twice_is_clean(private_broker: PrivateBroker) -> None:
    assert "already running" in private_broker.run("up")
    stale = Path(private_broker.env["RIGHTS_STATE_DIR"]) / "kafka" / "kafka.pid"
    pid = stale.read_text()
    private_broker.run("down")
    assert "not running" in private_broker.run("down")
    stale.write_text("999999\n")  # a pid file whose process is long gone
    assert "stale pid file" in private_broker.run("up")
    assert stale.read_text() != pid
    private_broker.run("up")


def test_port_taken_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env = os.environ | {
            "RIGHTS_STATE_DIR": str(tmp_path),
            "KAFKA_PORT": str(port),
            "KAFKA_CONTROLLER_PORT": str(free_port()),
        }
        done = subprocess.run(
            [str(ROOT / "infra/kafka.sh"), "up"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode != 0
    assert f"port {port} is already taken" in done.stderr
    assert not (tmp_path / "kafka" / "kafka.pid").exists()
