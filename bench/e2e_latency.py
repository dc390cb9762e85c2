"""Scenario 3, end-to-end latency: fileWork mutations through the gateway, open loop, at 20 %,
50 % and 80 % of the highest sustainable rate; from each mutation's answer to the licensing
read model having the work and to its notification existing."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import Latencies
from bench.platform import (
    FILE,
    Arrivals,
    Platform,
    cpu_share,
    cpu_snapshot,
    file_input,
    finish_profiles,
    register_party,
    start_profiles,
    watch_inserts,
)


class Load:
    """Files works as `filers` (each the 60 % composer beside a 40 % lyricist)."""

    def __init__(self, platform: Platform, filers: list[tuple[str, str]]) -> None:
        self.platform = platform
        self.filers = filers
        self.turn = itertools.count()
        self.errors = 0

    async def file_one(self) -> tuple[str | None, float]:
        """Files one work; returns its id (None on error) and when the answer arrived."""
        n = next(self.turn)
        filer, token = self.filers[n % len(self.filers)]
        other = self.filers[(n + 1) % len(self.filers)][0]
        try:
            data = await self.platform.gql(
                FILE, file_input(f"Bench e2e {uuid.uuid4().hex}",
                                 [(filer, "COMPOSER", "60"), (other, "LYRICIST", "40")]), token)
        except Exception:
            self.errors += 1
            return None, time.perf_counter()
        answered = time.perf_counter()
        payload = data["fileWork"]
        if payload["errors"] or not payload["work"]:
            self.errors += 1
            return None, answered
        return payload["work"]["id"], answered


async def wait_seen(ids: list[str], arrivals: list[Arrivals], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(all(i in a.seen for i in ids) for a in arrivals):
            return True
        await asyncio.sleep(0.05)
    return False


async def saturate(load: Load, arrivals: list[Arrivals], *, concurrency: int, seconds: float,
                   profile_dir: Path | None) -> dict[str, Any]:
    """Closed loop at `concurrency`: the platform's capacity for fileWork, and what limits it."""
    platform = load.platform
    filed: list[str] = []
    stop_at = time.perf_counter() + seconds
    profiles = start_profiles(platform, int(seconds), profile_dir) if profile_dir else None
    started = time.perf_counter()
    before = cpu_snapshot(platform)

    async def worker() -> None:
        while time.perf_counter() < stop_at:
            work_id, _ = await load.file_one()
            if work_id:
                filed.append(work_id)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    cpu = cpu_share(before, cpu_snapshot(platform), elapsed)
    window_end = started + elapsed
    applied = {name: sum(1 for i in filed if a.seen.get(i, float("inf")) <= window_end)
               for name, a in zip(("licensing", "notifications"), arrivals, strict=True)}
    drained = await wait_seen(filed, arrivals, timeout=120)
    drain_seconds = time.perf_counter() - window_end
    result: dict[str, Any] = {
        "concurrency": concurrency, "seconds": round(elapsed, 1),
        "mutations_per_s": round(len(filed) / elapsed, 1),
        "applied_in_window_per_s": {k: round(v / elapsed, 1) for k, v in applied.items()},
        "backlog_drained_after_s": round(drain_seconds, 1) if drained else None,
        "cpu_cores_used": cpu, "errors": load.errors,
    }
    if profiles is not None and profile_dir is not None:
        result["profiles"] = await finish_profiles(profiles, profile_dir)
    return result


async def straight_to_filing(load: Load, ids: list[str], *, concurrency: int,
                             seconds: float) -> float:
    """fileWork's service call alone (POST /works on filing, no gateway): commands/s."""
    platform = load.platform
    url = platform.config.service_url("filing") + "/works"
    done = 0
    stop_at = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        nonlocal done
        filer, token = load.filers[k % len(load.filers)]
        other = load.filers[(k + 1) % len(load.filers)][0]
        while time.perf_counter() < stop_at:
            response = await platform.http.post(url, headers={"Authorization": f"Bearer {token}"},
                                                json={"title": f"Bench direct {uuid.uuid4().hex}",
                                                      "kind": "MUSICAL_WORK",
                                                      "country_of_origin": "TH",
                                                      "rights_holders": [
                                                          {"party_id": filer, "role": "COMPOSER",
                                                           "share": "60"},
                                                          {"party_id": other, "role": "LYRICIST",
                                                           "share": "40"}]})
            if response.status_code == 201:
                done += 1
                ids.append(response.json()["id"])

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    return round(done / (time.perf_counter() - started), 1)


