"""The platform's processes and their settings, as `make run` and the e2e tests start them."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from devstack.supervisor import ProcessSpec

SERVICES = ("filing", "licensing", "notifications")


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

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}/graphql"

    def service_url(self, service: str) -> str:
        return f"http://127.0.0.1:{getattr(self, f'{service}_port')}"

    def env(self) -> dict[str, str]:
        env = {
            "RIGHTS_TOPIC_PREFIX": self.topic_prefix,
            "FILING_PORT": str(self.filing_port),
            "LICENSING_PORT": str(self.licensing_port),
            "NOTIFICATIONS_PORT": str(self.notifications_port),
            "NOTIFICATIONS_SMTP_PORT": str(self.smtp_port),
            "GATEWAY_PORT": str(self.gateway_port),
            "GATEWAY_FILING_URL": self.service_url("filing"),
            "GATEWAY_LICENSING_URL": self.service_url("licensing"),
            "GATEWAY_NOTIFICATIONS_URL": self.service_url("notifications"),
        }
        for service, url in self.database_urls.items():
            env[f"{service.upper()}_DATABASE_URL"] = url
        if self.state_dir is not None:
            env["RIGHTS_STATE_DIR"] = str(self.state_dir)
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
            specs.append(
                ProcessSpec(
                    service,
                    [py, "-m", service],
                    health_url=f"{self.service_url(service)}/ready",
                    env=env,
                )
            )
        specs.append(
            ProcessSpec(
                "gateway",
                [py, "-m", "gateway"],
                health_url=f"http://127.0.0.1:{self.gateway_port}/health",
                env=env,
            )
        )
        return specs
