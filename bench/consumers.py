"""The licensing and notifications services' real consumers, run in-process against a scratch
database: their own `ServiceRuntime` (migrations, relay, idempotent consumer, handler), timed
batch by batch."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.consumer import IdempotentConsumer, Record
from runtime.service import ServiceRuntime
from runtime.settings import PlatformSettings

from bench.common import BOOTSTRAP


@dataclass
class Progress:
    """Events applied (committed) so far, and when each batch committed."""

    applied: int = 0
    batches: list[tuple[float, int]] = field(default_factory=list)  # (commit time, applied after)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def rate_after(self, warmup: int) -> dict[str, Any]:
        """Events/s from the first commit at or past `warmup` events to the last commit."""
        start = next(((t, n) for t, n in self.batches if n >= warmup), None)
        end = self.batches[-1] if self.batches else None
        if start is None or end is None or end[0] <= start[0]:
            return {"events": 0, "seconds": 0.0, "per_s": 0}
        events, seconds = end[1] - start[1], end[0] - start[0]
        sizes = [b - a for (_, a), (_, b) in zip(self.batches, self.batches[1:], strict=False)]
        return {"events": events, "seconds": round(seconds, 2), "per_s": round(events / seconds),
                "batches": len(self.batches),
                "mean_batch": round(sum(sizes) / len(sizes), 1) if sizes else None}


def instrument(consumer: IdempotentConsumer) -> Progress:
    """Wraps the consumer's batch entry point (looked up per call by its subscriber)."""
    progress = Progress()
    original = consumer.handle_records

    async def timed(records: Sequence[Record]) -> None:
        await original(records)
        progress.applied += len(records)
        progress.batches.append((time.perf_counter(), progress.applied))
        progress.changed.set()

    consumer.handle_records = timed  # type: ignore[method-assign]
    return progress


def build(service: str, database_url: str, prefix: str, state_dir: Path,
          **overrides: Any) -> ServiceRuntime:
    platform = PlatformSettings(rights_topic_prefix=prefix, rights_state_dir=state_dir,
                                kafka_bootstrap_servers=BOOTSTRAP, log_json=False)
    if service == "licensing":
        from licensing.app import build as build_licensing
        from licensing.settings import LicensingSettings

        runtime, _ = build_licensing(LicensingSettings(
            database_url=database_url, platform=platform, expiry_interval_seconds=3600,
            **({"kafka_principal": "admin"} | overrides)))
        return runtime
    from notifications.app import build as build_notifications
    from notifications.settings import NotificationsSettings

    # The benchmark's topics and groups are its own: it logs in as the admin.
    service_runtime, _ = build_notifications(NotificationsSettings(
        database_url=database_url, platform=platform,
        **({"kafka_principal": "admin"} | overrides)))
    return service_runtime


async def wait_applied(progress: Progress, target: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while progress.applied < target:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        progress.changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(progress.changed.wait(), min(remaining, 1.0))
    return True


async def drain(service: str, database_url: str, prefix: str, state_dir: Path, *, total: int,
                warmup: int, timeout: float,
                customize: Callable[[ServiceRuntime], Any] | None = None,
                **overrides: Any) -> dict[str, Any]:
    """Starts the service's runtime on a waiting backlog of `total` events and times it."""
    runtime = build(service, database_url, prefix, state_dir, **overrides)
    if customize is not None:
        customize(runtime)
    progress = instrument(runtime.consumers[0])
    await runtime.start()
    try:
        done = await wait_applied(progress, total, timeout)
    finally:
        await runtime.stop()
    result = progress.rate_after(warmup)
    result["complete"] = done
    result["applied_total"] = progress.applied
    return result
