"""Scenario 2, the event pipeline: events per second that the licensing and notifications
consumers apply with their whole exactly-once machinery, from a waiting backlog of filing
events, beside two baselines on the very same topics: a plain consumer's read rate and the
exactly-once floor (bench.floor); and scenario 6, replay: the licensing read model rebuilt
from a topic of a million."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from devstack.kafka_access import admin_login
from runtime.kafka import ensure_topics

from bench import consumers, floor
from bench.common import BOOTSTRAP, create_database, delete_topics, topic_prefix, url_of
from bench.events import TOPICS, FilingStream, check_templates, produce
from bench.platform import profiling_self
from bench.raw_kafka import read_rate


async def fill(prefix: str, works: int, parties: int = 200) -> tuple[dict[str, Any], int, int]:
    """Creates the filing topics (contract partition counts) and writes the backlog."""
    check_templates()
    await ensure_topics(BOOTSTRAP, [(prefix + t, t) for t in TOPICS], security=admin_login())
    stream = FilingStream(parties)

    def records() -> Any:
        yield from stream.parties()
        yield from stream.works(works)

    produced = await produce(BOOTSTRAP, prefix, records())
    return produced, produced["records"], stream.size_bytes()


async def raw_consume(prefix: str, total: int) -> float:
    """The same topics read by a plain consumer (getmany + commit), for a same-topic baseline."""
    group = f"{prefix}raw-{uuid.uuid4().hex[:6]}"
    return await read_rate(BOOTSTRAP, [prefix + t for t in TOPICS], group, total)


async def read_model_digest(database_url: str) -> str:
    """A digest of licensing's register tables (everything the handler writes)."""
    import asyncpg

    conn = await asyncpg.connect(url_of(database_url))
    try:
        parts = []
        for table, columns, order in (
            ("register_party", "id, name, kind, country, last_event_at, last_event_id", "id"),
            ("register_work", "id, title, kind, status, filing_number, registration_number, "
                              "last_event_at, last_event_id", "id"),
            ("register_holder", "work_id, party_id, role, share", "work_id, party_id, role"),
            ("register_shares", "work_id, effective_from, shares::text", "work_id, effective_from"),
        ):
            parts.append(str(await conn.fetchval(
                f"SELECT md5(string_agg(concat_ws('|', {columns}), ',' ORDER BY {order})) "
                f"FROM {table}")))
        return "/".join(parts)
    finally:
        await conn.close()


def ratios(figures: dict[str, Any], baseline: float | None,
           names: tuple[str, ...] = ("licensing", "notifications")) -> dict[str, float | None]:
    """Each named consumer's events/s over a baseline's (None where either is missing)."""
    return {name: round(figures[name]["per_s"] / baseline, 4)
            if baseline and figures.get(name, {}).get("per_s") is not None else None
            for name in names}


