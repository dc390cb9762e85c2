"""Scenario 3, end-to-end latency: fileWork mutations through the gateway, open loop, at 20 %,
50 % and 80 % of the highest sustainable rate (found by an open-loop ramp); from each
mutation's answer to the licensing read model having the work and to its notification
existing; beside a raw two-hop probe (bench.two_hop) at the same offered load. The load comes
from a pinned process of its own (bench.loadgen)."""

from __future__ import annotations

import asyncio
import itertools
import math
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import BOOTSTRAP, Latencies, create_database, topic_prefix
from bench.loadgen import Answer, LoadGenerator, Sent
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
from bench.two_hop import SETUP, TwoHop


class Load:
    """Files works as `filers`, each the work's only holder: a filing that names another party
    waits for its consent (DOMAIN.md, "Co-owners' consent to a filing") and never registers
    by itself, so the measured path stays fileWork -> registered -> applied."""

    def __init__(self, platform: Platform, filers: list[tuple[str, str]]) -> None:
        self.platform = platform
        self.filers = filers
        self.turn = itertools.count()
        self.errors = 0

    async def file_one(self) -> tuple[str | None, float]:
        """Files one work; returns its id (None on error) and when the answer arrived."""
        n = next(self.turn)
        filer, token = self.filers[n % len(self.filers)]
        try:
            data = await self.platform.gql(
                FILE, file_input(f"Bench e2e {uuid.uuid4().hex}",
                                 [(filer, "COMPOSER", "100")]), token)
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
        while time.perf_counter() < stop_at:
            response = await platform.http.post(url, headers={"Authorization": f"Bearer {token}"},
                                                json={"title": f"Bench direct {uuid.uuid4().hex}",
                                                      "kind": "MUSICAL_WORK",
                                                      "country_of_origin": "TH",
                                                      "rights_holders": [
                                                          {"party_id": filer, "role": "COMPOSER",
                                                           "share": "100"}]})
            if response.status_code == 201:
                done += 1
                ids.append(response.json()["id"])

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    return round(done / (time.perf_counter() - started), 1)



# --- the open-loop ramp: capacity ---------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One rung of the ramp: what was offered, what came back."""

    offered: float
    achieved: float  # answers per second, from the first intended send to the last answer
    mutation_p99_ms: float
    errors: int
    effects_lag_s: float | None  # last answer -> every effect committed; None: not in time


@dataclass(frozen=True)
class RampRules:
    """When a rung counts as sustained."""

    min_achieved_share: float = 0.95
    max_mutation_p99_ms: float = 1000.0
    max_effects_lag_s: float = 2.0


def shortfall(step: Step, rules: RampRules) -> str | None:
    """Why `step` was not sustained (None: it was)."""
    if step.errors:
        return f"{step.errors} failed mutations"
    if step.achieved < rules.min_achieved_share * step.offered:
        return (f"the fileWork command path (gateway -> filing): answered {step.achieved:.1f}/s "
                f"of {step.offered:.1f}/s offered")
    if step.mutation_p99_ms > rules.max_mutation_p99_ms:
        return (f"the fileWork command path (gateway -> filing): mutation p99 "
                f"{step.mutation_p99_ms:.0f} ms > {rules.max_mutation_p99_ms:.0f} ms")
    if step.effects_lag_s is None or step.effects_lag_s > rules.max_effects_lag_s:
        lag = "not within the drain limit" if step.effects_lag_s is None else (
            f"{step.effects_lag_s:.1f} s")
        return (f"the consumers falling behind: last effect committed {lag} after the last "
                f"answer (> {rules.max_effects_lag_s:.0f} s)")
    return None


def rates(start: float, factor: float, steps: int) -> list[float]:
    """The ramp's offered rates: geometric from `start`."""
    return [start * factor ** i for i in range(steps)]


def capacity(steps: list[Step], rules: RampRules) -> tuple[float, str]:
    """The highest offered rate sustained before the first rung that was not, and why that one
    was not. A ramp whose first rung failed gives 80 % of what that rung achieved; one that
    never failed gives its last rung (a lower bound)."""
    sustained = None
    for step in steps:
        reason = shortfall(step, rules)
        if reason is not None:
            if sustained is None:
                return max(0.5, 0.8 * step.achieved), reason
            return sustained, reason
        sustained = step.offered
    if sustained is None:
        raise ValueError("no steps")
    return sustained, "not reached: every rung of the ramp was sustained (a lower bound)"


def achieved_rate(answers: list[Answer]) -> float:
    """Answers per second from the first intended send to the last answer."""
    if not answers:
        return 0.0
    span = max(a[2] for a in answers) - min(a[1] for a in answers)
    return len(answers) / span if span > 0 else math.inf


def samples_count(rate: float, seconds: float, samples: int) -> int:
    """Requests in a level: `seconds` at `rate`, but never fewer than `samples` (a p99 needs
    1,000 behind it)."""
    return max(samples, math.ceil(rate * seconds))


