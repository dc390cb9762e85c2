"""One service process's wiring: engine, sessions, broker, outbox relay, consumers, jobs.

A service builds a `ServiceRuntime` in its `app.py`, registers its consumers and background
jobs, and hands it to `runtime.http.create_app`; start-up applies migrations, makes sure the
topics exist, then starts the relay, the consumers and the jobs (stop runs in reverse).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from contracts.topics import dlq
from sqlalchemy import text

from runtime.consumer import EventsHandler, IdempotentConsumer
from runtime.db import SessionMaker, create_engine, migrate, session_maker
from runtime.idempotency import KeyedCommands, prune
from runtime.kafka import ensure_topics, event_broker
from runtime.kafka_security import broker_security
from runtime.outbox import OutboxRelay
from runtime.settings import ServiceSettings
from runtime.startup import wait_for
from runtime.telemetry import instrument_engine
from runtime.uow import SideRows, UnitOfWorkFactory, unit_of_work_factory

log = logging.getLogger(__name__)


class Component(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


class PeriodicJob:
    """Runs `job()` every `interval` seconds until stopped (e.g. licence expiry)."""

    def __init__(self, name: str, job: Callable[[], Awaitable[Any]], interval: float) -> None:
        self.name, self.job, self.interval = name, job, interval
        self._task: asyncio.Task[None] | None = None
        self.last_error: str | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def _run(self) -> None:
        while True:
            try:
                await self.job()
                self.last_error = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("job %s failed", self.name)
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@dataclass(frozen=True)
class ServiceHandle:
    """What every service's commands and queries take from its runtime; a service's own
    handle (`Filing`, `Licensing`, `Notifications`) adds what only it needs."""

    uow: UnitOfWorkFactory  # every command's transaction
    sessions: SessionMaker  # the read side's sessions (views)
    keyed: KeyedCommands  # runs a command retried with an idempotency key once


H = TypeVar("H", bound=ServiceHandle)


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        migrations_dir: Path,
        produces: Sequence[str] = (),
        run_relay: bool = True,
        side_rows: SideRows | None = None,
        idempotency_keys: bool = False,
    ) -> None:
        self.settings = settings
        self.migrations_dir = migrations_dir
        self.produces = list(produces)
        self.engine = create_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            idle_ping_seconds=settings.database_idle_ping_seconds,
            recycle_seconds=settings.database_recycle_seconds,
        )
        instrument_engine(self.engine)
        self.sessions = session_maker(self.engine)
        # Every command and every consumer batch of this service runs in one of these.
        self.uow: UnitOfWorkFactory = unit_of_work_factory(self.sessions, side_rows=side_rows)
        self.broker = event_broker(
            settings.platform.kafka_bootstrap_servers,
            broker_security(settings.platform, settings.kafka_user),
        )
        self.relay = OutboxRelay(engine=self.engine, settings=settings) if run_relay else None
        self.consumers: list[IdempotentConsumer] = []
        self.components: list[Component] = []
        self.started = False
        retention = timedelta(hours=settings.idempotency_retention_hours)
        # Keyed commands need the `idempotency_key` table: a service with `idempotency_keys`
        # creates it in a migration (`migration_ops.create_idempotency_table`).
        self.keyed_commands = KeyedCommands(self.uow, retention=retention)
        if idempotency_keys:
            self.add(
                PeriodicJob(
                    f"idempotency-prune-{settings.service_name}",
                    lambda: prune(
                        self.engine,
                        retention=retention,
                        batch_size=settings.idempotency_prune_batch_size,
                    ),
                    settings.idempotency_prune_interval_seconds,
                )
            )

    def consumer(
        self,
        *,
        group_id: str,
        topics: Sequence[str],
        handler: EventsHandler,
    ) -> IdempotentConsumer:
        consumer = IdempotentConsumer(
            group_id=group_id,
            topics=topics,
            handler=handler,
            sessions=self.sessions,
            settings=self.settings,
            unit_of_work=self.uow,
        )
        self.consumers.append(consumer)
        return consumer

    def handle(self, cls: type[H], **own: Any) -> H:
        """The service's handle over this runtime, with the fields only it has."""
        return cls(uow=self.uow, sessions=self.sessions, keyed=self.keyed_commands, **own)

    def add(self, component: Component) -> None:
        self.components.append(component)

    def _topics(self) -> list[tuple[str, str]]:
        names = set(self.produces)
        for consumer in self.consumers:
            names.update(consumer.topics)
            names.add(dlq(consumer.group_id))
        return [(self.settings.topic(n), n) for n in sorted(names)]

    async def start(self) -> None:
        platform = self.settings.platform
        # Started before the database or the broker answers, the service waits for them.
        await wait_for(
            "database",
            lambda: migrate(self.migrations_dir, self.settings.database_url),
            platform,
        )
        await wait_for(
            "kafka",
            lambda: ensure_topics(
                platform.kafka_bootstrap_servers,
                self._topics(),
                replication_factor=platform.kafka_replication_factor,
                min_insync_replicas=platform.kafka_min_insync_replicas,
                security=self.settings.kafka_security(),
            ),
            platform,
        )
        if self.relay is not None:
            await self.relay.start()
        for consumer in self.consumers:
            await consumer.start()
        if self.consumers:
            await self.broker.start()
        for component in self.components:
            await component.start()
        self.started = True

    async def stop(self) -> None:
        self.started = False
        for component in reversed(self.components):
            await component.stop()
        if self.consumers:
            await self.broker.stop()
        for consumer in self.consumers:
            await consumer.stop()
        if self.relay is not None:
            await self.relay.stop()
        await self.engine.dispose()

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        """Database, broker and consumer state, as /ready reports them."""
        report: dict[str, Any] = {}
        ok = self.started
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            report["database"] = "ok"
        except Exception as exc:
            report["database"] = f"down: {type(exc).__name__}"
            ok = False
        if self.relay is not None:
            report["outbox_relay"] = {
                "running": self.relay.running,
                "last_error": self.relay.last_error,
            }
            ok = ok and self.relay.running
        consumers = [await c.health() for c in self.consumers]
        report["consumers"] = consumers
        ok = ok and all(c["ok"] for c in consumers)
        report["started"] = self.started
        return ok, report
