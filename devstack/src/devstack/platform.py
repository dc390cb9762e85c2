"""The platform's processes and their settings, as `make run` and the e2e tests start them."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.settings import PlatformSettings

from devstack.kafka_access import provision
from devstack.supervisor import ProcessSpec, Supervisor

SERVICES = ("filing", "licensing", "notifications")


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PlatformConfig:
    """Ports, databases and topic prefix of one running platform (defaults: ARCHITECTURE.md)."""

    gateway_port: int = 8000
    filing_port: int = 8001
    licensing_port: int = 8002
    notifications_port: int = 8003
    smtp_port: int = 8025
    topic_prefix: str = ""
    state_dir: Path | None = None
    database_urls: dict[str, str] = field(
        default_factory=lambda: {
            s: f"postgresql+asyncpg://{s}:{s}@127.0.0.1:5432/{s}" for s in SERVICES
        }
    )
    extra_env: dict[str, str] = field(default_factory=dict)
    # Processes of each service, all sharing its database, consumer group and relay lock
    # (ARCHITECTURE.md, several instances of each service).
    instances: int = 1
    # Ports of each service's second and later instances; those not given: its port + 100·(i−1).
    more_ports: dict[str, list[int]] = field(default_factory=dict)
    # Settings of one service's processes only (the fault suite moves one service's clock).
    service_env: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.instances < 1:
            raise ValueError(
                f"instances (RIGHTS_INSTANCES) must be at least 1, not {self.instances}"
            )

    @classmethod
    def on_free_ports(cls, **settings: Any) -> PlatformConfig:
        """A platform beside any other (tests, benchmarks): every port picked free."""
        ports: dict[str, Any] = {
            f"{name}_port": free_port()
            for name in ("gateway", "filing", "licensing", "notifications", "smtp")
        }
        more = max(0, int(settings.get("instances", 1)) - 1)
        ports["more_ports"] = {s: [free_port() for _ in range(more)] for s in SERVICES}
        return cls(**(ports | settings))

    @classmethod
    def from_environment(cls) -> PlatformConfig:
        """`make run`'s platform: the ports, databases and topic prefix of the environment's
        settings (README), their documented defaults otherwise."""
        env = os.environ
        defaults = cls()
        ports = {
            f"{name}_port": int(env.get(variable, getattr(defaults, f"{name}_port")))
            for name, variable in (
                ("gateway", "GATEWAY_PORT"),
                ("filing", "FILING_PORT"),
                ("licensing", "LICENSING_PORT"),
                ("notifications", "NOTIFICATIONS_PORT"),
                ("smtp", "NOTIFICATIONS_SMTP_PORT"),
            )
        }
        urls = {
            service: env.get(f"{service.upper()}_DATABASE_URL", url)
            for service, url in defaults.database_urls.items()
        }
        try:
            instances = int(env.get("RIGHTS_INSTANCES", "1"))
        except ValueError:
            raise ValueError(
                f"RIGHTS_INSTANCES must be a whole number, not {env['RIGHTS_INSTANCES']!r}"
            ) from None
        config = cls(
            topic_prefix=env.get("RIGHTS_TOPIC_PREFIX", ""), database_urls=urls,
            instances=instances,
        )
        for name, port in ports.items():
            setattr(config, name, port)
        return config

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}/graphql"

    def ports(self, service: str) -> list[int]:
        """The ports of `service`'s instances, the first one's first."""
        first: int = getattr(self, f"{service}_port")
        more = self.more_ports.get(service, [])[: self.instances - 1]
        derived = [first + 100 * i for i in range(len(more) + 1, self.instances)]
        return [first, *more, *derived]

    def instance_urls(self, service: str) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports(service)]

    def service_url(self, service: str) -> str:
        """The first instance's URL (the only one unless `instances` > 1)."""
        return self.instance_urls(service)[0]

    def env(self) -> dict[str, str]:
        env = {
            "RIGHTS_TOPIC_PREFIX": self.topic_prefix,
            "FILING_PORT": str(self.filing_port),
            "LICENSING_PORT": str(self.licensing_port),
            "NOTIFICATIONS_PORT": str(self.notifications_port),
            "NOTIFICATIONS_SMTP_PORT": str(self.smtp_port),
            "GATEWAY_PORT": str(self.gateway_port),
        }
        for service in SERVICES:
            # The gateway calls every instance, each in turn.
            env[f"GATEWAY_{service.upper()}_URL"] = ",".join(self.instance_urls(service))
        for service, url in self.database_urls.items():
            env[f"{service.upper()}_DATABASE_URL"] = url
        if self.state_dir is not None:
            env["RIGHTS_STATE_DIR"] = str(self.state_dir)
        # Each process logs in to Kafka as its own principal (KAFKA.md), whatever the
        # environment of the caller says (the integration suite's default is the admin).
        for process in (*SERVICES, "gateway"):
            env[f"{process.upper()}_KAFKA_PRINCIPAL"] = process
        env.update(self.extra_env)
        return env

    def processes(self) -> list[ProcessSpec]:
        py = sys.executable
        env = self.env()
        specs = [
            ProcessSpec(
                "smtp",
                [py, "-m", "notifications.smtp_server"],
                health_tcp_port=self.smtp_port,
                env=env,
            ),
        ]
        for service in SERVICES:
            specs += self.service_processes(service)
        specs.append(
            ProcessSpec(
                "gateway",
                [py, "-m", "gateway"],
                health_url=f"http://127.0.0.1:{self.gateway_port}/health",
                env=env,
            )
        )
        return specs

    def service_processes(self, service: str) -> list[ProcessSpec]:
        """`service`'s instances, each on its own port: `filing`, then `filing-2`, ..."""
        env = self.env() | self.service_env.get(service, {})
        return [
            ProcessSpec(
                service if n == 1 else f"{service}-{n}",
                [sys.executable, "-m", service],
                health_url=f"http://127.0.0.1:{port}/ready",
                env=env | {f"{service.upper()}_PORT": str(port)},
            )
            for n, port in enumerate(self.ports(service), start=1)
        ]