async def fresh_filers(platform: Platform, filers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The filers with tokens valid now (cached by the identities until close to expiry)."""
    return [(party, await platform.identities.token_for_async(party)) for party, _ in filers]


async def send_schedule(load: Load, gen: LoadGenerator, *, rate: float,
                        count: int) -> Sent:
    return await gen.run("file_works", url=load.platform.config.gateway_url,
                         filers=await fresh_filers(load.platform, load.filers),
                         rate=rate, count=count, timeout=30)


async def ramp(load: Load, gen: LoadGenerator, arrivals: list[Arrivals], *, start: float,
               factor: float, max_steps: int, step_seconds: float,
               rules: RampRules) -> tuple[list[dict[str, Any]], list[Step]]:
    """Offers rising rates until a rung is not sustained."""
    steps: list[Step] = []
    shown: list[dict[str, Any]] = []
    for rate in rates(start, factor, max_steps):
        sent = await send_schedule(load, gen, rate=rate, count=max(5, round(rate * step_seconds)))
        ids = [a[0] for a in sent.answers if a[0]]
        mutation = Latencies()
        for _, intended, answered in sent.answers:
            mutation.record_seconds(answered - intended)
        in_time = await wait_seen(ids, arrivals, timeout=rules.max_effects_lag_s + 1)
        last_answer = max(a[2] for a in sent.answers)
        lag = None
        if in_time and ids:
            lag = max(0.0, max(a.seen[i] for a in arrivals for i in ids) - last_answer)
        step = Step(offered=rate, achieved=achieved_rate(sent.answers),
                    mutation_p99_ms=mutation.summary_ms()["p99_ms"],
                    errors=len(sent.answers) - len(ids), effects_lag_s=lag)
        steps.append(step)
        reason = shortfall(step, rules)
        shown.append({"offered_per_s": round(rate, 1), "achieved_per_s": round(step.achieved, 1),
                      "requests": len(sent.answers), "mutation_p99_ms": step.mutation_p99_ms,
                      "effects_lag_s": None if lag is None else round(lag, 2),
                      "errors": step.errors, "first_error": sent.first_error,
                      "sustained": reason is None, "shortfall": reason})
        if reason is not None:
            await wait_seen(ids, arrivals, timeout=60)  # no backlog into what follows
            break
    return shown, steps


async def open_loop(load: Load, gen: LoadGenerator, arrivals: list[Arrivals], *, rate: float,
                    count: int, drain_timeout: float) -> dict[str, Any]:
    """Sends `count` fileWork on a fixed schedule from the load generator's process."""
    before = cpu_snapshot(load.platform)
    started = time.perf_counter()
    sent = await send_schedule(load, gen, rate=rate, count=count)
    answers = sent.answers
    sent_seconds = time.perf_counter() - started
    cpu = cpu_share(before, cpu_snapshot(load.platform), sent_seconds)
    cpu["load generator (pinned process)"] = round(sent.cpu_seconds / sent_seconds, 2)
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
        "achieved_per_s": round(achieved_rate(answers), 1), "errors": count - len(ids),
        "first_error": sent.first_error,
        "all_effects_seen": drained, "missing": missing,
        "mutation": mutation.summary_ms(),
        "answer_to_licensing_read_model": to_read_model.summary_ms(),
        "answer_to_notification": to_notification.summary_ms(),
        "histograms": {"read_model": to_read_model, "notification": to_notification},
        "cpu_cores_used": cpu,
    }


def ratio_at(levels: list[dict[str, Any]], level: str = "50 %") -> dict[str, float | None]:
    """At `level`: the read model's and the notification's p99 over the two-hop probe's p99
    at the same offered load."""
    for found in levels:
        if found.get("level") == level:
            base = (found.get("two_hop") or {}).get("latency", {}).get("p99_ms")
            if not base:
                break
            return {"read_model": round(found["answer_to_licensing_read_model"]["p99_ms"]
                                        / base, 2),
                    "notification": round(found["answer_to_notification"]["p99_ms"] / base, 2)}
    return {"read_model": None, "notification": None}


