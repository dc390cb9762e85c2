"""A restart resumes pending retries: the service process is killed (SIGKILL) mid-retry."""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from contracts.envelope import encode
from cryptography.fernet import Fernet
from devstack.kafka_access import admin_login
from devstack.platform import free_port
from runtime.db import create_engine
from runtime.kafka import reliable_producer
from runtime.settings import PlatformSettings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from .harness import WebhookReceiver, eventually, work_registered

SECRET = "restart-secret-0123456789"


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


@asynccontextmanager
async def _service_process(
    env: dict[str, str], log: Path, port: int
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m notifications` as its own process, as `make run` starts it."""
    out = await asyncio.to_thread(log.open, "ab")
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "notifications", env=env, stdout=out, stderr=subprocess.STDOUT
        )
    finally:
        out.close()
    try:
        async with httpx.AsyncClient() as client:

            async def healthy() -> bool:
                assert process.returncode is None, await asyncio.to_thread(_tail, log)
                try:
                    return (await client.get(f"http://127.0.0.1:{port}/health")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(healthy, within=60, interval=0.1)
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)


@dataclass
class Scenario:
    """One service process's environment, its database and a party with a webhook."""

    env: dict[str, str]
    log: Path
    port: int
    prefix: str
    engine: AsyncEngine
    token_for: Callable[..., str]
    party: uuid.UUID = field(default_factory=uuid.uuid4)

    async def delivery(self) -> dict[str, Any] | None:
        async with self.engine.connect() as conn:
            found = await conn.execute(
                text("SELECT id, status, attempts FROM delivery WHERE recipient_id = :p"),
                {"p": self.party},
            )
            row = found.mappings().first()
            if row is None:
                return None
            recorded = await conn.scalar(
                text("SELECT count(*) FROM delivery_attempt WHERE delivery_id = :d"),
                {"d": row["id"]},
            )
        return dict(row) | {"recorded": recorded}

    async def delivered(self) -> dict[str, Any] | None:
        row = await self.delivery()
        return row if row and row["status"] == "DELIVERED" else None


@asynccontextmanager
async def _scenario(
    create_database: Callable[[str], Awaitable[str]],
    tmp_path: Path,
    token_for: Callable[..., str],
    name: str,
    **env: str,
) -> AsyncIterator[Scenario]:
    url = await create_database(name)
    platform = PlatformSettings()
    prefix = f"{platform.rights_topic_prefix}{name}-{uuid.uuid4().hex[:6]}."
    port = free_port()
    engine = create_engine(url, pool_size=1)
    try:
        yield Scenario(
            env=os.environ
            | {
                "NOTIFICATIONS_DATABASE_URL": url,
                "NOTIFICATIONS_PORT": str(port),
                "RIGHTS_TOPIC_PREFIX": prefix,
                "NOTIFICATIONS_SECRET_KEY": Fernet.generate_key().decode(),
                "NOTIFICATIONS_ALLOW_LOOPBACK_WEBHOOKS": "true",
                "NOTIFICATIONS_RETRY_MAX_ATTEMPTS": "5",
                "NOTIFICATIONS_SMTP_PORT": "9",
                "LOG_JSON": "false",
                # Topics of this scenario's own prefix: the admin may use them all.
                "NOTIFICATIONS_KAFKA_PRINCIPAL": "admin",
            }
            | env,
            log=tmp_path / f"{name}.log",
            port=port,
            prefix=prefix,
            engine=engine,
            token_for=token_for,
        )
    finally:
        await engine.dispose()


OpenScenario = Callable[..., AbstractAsyncContextManager[Scenario]]


@pytest.fixture
def scenario_of(
    create_database: Callable[[str], Awaitable[str]],
    tmp_path: Path,
    token_for: Callable[..., str],
) -> OpenScenario:
    """`scenario_of(name, **env)`: a scenario of its own database, topics, port and log."""
    return functools.partial(_scenario, create_database, tmp_path, token_for)


async def _register_and_publish(scenario: Scenario, receiver: WebhookReceiver) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{scenario.port}") as client:
        answer = await client.put(
            f"/contacts/{scenario.party}",
            json={"webhook_url": receiver.url, "webhook_secret": SECRET},
            headers={"Authorization": f"Bearer {scenario.token_for(scenario.party)}"},
        )
        assert answer.status_code == 200, answer.text
    producer = reliable_producer(
        scenario.env.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"), **admin_login()
    )
    await producer.start()
    try:
        record = encode(work_registered([scenario.party]))
        await producer.send_and_wait(
            scenario.prefix + record.topic,
            value=record.value,
            key=record.key,
            headers=record.headers,
        )
    finally:
        await producer.stop()


async def test_service_killed_mid_retry_resumes_the_retry_after_restart(
    scenario_of: OpenScenario,
) -> None:
    # After the failed first attempt the retry waits 2-4 s: time to kill the process.
    async with scenario_of(
        "notifications_restart", NOTIFICATIONS_RETRY_BASE_SECONDS="4"
    ) as scenario:
        with WebhookReceiver(secret=SECRET, fail_first=1) as receiver:
            async with _service_process(scenario.env, scenario.log, scenario.port) as process:
                await _register_and_publish(scenario, receiver)

                async def first_attempt_failed() -> bool:
                    row = await scenario.delivery()
                    return bool(row and row["status"] == "PENDING" and row["recorded"] == 1)

                await eventually(first_attempt_failed, within=60)
                process.kill()  # SIGKILL: no clean shutdown, mid-retry
                await asyncio.wait_for(process.wait(), 30)

            killed = await scenario.delivery()
            assert killed is not None
            assert (killed["status"], killed["attempts"]) == ("PENDING", 1)
            assert len(receiver.calls) == 1

            async with _service_process(scenario.env, scenario.log, scenario.port):
                done = await eventually(scenario.delivered, within=60)

    assert (done["attempts"], done["recorded"]) == (2, 2)
    assert [c.answered for c in receiver.calls] == [503, 204]
    assert all(c.authentic for c in receiver.calls)


async def test_service_killed_while_a_call_is_in_flight_retries_it_after_the_lease(
    scenario_of: OpenScenario,
) -> None:
    async with scenario_of(
        "notifications_inflight",
        NOTIFICATIONS_DELIVERY_LEASE_SECONDS="3",
        NOTIFICATIONS_RETRY_BASE_SECONDS="0.1",
    ) as scenario:
        with WebhookReceiver(secret=SECRET, hold_first=True) as receiver:
            async with _service_process(scenario.env, scenario.log, scenario.port) as process:
                await _register_and_publish(scenario, receiver)
                await eventually(lambda: receiver.calls, within=60)
                process.kill()  # the first call is still waiting for its answer
                await asyncio.wait_for(process.wait(), 30)

            in_flight = await scenario.delivery()
            assert in_flight is not None
            assert (in_flight["status"], in_flight["attempts"], in_flight["recorded"]) == (
                "PENDING",
                1,
                0,
            )

            async with _service_process(scenario.env, scenario.log, scenario.port):
                done = await eventually(scenario.delivered, within=60)

    # The unanswered call counts as an attempt, so the bound on tries still holds.
    assert (done["attempts"], done["recorded"]) == (2, 1)
    assert [c.answered for c in receiver.calls] == [0, 204]