def _failure_tail(log_text: str, failure: str) -> str:
    """The log's end, led by the lines of the process that exited: its traceback is easily
    pushed out of a plain tail by the other processes' output."""
    name = failure.split(" exited", 1)[0] if " exited" in failure else ""
    own = [line for line in log_text.splitlines() if name and line.split("|", 1)[0].strip() == name]
    head = "\n".join(own)[-8000:]
    return (f"--- {name} ---\n{head}\n--- all ---\n" if head else "") + log_text[-6000:]


@asynccontextmanager
async def running_platform(
    config: PlatformConfig, *, log_path: Path, timeout: float = 180
) -> AsyncIterator[Supervisor]:
    """Starts every process of `config` with its output in `log_path`, waits until all are
    healthy (a failure carries the log's tail), and stops them all on exit.

    First, as the Kafka admin, the topics of the config's prefix and their ACLs: each service
    then logs in as itself and may use only what its ACLs allow."""
    settings = PlatformSettings()
    await asyncio.to_thread(provision, settings, config.topic_prefix)
    with open(log_path, "w", encoding="utf-8") as out:  # noqa: ASYNC230 - once per platform
        supervisor = Supervisor(out=out, colour=False)
        try:
            for spec in config.processes():
                await supervisor.start(spec)
            try:
                await supervisor.wait_healthy(timeout=timeout)
            except Exception as exc:
                out.flush()
                log_text = log_path.read_text(errors="replace")  # noqa: ASYNC240 - on failure only
                raise RuntimeError(
                    f"platform did not start: {exc}\n{_failure_tail(log_text, str(exc))}"
                ) from exc
            yield supervisor
        finally:
            await supervisor.stop()
