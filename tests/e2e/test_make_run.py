"""`make run` (scripts/run.sh) as a newcomer uses it: it starts the infrastructure that is not
running, the platform with demo data, and Ctrl-C stops the platform and exactly the
infrastructure it started, leaving what was already running (PostgreSQL here) alone."""

from __future__ import annotations

import asyncio
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from devstack.identity import Identities
from devstack.platform import SERVICES, free_port
from devstack.real_clock import real_clock_env
from runtime.settings import PlatformSettings

ROOT = Path(__file__).resolve().parents[2]


def kafka_status(env: dict[str, str]) -> str:
    return subprocess.run(
        ["infra/kafka.sh", "status"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout


def keycloak_status(env: dict[str, str]) -> str:
    return subprocess.run(
        ["infra/keycloak.sh", "status"], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True,
    ).stdout


def postgres_online() -> bool:
    out = subprocess.run(["infra/postgres.sh", "status"], cwd=ROOT, capture_output=True, text=True)
    return "online" in out.stdout


def pause(seconds: float) -> None:
    """A bounded wait between polls. select's relative timeout, not time.sleep (nor
    Popen.wait(timeout=), which sleeps): under libfaketime, which `make test` runs this suite
    under once more, Python's sleep fails with EINVAL."""
    select.select([], [], [], seconds)


def run_until_up_then_ctrl_c(env: dict[str, str], log: Path) -> None:
    """Runs scripts/run.sh until the platform is up, then does what Ctrl-C in a terminal does."""
    with open(log, "w") as out:
        run = subprocess.Popen(
            ["scripts/run.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            # The summary is printed once the platform is healthy and the demo is loaded; each
            # wait returns early if make run ends.
            deadline = time.monotonic() + 400
            while "The platform is up." not in log.read_text():
                assert time.monotonic() < deadline, f"no summary:\n{log.read_text()[-4000:]}"
                pause(1)
                assert run.poll() is None, f"make run ended early:\n{log.read_text()[-4000:]}"
            assert "running (pid" in kafka_status(env)
            os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
            deadline = time.monotonic() + 120
            while run.poll() is None:
                assert time.monotonic() < deadline, "make run did not stop after Ctrl-C"
                pause(0.2)
        finally:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
                subprocess.run(["infra/kafka.sh", "down"], cwd=ROOT, env=env, check=False)


@pytest.mark.slow
async def test_ctrl_c_stops_the_platform_and_the_kafka_it_started(
    create_database: object, tmp_path: Path, topic_prefix: str
) -> None:
    assert postgres_online(), "the suite runs with PostgreSQL up"
    kafka_port = free_port()
    # `make test` runs the e2e suite once more under libfaketime; this test is about which
    # processes run and stop, so the broker it starts (a JVM) keeps the real clock.
    env = real_clock_env() | {
        "RIGHTS_STATE_DIR": str(tmp_path / "state"),  # a Kafka of its own, not yet running
        "KAFKA_PORT": str(kafka_port),
        "KAFKA_CONTROLLER_PORT": str(free_port()),
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{kafka_port}",
        "RIGHTS_TOPIC_PREFIX": f"{topic_prefix}makerun.",
        "GATEWAY_PORT": str(free_port()),
        "FILING_PORT": str(free_port()),
        "LICENSING_PORT": str(free_port()),
        "NOTIFICATIONS_PORT": str(free_port()),
        "NOTIFICATIONS_SMTP_PORT": str(free_port()),
        "PY": sys.executable,
        # The demo's accounts at the shared Keycloak, apart from a developer's own demo.
        "RIGHTS_DEMO_ACCOUNT_PREFIX": f"{topic_prefix.rstrip('.')}-makerun",
    }
    for service in SERVICES:
        env[f"{service.upper()}_DATABASE_URL"] = await create_database(f"makerun_{service}")  # type: ignore[operator]
    assert "not running" in kafka_status(env)
    # Keycloak is already running (the suite's `make infra-up` started it): the private state
    # dir learns its pid, so make run must find it running and leave it so.
    private_keycloak = tmp_path / "state" / "keycloak"
    private_keycloak.mkdir(parents=True)
    shutil.copy(PlatformSettings().rights_state_dir / "keycloak" / "keycloak.pid", private_keycloak)
    assert "running (pid" in keycloak_status(env)

    log = tmp_path / "make-run.log"
    try:
        await asyncio.to_thread(run_until_up_then_ctrl_c, env, log)
    finally:
        demo_accounts = Identities(env["RIGHTS_DEMO_ACCOUNT_PREFIX"])
        await asyncio.to_thread(demo_accounts.delete_created)
        demo_accounts.close()
    text = log.read_text()
    assert "stopped." in text, text[-4000:]
    assert "not running" in kafka_status(env), "the Kafka make run started is still running"
    assert postgres_online(), "PostgreSQL was running before make run: it must be left running"
    assert "running (pid" in keycloak_status(env), "Keycloak was running before: left running"
