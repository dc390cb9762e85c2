"""What the fault suite runs against and breaks: the three-broker Kafka cluster, a PostgreSQL
cluster of its own, one clock file per service (libfaketime), a webhook receiver, and the
platform (two instances of each service) started over them by devstack."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from devstack.kafka_access import admin_client, provision
from devstack.platform import SERVICES, PlatformConfig, free_port, running_platform
from devstack.private_postgres import PrivatePostgres
from devstack.supervisor import Running, Supervisor
from runtime.settings import PlatformSettings

from faults.identity import LEEWAY_SECONDS

ROOT = Path(__file__).resolve().parent.parent
LIBFAKETIME = os.environ.get(
    "FAULTS_LIBFAKETIME", "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
)
CLUSTER_BOOTSTRAP = "127.0.0.1:21092,127.0.0.1:22092,127.0.0.1:23092"
BROKERS = (1, 2, 3)


def state_dir() -> Path:
    """The suite's own state (cluster storage, logs): never the shared infrastructure's."""
    return Path(os.environ.get("FAULTS_STATE_DIR", str(ROOT / ".state" / "faults")))


# --- the three-broker cluster (infra/kafka.sh --nodes 3, in the suite's own state dir) ------


class Cluster:
    """The three brokers of infra/kafka.sh --nodes 3, known by the pids it recorded."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        self._commands: dict[int, list[str]] = {}

    def _script(self, command: str) -> None:
        env = os.environ | {"RIGHTS_STATE_DIR": str(self.root), "PY": sys.executable}
        done = subprocess.run(  # noqa: S603 - the project's own script
            [str(ROOT / "infra" / "kafka.sh"), command, "--nodes", "3"],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"infra/kafka.sh {command} --nodes 3: {done.stdout}{done.stderr}")

    def up(self) -> None:
        """Starts every broker that is not running and waits until all three answer."""
        self._script("up")

    def down(self) -> None:
        self._script("down")

    def node_dir(self, node: int) -> Path:
        return self.root / "kafka-cluster" / f"node{node}"

    def pid(self, node: int) -> int | None:
        try:
            pid = int((self.node_dir(node) / "kafka.pid").read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return None
        return pid if b"kafka.Kafka" in cmdline and f"node{node}".encode() in cmdline else None

    def signal(self, node: int, signum: int) -> bool:
        pid = self.pid(node)
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)
        return True

    def kill(self, node: int) -> list[str]:
        """SIGKILL one broker; returns its command line, to start it again the same way."""
        pid = self.pid(node)
        if pid is None:  # it died on its own: started again with the command it had
            return self._commands[node]
        command = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
        self._commands[node] = command
        os.kill(pid, signal.SIGKILL)
        child = self._children.pop(node, None)
        if child is not None:
            child.wait()  # our own child (started by `restart`): reaped
        return command

    def start(self, node: int, command: list[str]) -> None:
        """Starts a killed broker again with its command line, as infra/kafka.sh does (its
        own session, its log, its pid file); `listening` waits for it."""
        with (self.node_dir(node) / "server.log").open("ab") as log:
            child = subprocess.Popen(  # noqa: S603 - the broker's own command line
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._children[node] = child
        (self.node_dir(node) / "kafka.pid").write_text(f"{child.pid}\n")

    async def listening(self, node: int, timeout: float = 300) -> None:
        """Returns once the broker's client port accepts connections."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError):
                # The client port infra/kafka.sh gives node N of a cluster: 2N092.
                _, writer = await asyncio.open_connection("127.0.0.1", int(f"2{node}092"))
                writer.close()
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"broker {node} not listening after {timeout:.0f}s")
            await asyncio.sleep(0.2)

    def delete_old_topics(self, settings: PlatformSettings) -> None:
        """Earlier runs' topics: a restarted broker would recover their logs too."""
        admin = admin_client(settings)
        old = [name for name in admin.list_topics(timeout=30).topics if name.startswith("faults-")]
        if old:
            for future in admin.delete_topics(old, operation_timeout=60).values():
                future.result(timeout=120)

    def resume_all(self) -> None:
        """SIGCONT to every broker: none stays paused whatever happened to the run."""
        for node in BROKERS:
            self.signal(node, signal.SIGCONT)


# --- clocks ------------------------------------------------------------------------------


@dataclass
class Clocks:
    """One libfaketime offset file per service, read on every clock call of its processes."""

    root: Path

    def path(self, service: str) -> Path:
        return self.root / f"clock-{service}.rc"

    def env(self, service: str) -> dict[str, str]:
        # Only the wall clock moves: asyncio's loop and timeouts run on CLOCK_MONOTONIC (see
        # the Makefile's shifted e2e run). No shared memory: a process killed -9 leaves none.
        # The file is read again at most once a second (FAKETIME_NO_CACHE=1 reads it on every
        # clock call, a third of two cores in system time under the workload).
        return {
            "LD_PRELOAD": LIBFAKETIME,
            "FAKETIME_TIMESTAMP_FILE": str(self.path(service)),
            "FAKETIME_CACHE_DURATION": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "FAKETIME_DISABLE_SHM": "1",
        }

    def move(self, service: str, offset: str) -> None:
        """`offset` as libfaketime reads it: "+0", "+3d", "-90m"; written whole at once."""
        target = self.path(service)
        temporary = target.with_suffix(".tmp")
        temporary.write_text(offset + "\n")
        temporary.replace(target)

    def restore_all(self) -> None:
        for service in SERVICES:
            self.move(service, "+0")


# --- delivery sinks ------------------------------------------------------------------------


@dataclass
class WebhookSink:
    """A real HTTP endpoint recording each call's delivery and event ids (headers)."""

    url: str = ""
    calls: list[dict[str, str]] = field(default_factory=list)

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.calls.append({
            "delivery": headers.get("x-rights-delivery", ""),
            "event": headers.get("x-rights-event-id", ""),
            "path": scope["path"],
        })
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@contextlib.asynccontextmanager
async def webhook_sink() -> AsyncIterator[WebhookSink]:
    sink = WebhookSink()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(
        sink.app, host="127.0.0.1", port=port, log_config=None, access_log=False,
        lifespan="off", interface="asgi3",
    ))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            raise RuntimeError("the webhook receiver did not start")
        await asyncio.sleep(0.02)
    sink.url = f"http://127.0.0.1:{port}/hooks"
    try:
        yield sink
    finally:
        server.should_exit = True
        await task


