"""Scenario 8, scale-out: licensing's consumer throughput on one backlog of filing events with
1, 2 and 3 instances (real `python -m licensing` processes in one consumer group, started by
devstack as `make run` starts them), as ratios to one instance's, with the cores each used.

The backlog is written once, before any instance starts; each count then reads it from the
start in a consumer group and a scratch database of its own. Its instances start on the
waiting backlog, and the window opens only when every one of them holds partitions (the
group is stable: no start-up and no rebalance inside it) and closes with the last batch."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from contracts.topics import LICENSING_GROUP, PARTITIONS
from devstack.kafka_access import admin_login
from devstack.platform import PlatformConfig
from devstack.polling import eventually
from devstack.supervisor import Supervisor
from runtime.kafka import ensure_topics

from bench.common import BOOTSTRAP, create_database, delete_topics, topic_prefix, url_of
from bench.events import TOPICS, FilingStream, check_templates, produce
from bench.platform import _TICKS, _cpu_seconds

COUNTS = (1, 2, 3)
PARTITIONS_READ = sum(PARTITIONS[t] for t in TOPICS)


async def _held(http: httpx.AsyncClient, urls: list[str]) -> list[int]:
    """Partitions each instance says it holds (its /ready; 0 while it does not answer)."""
    held = []
    for url in urls:
        try:
            report = (await http.get(f"{url}/ready")).json()
        except (httpx.HTTPError, ValueError):
            held.append(0)
            continue
        consumers = report.get("consumers") or [{}]
        held.append(int(consumers[0].get("assigned_partitions", 0)))
    return held


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every core, every tenant: PostgreSQL's
    backends come and go, so their own counters cannot be summed over a window)."""
    with open("/proc/stat") as f:
        ticks = [int(t) for t in f.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / _TICKS


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each instance, and of the machine."""
    snap = {name: _cpu_seconds(pid) for name, pid in pids.items()}
    snap["machine"] = _machine_busy_seconds()
    return snap


def _backlog(works: int) -> Iterator[Any]:
    stream = FilingStream()
    yield from stream.parties()
    yield from stream.works(works)


async def one_count(count: int, prefix: str, total: int, *, timeout: float,
                    batch_size: int) -> dict[str, Any]:
    """`count` instances in a new group on the waiting backlog of `total` events, timed from
    the moment the group is stable to its last batch."""
    url = await create_database(f"scale_out_{count}")
    log_path = Path(tempfile.gettempdir()) / f"bench-scale-out-{os.getpid()}-{count}.log"
    with tempfile.TemporaryDirectory(prefix="bench-scale-out-") as state, \
            open(log_path, "w", encoding="utf-8") as log:  # noqa: ASYNC230 - once per count
        config = PlatformConfig.on_free_ports(
            instances=count, topic_prefix=prefix, state_dir=Path(state),
            database_urls={"licensing": url},
            extra_env={"KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP,
                       # The benchmark's topics and groups are its own: the admin's ACLs.
                       "LICENSING_KAFKA_PRINCIPAL": "admin",
                       # A group of this count's own reads the one backlog from the start.
                       "LICENSING_REGISTER_GROUP": f"{LICENSING_GROUP}-{count}",
                       "LICENSING_CONSUMER_BATCH_SIZE": str(batch_size),
                       "LOG_JSON": "true", "LOG_LEVEL": "WARNING"})
        supervisor = Supervisor(out=log, colour=False)
        conn = await asyncpg.connect(url_of(url))
        try:
            running = [await supervisor.start(s) for s in config.service_processes("licensing")]
            pids = {f"licensing-{n}": r.process.pid for n, r in enumerate(running, start=1)}
            urls = config.instance_urls("licensing")
            async with httpx.AsyncClient(timeout=5) as http:

                async def stable() -> bool:
                    if supervisor.exited():
                        log.flush()
                        raise RuntimeError(f"an instance exited; its log: {log_path}")
                    held = await _held(http, urls)
                    return all(held) and sum(held) == PARTITIONS_READ

                await eventually(stable, 300, what=f"{count} instances holding the partitions",
                                 interval=0.2)
                held = await _held(http, urls)
            # The window opens: on the database's clock, the one that stamps each batch's
            # tracking rows (`processed_at`, the batch transaction's start).
            start_at, start_applied = await conn.fetchrow(
                "SELECT now(), count(*) FROM processed_event")
            cpu_before, wall_started = _cpu(pids), time.perf_counter()
            load_before = os.getloadavg()[0]

            async def drained() -> bool:
                return bool(await conn.fetchval("SELECT count(*) FROM processed_event") >= total)

            await eventually(drained, timeout, what=f"{total} events applied by {count} "
                             "instance(s)", interval=0.2)
            cpu_after, wall = _cpu(pids), time.perf_counter() - wall_started
            end_at = await conn.fetchval("SELECT max(processed_at) FROM processed_event")
        finally:
            await conn.close()
            await supervisor.stop()
    seconds = (end_at - start_at).total_seconds()
    events = total - start_applied
    cores = {k: round((cpu_after[k] - cpu_before[k]) / wall, 2) for k in cpu_after}
    instance_cores = sum(v for k, v in cores.items() if k.startswith("licensing-"))
    per_s = round(events / seconds) if seconds > 0 else None
    result: dict[str, Any] = {
        "instances": count,
        "partitions_held": held,
        "applied_before_window": start_applied,
        "events": events,
        "seconds": round(seconds, 2),
        "per_s": per_s,
        # Cores each instance, and the whole machine, used over the window (2.0 = both cores
        # of this machine busy).
        "cores": cores,
        "instances_cores": round(instance_cores, 2),
        # Events per CPU second of the instances: flat across counts when each instance
        # does the same work per event, whatever CPU it could get.
        "per_instance_core_s": round(per_s / instance_cores) if per_s and instance_cores else None,
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    if events < total / 10:
        result["note"] = ("the backlog was almost all applied before every instance held "
                          "partitions: too few events in the window (raise BENCH_SCALE_OUT_WORKS)")
    return result


async def run(*, works: int, timeout: float, batch_size: int) -> dict[str, Any]:
    check_templates()
    prefix = topic_prefix("scale_out")
    try:
        await ensure_topics(BOOTSTRAP, [(prefix + t, t) for t in TOPICS], security=admin_login())
        produced = await produce(BOOTSTRAP, prefix, _backlog(works))
        runs = {str(n): await one_count(n, prefix, produced["records"], timeout=timeout,
                                        batch_size=batch_size) for n in COUNTS}
    finally:
        await delete_topics(prefix)
    per_s = {n: runs[str(n)]["per_s"] for n in COUNTS}

    def ratio(n: int) -> float | None:
        return round(per_s[n] / per_s[1], 3) if per_s[n] and per_s[1] else None

    return {
        "setup": {"backlog": f"{produced['records']} events waiting before any instance starts: "
                             f"200 party.registered + {works} x (work.filed, work.registered) on "
                             f"2 topics x 6 partitions",
                  "instances": "python -m licensing processes (devstack), one consumer group per "
                               f"count, consumer_batch_size={batch_size}, a scratch database "
                               "per count",
                  "measured": "events applied from the moment every instance holds partitions "
                              "to the start of the last batch's transaction (the database's "
                              "clock)",
                  "broker": BOOTSTRAP},
        "produced": produced,
        "instances_1_per_s": per_s[1],
        "instances_2_per_s": per_s[2],
        "instances_3_per_s": per_s[3],
        "ratio_2_to_1": ratio(2),
        "ratio_3_to_1": ratio(3),
        "runs": runs,
        "ratio_definition": "ratio_N_to_1: licensing's events/s applied by N instances over one "
                            "instance's, same backlog, same run; bounded by the cores they get",
    }