async def open_loop(load: Load, arrivals: list[Arrivals], *, rate: float, seconds: float,
                    drain_timeout: float) -> dict[str, Any]:
    """Sends on a fixed schedule, never waiting for answers (no coordinated omission)."""
    count = max(1, int(rate * seconds))
    answers: list[tuple[str | None, float, float]] = []  # (work id, intended send, answered)
    tasks = []
    start = time.perf_counter() + 0.1
    before = cpu_snapshot(load.platform)

    async def send(intended: float) -> None:
        work_id, answered = await load.file_one()
        answers.append((work_id, intended, answered))

    for i in range(count):
        intended = start + i / rate
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(intended)))
    await asyncio.gather(*tasks)
    sent_seconds = time.perf_counter() - start
    cpu = cpu_share(before, cpu_snapshot(load.platform), sent_seconds)
    ids = [a[0] for a in answers if a[0]]
    drained = await wait_seen(ids, arrivals, timeout=drain_timeout)
    mutation = Latencies()
    to_read_model, to_notification = Latencies(), Latencies()
    missing = {"licensing": 0, "notifications": 0}
    for work_id, intended, answered in answers:
        mutation.record_seconds(answered - intended)
        if not work_id:
            continue
        for hist, arrival, name in ((to_read_model, arrivals[0], "licensing"),
                                    (to_notification, arrivals[1], "notifications")):
            seen = arrival.seen.get(work_id)
            if seen is None:
                missing[name] += 1
            else:
                # An effect committed before the answer reached us counts as zero.
                hist.record_seconds(max(0.0, seen - answered))
    return {
        "offered_per_s": round(rate, 1), "requests": count, "seconds": round(sent_seconds, 1),
        "achieved_per_s": round(len(answers) / sent_seconds, 1), "errors": count - len(ids),
        "all_effects_seen": drained, "missing": missing,
        "mutation": mutation.summary_ms(),
        "answer_to_licensing_read_model": to_read_model.summary_ms(),
        "answer_to_notification": to_notification.summary_ms(),
        "histograms": {"read_model": to_read_model, "notification": to_notification},
        "cpu_cores_used": cpu,
    }


async def run(platform: Platform, *, saturation_seconds: int, level_seconds: int,
              concurrency: int, profile_dir: Path | None, raw_rt_p99_ms: float | None,
              probe_seconds: float = 5,
              levels: tuple[float, ...] = (0.2, 0.5, 0.8)) -> dict[str, Any]:
    filers = [await register_party(platform, f"E2E filer {i}") for i in range(8)]
    arrivals = [
        await watch_inserts(platform.config.database_urls["licensing"], "register_work", "id"),
        await watch_inserts(platform.config.database_urls["notifications"], "notification",
                            "subject_id"),
    ]
    load = Load(platform, filers)
    try:
        # Warm-up: connections, statement caches, first compilations in every process.
        await saturate(load, arrivals, concurrency=4, seconds=3, profile_dir=None)
        load.errors = 0
        capacity = await saturate(load, arrivals, concurrency=concurrency,
                                  seconds=saturation_seconds, profile_dir=profile_dir)
        direct_ids: list[str] = []
        capacity["straight_to_filing_per_s"] = {
            str(c): await straight_to_filing(load, direct_ids, concurrency=c,
                                             seconds=probe_seconds)
            for c in (1, concurrency)}
        await wait_seen(direct_ids, arrivals, timeout=60)  # no backlog left for the levels
        pipeline = capacity["applied_in_window_per_s"]
        mutations = capacity["mutations_per_s"]
        # The consumers limit only if they fell behind; otherwise they applied what they got.
        lagging = {k: v for k, v in pipeline.items() if v < 0.9 * mutations}
        drained = capacity["backlog_drained_after_s"]
        if lagging or drained is None or drained > 5:
            sustainable = min([mutations, *pipeline.values()])
            limiter = "the " + " and ".join(lagging or pipeline) + " consumer(s) falling behind"
        else:
            sustainable = mutations
            busy = sum(v for k, v in capacity["cpu_cores_used"].items())
            limiter = (f"the fileWork command path (gateway -> filing), at {busy:.2f} of "
                       f"{os.cpu_count()} cores busy: see the hot spots")
        results = []
        for level in levels:
            load.errors = 0
            result = await open_loop(load, arrivals, rate=max(0.5, sustainable * level),
                                     seconds=level_seconds, drain_timeout=60)
            result["level"] = f"{round(level * 100)} %"
            results.append(result)
    finally:
        for a in arrivals:
            await a.connection.close()
    for r in results:
        p99 = r["answer_to_licensing_read_model"]["p99_ms"]
        p99n = r["answer_to_notification"]["p99_ms"]
        if raw_rt_p99_ms:
            r["ratio"] = {"read_model_p99_over_raw_rt_p99": round(p99 / raw_rt_p99_ms, 1),
                          "notification_p99_over_raw_rt_p99": round(p99n / raw_rt_p99_ms, 1)}
    return {
        "setup": {"mutation": "fileWork (2 holders, unique titles: registered at once) via "
                              "the gateway, 8 filer parties; every process on this 2-core machine",
                  "capacity_probe": f"closed loop, {concurrency} concurrent clients, "
                                    f"{saturation_seconds} s, after a 3 s warm-up; then "
                                    f"POST /works straight to filing with 1 and {concurrency} "
                                    f"clients, {probe_seconds} s each",
                  "levels": f"open loop, {level_seconds} s each, fixed schedule; latency of the "
                            "mutation measured from its intended send time",
                  "effect_detection": "a bench-only AFTER INSERT trigger + LISTEN/NOTIFY on the "
                                      "scratch databases (fires at the consumer's commit)"},
        "highest_sustainable_per_s": round(sustainable, 1),
        "limited_by": limiter,
        "capacity": capacity,
        "levels": results,
        "ratio_definition": "p99 (mutation answer -> effect committed) / scenario 1 raw Kafka "
                            "produce->consume round trip p99",
    }