# --- the whole environment -------------------------------------------------------------------


@dataclass
class Environment:
    config: PlatformConfig
    supervisor: Supervisor
    postgres: PrivatePostgres
    cluster: Cluster
    clocks: Clocks
    webhooks: WebhookSink
    run_dir: Path

    def database_url(self, service: str) -> str:
        return self.postgres.database_url(service)

    def instances(self, service: str) -> list[Running]:
        """The live entries of `service`'s processes (`filing`, `filing-2`, ...)."""
        names = {service, *(f"{service}-{n}" for n in range(2, self.config.instances + 1))}
        return [r for r in self.supervisor.running if r.spec.name in names]

    def kill_instance(self, name: str) -> Running:
        """SIGKILL one service process (`restart` starts it again)."""
        running = next(r for r in self.supervisor.running if r.spec.name == name)
        with contextlib.suppress(ProcessLookupError):
            running.process.kill()
        return running

    async def restart(self, running: Running, timeout: float = 240) -> None:
        """Starts `running`'s spec afresh (after it died) and waits for its health check; a
        start that dies (its database down at that moment, say) is started again."""
        await running.process.wait()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(running.pump, 5)
        self.supervisor.running.remove(running)
        fresh = await self.supervisor.start(running.spec)
        deadline = time.monotonic() + timeout
        health = (running.spec.health_url or "").replace("/ready", "/health")
        async with httpx.AsyncClient(timeout=2) as http:
            while True:
                if fresh.process.returncode is not None:
                    self.supervisor.running.remove(fresh)
                    fresh = await self.supervisor.start(running.spec)
                with contextlib.suppress(httpx.HTTPError):
                    # Alive and serving (/health), not yet /ready: joining the consumer group
                    # takes longer, and the schedule's next fault need not wait for it.
                    if (await http.get(health)).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{running.spec.name} not ready after {timeout:.0f}s")
                await asyncio.sleep(0.2)

    async def restart_exited(self) -> list[str]:
        """Starts again every process that died on its own; returns their names."""
        exited = self.supervisor.exited()
        for running in exited:
            await self.restart(running)
        return [r.spec.name for r in exited]

    def mail_dir(self) -> Path:
        return self.run_dir / "mail"


