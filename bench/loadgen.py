"""The load generator of the open-loop scenarios, in a process of its own pinned to its own
cores (`BENCH_LOAD_CPUS`, default the machine's last core), so that the requests it makes are
not slowed by, and do not slow, the event loop that watches for their effects.

Each call sends on a fixed schedule (`count` requests, `rate` per second, never waiting for
answers: no coordinated omission) and returns, per request, its key (None on error), its
intended send time and when its answer or ack came, all `time.perf_counter()`: on Linux
CLOCK_MONOTONIC, one clock for every process on the machine, so the parent compares them with
its own.
"""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

Answer = tuple[str | None, float, float]  # (key or None on error, intended send, answered)


def load_cpus() -> set[int]:
    """`BENCH_LOAD_CPUS` ("1" or "0,1"): the cores the load generator may run on."""
    configured = os.environ.get("BENCH_LOAD_CPUS", "")
    if configured:
        return {int(c) for c in configured.split(",") if c.strip()}
    return {max(0, (os.cpu_count() or 1) - 1)}


def _pin(cpus: set[int]) -> None:
    os.sched_setaffinity(0, cpus)


@dataclass
class Sent:
    """One schedule's outcome, as the child measured it."""

    answers: list[Answer] = field(default_factory=list)
    cpu_seconds: float = 0.0
    cpus: list[int] = field(default_factory=list)
    first_error: str | None = None


def schedule(count: int, rate: float, start: float) -> list[float]:
    """The intended send times of an open loop: `count` sends `1/rate` s apart from `start`."""
    return [start + i / rate for i in range(count)]


async def _open_loop(count: int, rate: float, send: Any) -> list[Answer]:
    answers: list[Answer] = []
    tasks = []

    async def one(i: int, intended: float) -> None:
        key = await send(i)
        answers.append((key, intended, time.perf_counter()))

    for i, intended in enumerate(schedule(count, rate, time.perf_counter() + 0.1)):
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, intended)))
    await asyncio.gather(*tasks)
    return answers


async def _file_works(spec: dict[str, Any], out: Sent) -> None:
    import uuid

    import httpx

    from bench.platform import FILE, file_input

    filers: list[tuple[str, str]] = spec["filers"]
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(timeout=spec.get("timeout", 30), limits=limits) as http:

        async def send(n: int) -> str | None:
            filer, token = filers[n % len(filers)]
            other = filers[(n + 1) % len(filers)][0]
            variables = file_input(f"Bench e2e {uuid.uuid4().hex}",
                                   [(filer, "COMPOSER", "60"), (other, "LYRICIST", "40")])
            try:
                response = await http.post(spec["url"], json={"query": FILE,
                                                              "variables": variables},
                                           headers={"Authorization": f"Bearer {token}"})
                body = response.json()
                payload = (body.get("data") or {}).get("fileWork") or {}
                if body.get("errors") or payload.get("errors") or not payload.get("work"):
                    out.first_error = out.first_error or str(body)[:300]
                    return None
                return str(payload["work"]["id"])
            except Exception as exc:
                out.first_error = out.first_error or f"{type(exc).__name__}: {exc}"
                return None

        out.answers = await _open_loop(spec["count"], spec["rate"], send)


async def _produce_records(spec: dict[str, Any], out: Sent) -> None:
    from aiokafka import AIOKafkaProducer
    from devstack.kafka_access import admin_login

    from bench.events import FilingStream

    # work.registered records of the pipeline (every second record), built before the clock.
    records = list(FilingStream(50).works(spec["count"]))[1::2]
    producer = AIOKafkaProducer(bootstrap_servers=spec["bootstrap"], **admin_login(),
                                enable_idempotence=True, acks="all", linger_ms=0)
    await producer.start()
    try:
        async def send(n: int) -> str | None:
            record = records[n]
            try:
                await producer.send_and_wait(spec["topic"], value=record.value, key=record.key,
                                             headers=record.headers)
            except Exception as exc:
                out.first_error = out.first_error or f"{type(exc).__name__}: {exc}"
                return None
            return record.key.decode()

        out.answers = await _open_loop(spec["count"], spec["rate"], send)
    finally:
        await producer.stop()


def _run(kind: str, spec: dict[str, Any]) -> Sent:
    out = Sent(cpus=sorted(os.sched_getaffinity(0)))
    started = time.process_time()
    body = _file_works if kind == "file_works" else _produce_records
    asyncio.run(body(spec, out))
    out.cpu_seconds = round(time.process_time() - started, 2)
    return out


class LoadGenerator:
    """One pinned child process, reused for every schedule of a scenario."""

    def __init__(self, cpus: set[int] | None = None) -> None:
        self.cpus = cpus if cpus is not None else load_cpus()
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"),
                                         initializer=_pin, initargs=(self.cpus,))

    async def run(self, kind: str, **spec: Any) -> Sent:
        """`kind` "file_works" (url, filers, rate, count) or "produce" (bootstrap, topic,
        rate, count)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, _run, kind, spec)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        return (f"a separate process pinned with os.sched_setaffinity to core(s) "
                f"{','.join(map(str, sorted(self.cpus)))} of {os.cpu_count()} "
                "(BENCH_LOAD_CPUS); the platform, Kafka and PostgreSQL are not pinned and share "
                "every core")