async def run_pipeline(*, works: int, warmup: int, timeout: float, batch_size: int,
                       raw_consume_per_s: float | None,
                       profile_dir: Path | None = None) -> dict[str, Any]:
    prefix = topic_prefix("pipeline")
    produced, total, size = await fill(prefix, works)
    results: dict[str, Any] = {}
    profiles: dict[str, Any] = {}
    try:
        same_topic_raw = await raw_consume(prefix, total)
        floor_url = await create_database("pipeline_floor")
        with profiling_self(profile_dir, "floor", profiles):
            results["floor"] = await floor.drain(
                BOOTSTRAP, [prefix + t for t in TOPICS], floor_url,
                total=total, warmup=warmup, batch_size=batch_size, timeout=timeout)
        with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as state:
            urls = {}
            for service in ("licensing", "notifications"):
                urls[service] = await create_database(f"pipeline_{service}")
                with profiling_self(profile_dir, service, profiles):
                    results[service] = await consumers.drain(
                        service, urls[service], prefix, Path(state), total=total,
                        warmup=warmup, timeout=timeout, consumer_batch_size=batch_size)
    finally:
        await delete_topics(prefix)
    out: dict[str, Any] = {
        "setup": {"backlog": f"{total} filing events waiting before the consumer starts: 200 "
                             f"party.registered + {works} x (work.filed, work.registered), "
                             f"{size} B values, 6 partitions per topic",
                  "consumer": "the service's own ServiceRuntime in-process (migrations, relay, "
                              "IdempotentConsumer: processed_event insert + handler + commit, "
                              f"then the offset commit), consumer_batch_size={batch_size}, "
                              "alone on the machine, scratch database",
                  "floor": f"{floor.SETUP}; batches of {batch_size}, a new group and a "
                           "scratch database, on the same topics after the plain read",
                  "same_topic_raw_consume": "a plain consumer (getmany + commit per batch, "
                                            "new group) of the same topics, first",
                  "measured": f"first {warmup} events are the warm-up; rate from the first "
                              "commit at or past the warm-up to the last commit"},
        "produced": produced,
        "raw_consume_same_topic_per_s": round(same_topic_raw),
        "floor": results["floor"],
        "licensing": results["licensing"],
        "notifications": results["notifications"],
        "floor_ratio_to_raw_consume": round(results["floor"]["per_s"] / same_topic_raw, 4)
        if same_topic_raw else None,
        "ratio_to_floor": ratios(results, results["floor"]["per_s"]),
        "profiles": profiles,
        "ratio_definition": "ratio_to_floor: applied events/s / the exactly-once floor's on the "
                            "same topics in the same run (targets: licensing >= 0.7, "
                            "notifications >= 0.5); ratio: / scenario 1 raw consume_per_s",
    }
    if raw_consume_per_s:
        out["ratio"] = ratios(results, raw_consume_per_s)
    return out


async def run_replay(*, events: int, budget_seconds: float, warmup: int, batch_size: int,
                     raw_consume_per_s: float | None,
                     profile_dir: Path | None = None) -> dict[str, Any]:
    """Rebuilds licensing's register from `events` filing events (a fresh database and group,
    as `licensing rebuild-read-model` leaves it). With a time budget, the rate is that of the
    events applied within it, and the full rebuild's time is projected from it."""
    prefix = topic_prefix("replay")
    works = max(1, (events - 200) // 2)
    profiles: dict[str, Any] = {}
    try:
        produced, total, size = await fill(prefix, works)
        same_topic_raw = await raw_consume(prefix, total)
        with tempfile.TemporaryDirectory(prefix="bench-replay-") as state:
            url = await create_database("replay_licensing")
            timeout = budget_seconds if budget_seconds > 0 else 24 * 3600
            with profiling_self(profile_dir, "replay", profiles):
                result = await consumers.drain("licensing", url, prefix, Path(state),
                                               total=total, warmup=warmup, timeout=timeout,
                                               consumer_batch_size=batch_size)
    finally:
        await delete_topics(prefix)
    rate = result["per_s"]
    out: dict[str, Any] = {
        "setup": {"topic": f"{total} filing events (200 party.registered + {works} x "
                           f"(work.filed, work.registered)), {size} B values, 6 partitions; "
                           "written by a pipelined raw aiokafka producer",
                  "consumer": "licensing's ServiceRuntime in-process on a fresh database and a "
                              f"new group (its real handler + IdempotentConsumer), "
                              f"consumer_batch_size={batch_size}",
                  "budget": (f"time budget {budget_seconds:.0f} s (BENCH_REPLAY_SECONDS; 0 = "
                             "no limit)") if budget_seconds > 0 else "whole topic"},
        "topic_events": total,
        "produced": produced,
        "applied": result["applied_total"],
        "complete": result["complete"],
        "per_s": rate,
        "measured": result,
        "projected_full_rebuild_minutes": round(total / rate / 60, 1) if rate else None,
        "raw_consume_same_topic_per_s": round(same_topic_raw),
        "profiles": profiles,
        "ratio_definition": "replay events/s / scenario 1 raw consume_per_s (target: 20,000 "
                            "events/s)",
    }
    if raw_consume_per_s:
        out["ratio"] = round(rate / raw_consume_per_s, 4)
    return out