async def run(platform: Platform, *, profile_seconds: int, level_seconds: int,
              concurrency: int, profile_dir: Path | None, raw_rt_p99_ms: float | None,
              samples: int, ramp_start: float, ramp_factor: float, ramp_steps: int,
              step_seconds: float, rules: RampRules | None = None, probe_seconds: float = 5,
              levels: tuple[float, ...] = (0.2, 0.5, 0.8)) -> dict[str, Any]:
    rules = rules or RampRules()
    filers = [await register_party(platform, f"E2E filer {i}") for i in range(8)]
    arrivals = [
        await watch_inserts(platform.config.database_urls["licensing"], "register_work", "id"),
        await watch_inserts(platform.config.database_urls["notifications"], "notification",
                            "subject_id"),
    ]
    load = Load(platform, filers)
    gen = LoadGenerator()
    probe_database = await create_database("two_hop")
    try:
        # Warm-up: connections, statement caches, first compilations in every process (and
        # the load generator's own start).
        warm = await send_schedule(load, gen, rate=10, count=30)
        await wait_seen([a[0] for a in warm.answers if a[0]], arrivals, timeout=60)
        shown, steps = await ramp(load, gen, arrivals, start=ramp_start, factor=ramp_factor,
                                  max_steps=ramp_steps, step_seconds=step_seconds, rules=rules)
        sustainable, limiter = capacity(steps, rules)
        # At capacity for a while, profiled: what the processes spend their time on.
        profiles = (start_profiles(platform, profile_seconds, profile_dir)
                    if profile_dir else None)
        at_capacity = await open_loop(load, gen, arrivals, rate=sustainable,
                                      count=max(5, round(sustainable * profile_seconds)),
                                      drain_timeout=60)
        if profiles is not None and profile_dir is not None:
            at_capacity["profiles"] = await finish_profiles(profiles, profile_dir)
        at_capacity.pop("histograms")
        # The rungs are short; holding the rate longer shows whether it really is sustained.
        hold = shortfall(Step(offered=sustainable, achieved=at_capacity["achieved_per_s"],
                              mutation_p99_ms=at_capacity["mutation"]["p99_ms"],
                              errors=at_capacity["errors"], effects_lag_s=0.0), rules)
        at_capacity["held"] = {"sustained": hold is None, "shortfall": hold}
        direct_ids: list[str] = []
        straight = {str(c): await straight_to_filing(load, direct_ids, concurrency=c,
                                                     seconds=probe_seconds)
                    for c in (1, concurrency)}
        await wait_seen(direct_ids, arrivals, timeout=60)  # no backlog left for the levels
        results = []
        for level in levels:
            rate = max(0.5, sustainable * level)
            count = samples_count(rate, level_seconds, samples)
            result = await open_loop(load, gen, arrivals, rate=rate, count=count,
                                     drain_timeout=60)
            result["level"] = f"{round(level * 100)} %"
            # The probe's consumers poll every 5 ms while they live: only during its own turn.
            probe = TwoHop(BOOTSTRAP, topic_prefix("e2e"), probe_database)
            try:
                await probe.start()
                result["two_hop"] = await probe.measure(gen, rate=rate, count=count)
            finally:
                await probe.close()
            results.append(result)
    finally:
        gen.close()
        for a in arrivals:
            await a.connection.close()
    for r in results:
        p99 = r["answer_to_licensing_read_model"]["p99_ms"]
        p99n = r["answer_to_notification"]["p99_ms"]
        hop = r["two_hop"]["latency"]["p99_ms"]
        r["ratio"] = {
            "read_model_p99_over_two_hop_p99": round(p99 / hop, 2) if hop else None,
            "notification_p99_over_two_hop_p99": round(p99n / hop, 2) if hop else None,
            "read_model_p99_over_raw_rt_p99":
                round(p99 / raw_rt_p99_ms, 1) if raw_rt_p99_ms else None,
            "notification_p99_over_raw_rt_p99":
                round(p99n / raw_rt_p99_ms, 1) if raw_rt_p99_ms else None}
    return {
        "setup": {"mutation": "fileWork (the filer the only holder, unique titles: "
                              "registered at once; a co-owner would make it wait for consent) "
                              "via the gateway, 8 filer parties; every process on this machine",
                  "load_generator": gen.describe(),
                  "capacity": f"open-loop ramp from {ramp_start}/s, x{ramp_factor} per rung, "
                              f"{step_seconds} s per rung, at most {ramp_steps} rungs; a rung "
                              f"is sustained if answered >= {rules.min_achieved_share} of "
                              f"offered, no errors, mutation p99 <= "
                              f"{rules.max_mutation_p99_ms:.0f} ms and every effect committed "
                              f"<= {rules.max_effects_lag_s:.0f} s after the last answer; "
                              "capacity = the highest sustained rung; then "
                              f"{profile_seconds} s open loop at capacity under py-spy; then "
                              f"POST /works straight to filing (closed loop) with 1 and "
                              f"{concurrency} clients, {probe_seconds} s each",
                  "levels": f"open loop, fixed schedule, max({level_seconds} s, {samples} "
                            "requests) each; latency of the mutation from its intended send",
                  "two_hop": SETUP,
                  "effect_detection": "a bench-only AFTER INSERT trigger + LISTEN/NOTIFY on the "
                                      "scratch databases (fires at the consumer's commit)"},
        "highest_sustainable_per_s": round(sustainable, 1),
        "limited_by": limiter,
        "ramp": shown,
        "capacity": {**at_capacity, "straight_to_filing_per_s": straight},
        "levels": results,
        "ratio_p99_at_50pct": ratio_at(results),
        "ratio_definition": "ratio_p99_at_50pct: p99 (mutation answer -> effect committed) / "
                            "the raw two-hop probe's p99 at the same offered load, at 50 % of "
                            "capacity (targets: read model <= 5, notification <= 8)",
    }