async def _create_databases(postgres: PrivatePostgres) -> dict[str, str]:
    conn = await asyncpg.connect(host="127.0.0.1", port=postgres.port, user="postgres",
                                 database="postgres")
    try:
        for service in SERVICES:
            await conn.execute(f'CREATE DATABASE "{service}"')
    finally:
        await conn.close()
    return {s: postgres.database_url(s) for s in SERVICES}


@contextlib.asynccontextmanager
async def running_environment(run_dir: Path, *, instances: int = 2) -> AsyncIterator[Environment]:
    """The cluster up, a fresh PostgreSQL and topic prefix, the platform started over them;
    everything this started is stopped on exit (the cluster is left running, resumed)."""
    run_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before anything runs
    cluster = Cluster(state_dir())
    await asyncio.to_thread(cluster.up)
    os.environ["KAFKA_BOOTSTRAP_SERVERS"] = CLUSTER_BOOTSTRAP
    prefix = f"faults-{run_dir.name}."
    await asyncio.to_thread(cluster.delete_old_topics, PlatformSettings())
    # Replication 3, min ISR 2 for every topic, here and in the platform it starts (which
    # inherits this environment).
    os.environ["KAFKA_REPLICATION_FACTOR"] = "3"
    os.environ["KAFKA_MIN_INSYNC_REPLICAS"] = "2"
    await asyncio.to_thread(provision, PlatformSettings(), prefix)
    postgres = PrivatePostgres(max_connections=300)
    clocks = Clocks(run_dir)
    clocks.restore_all()
    try:
        await asyncio.to_thread(postgres.init)
        await asyncio.to_thread(postgres.start)
        urls = await _create_databases(postgres)
        async with webhook_sink() as webhooks:
            config = PlatformConfig.on_free_ports(
                instances=instances, topic_prefix=prefix, state_dir=run_dir,
                database_urls=urls,
                service_env={s: clocks.env(s) for s in SERVICES},
                extra_env={
                    "KAFKA_BOOTSTRAP_SERVERS": CLUSTER_BOOTSTRAP,
                    "LOG_JSON": "true",
                    # Keycloak keeps the real time; a moved service still takes its tokens.
                    "IDENTITY_LEEWAY_SECONDS": str(LEEWAY_SECONDS),
                    "LOG_LEVEL": os.environ.get("FAULTS_LOG_LEVEL", "WARNING"),
                    # A few accounts on one address drive the load: the limits are not tested here.
                    "GATEWAY_RATE_LIMIT_PER_ACCOUNT": "1000000/minute",
                    "GATEWAY_RATE_LIMIT_PER_IP": "1000000/minute",
                    "GATEWAY_RATE_LIMIT_MUTATIONS": "1000000/minute",
                    "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.2",
                    "NOTIFICATIONS_RETRY_CAP_SECONDS": "2",
                    # Never give up on a delivery because of the faults: the checker then sees
                    # every one delivered or still owed.
                    "NOTIFICATIONS_RETRY_MAX_ATTEMPTS": "50",
                    # Stalls after a broker fault are found and a fresh member joins soon.
                    "FILING_CONSUMER_STALL_SECONDS": "10",
                    "LICENSING_CONSUMER_STALL_SECONDS": "10",
                    "NOTIFICATIONS_CONSUMER_STALL_SECONDS": "10",
                },
            )
            async with running_platform(
                config, log_path=run_dir / "platform.log", timeout=300
            ) as supervisor:
                yield Environment(
                    config, supervisor, postgres, cluster, clocks, webhooks, run_dir,
                )
    finally:
        clocks.restore_all()
        cluster.resume_all()
        await asyncio.to_thread(postgres.destroy)
        # The brokers are the suite's own: stopped, so nothing is left running (two cores).
        await asyncio.to_thread(cluster.down)
