"""Several instances of one service as real processes, started by devstack as `make run` and
the e2e suite start them, and what each instance reports about itself (/ready, /metrics)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from devstack.platform import PlatformConfig
from devstack.supervisor import Running, Supervisor
from prometheus_client.parser import text_string_to_metric_families
from runtime.db import create_engine
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Instance:
    """One process of the service and where it answers."""

    running: Running
    url: str

    async def ready(self, http: httpx.AsyncClient) -> dict[str, Any]:
        """The /ready report (its body also comes with a 503)."""
        report: dict[str, Any] = (await http.get(f"{self.url}/ready")).json()
        return report

    async def counter(self, http: httpx.AsyncClient, name: str, **labels: str) -> float:
        """The sum of the Prometheus counter `name` over the samples matching `labels`."""
        total = 0.0
        for family in text_string_to_metric_families((await http.get(f"{self.url}/metrics")).text):
            for sample in family.samples:
                if sample.name == name and labels.items() <= sample.labels.items():
                    total += sample.value
        return total

    def kill(self) -> None:
        """SIGKILL, by the process's own pid: no clean shutdown, no leaving the group."""
        self.running.process.kill()


@dataclass
class Instances:
    service: str
    each: list[Instance]
    engine: AsyncEngine  # the service's database, for counting what was applied
    topic_prefix: str
    http: httpx.AsyncClient

    async def scalar(self, sql: str) -> Any:
        async with self.engine.connect() as conn:
            return await conn.scalar(text(sql))


@asynccontextmanager
async def running_instances(
    service: str, database_url: str, *, prefix: str, log: Path, count: int = 2
) -> AsyncIterator[Instances]:
    """`count` instances of `service` on one database and one topic prefix, healthy."""
    # Topics of the test's own prefix, which only the admin's ACLs cover.
    admin = {f"{service.upper()}_KAFKA_PRINCIPAL": "admin"}
    async with running_services(
        {service: database_url}, prefix=prefix, log=log, count=count, extra_env=admin
    ) as services:
        yield services[service]


@asynccontextmanager
async def running_services(
    database_urls: dict[str, str],
    *,
    prefix: str,
    log: Path,
    count: int,
    extra_env: dict[str, str] | None = None,
    state_dir: Path | None = None,
) -> AsyncIterator[dict[str, Instances]]:
    """`count` instances of each service of `database_urls` (each on its database, all on one
    topic prefix), healthy; each logs in to Kafka as itself unless `extra_env` says otherwise."""
    config = PlatformConfig.on_free_ports(
        instances=count,
        topic_prefix=prefix,
        database_urls=database_urls,
        state_dir=state_dir,
        extra_env={"LOG_JSON": "false", **(extra_env or {})},
    )
    engines = {s: create_engine(url, pool_size=1) for s, url in database_urls.items()}
    with open(log, "w", encoding="utf-8") as out:  # noqa: ASYNC230 - once per test
        supervisor = Supervisor(out=out, colour=False)
        try:
            started = {
                service: [await supervisor.start(spec) for spec in config.service_processes(service)]
                for service in database_urls
            }
            try:
                await supervisor.wait_healthy(timeout=120)
            except Exception as exc:
                out.flush()
                raise RuntimeError(f"{exc}\n{log.read_text(errors='replace')[-4000:]}") from exc  # noqa: ASYNC240 - on failure only
            async with httpx.AsyncClient(timeout=10) as http:
                yield {
                    service: Instances(
                        service,
                        [
                            Instance(r, url)
                            for r, url in zip(running, config.instance_urls(service), strict=True)
                        ],
                        engines[service],
                        prefix,
                        http,
                    )
                    for service, running in started.items()
                }
        finally:
            await supervisor.stop()
            for engine in engines.values():
                await engine.dispose()
