"""`python -m bench`: every scenario in one run, then bench/results.json, REPORT.md and charts.

Sizes are settings (`BENCH_*` variables, see bench/common.py and each scenario below);
`BENCH_SMOKE=1` runs everything at tiny sizes to prove it works. `BENCH_ONLY=raw_kafka,gateway`
or `--only raw_kafka,gateway` runs a subset (the report then holds only those)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench import (
    e2e_latency,
    gateway_bench,
    pipeline,
    raw_kafka,
    register_bench,
    report,
    scale_out,
    usage_matching,
    web_pages,
    write_path,
)
from bench.common import (
    BOOTSTRAP,
    RUN_ID,
    Latencies,
    delete_topics,
    drop_databases,
    machine,
    pick,
    size,
    smoke,
    topic_prefix,
)
from bench.platform import running_platform

HERE = Path(__file__).resolve().parent
SCENARIOS = ("raw_kafka", "pipeline", "e2e_latency", "gateway", "write_path", "replay",
             "register", "web_pages", "usage_matching", "scale_out")


def _plain(value: Any) -> Any:
    """results.json holds figures only: histograms become their summaries."""
    if isinstance(value, Latencies):
        return value.summary_ms()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()
                if not k.endswith("_hist") and k != "histograms"}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _only(argv: list[str]) -> set[str]:
    """The scenarios to run: `--only a,b` and `BENCH_ONLY=a,b` together; none named: all."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated: " + ", ".join(SCENARIOS))
    args = parser.parse_args(argv)
    named = {s for s in (args.only + "," + os.environ.get("BENCH_ONLY", "")).split(",") if s}
    unknown = named - set(SCENARIOS)
    if unknown:
        parser.error(f"no scenario {', '.join(sorted(unknown))}")
    return named


async def register_scenario() -> dict[str, Any]:
    """The register at scale on a platform of its own (fresh databases and topics)."""
    async with running_platform() as platform:
        return await register_bench.run(
            platform, works=pick("register_works", 7_300_000, 3_000),
            queries=pick("register_queries", 1_000, 240),
            warmup=pick("register_warmup", 50, 10),
            gateway_queries=pick("register_gateway_queries", 200, 40),
            seed=size("register_seed", 16), sample_size=pick("register_sample", 2_000, 500))


async def main(only: set[str]) -> int:
    started = time.perf_counter()
    info = machine()
    print(f"bench run {RUN_ID}: {info['cores']} cores ({info['cpu']}), {info['memory_gib']} GiB, "
          f"Python {info['python']}, Kafka {info['kafka']}, PostgreSQL {info['postgres']}")
    print("versions: " + ", ".join(f"{k} {info[k]}" for k in list(info)[7:]))
    if smoke():
        print("SMOKE mode: tiny sizes, the figures mean nothing")
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}

    async def scenario(name: str, body: Any) -> None:
        if only and name not in only:
            return
        print(f"\n== {name} ==", flush=True)
        t = time.perf_counter()
        try:
            results[name] = await body()
        except Exception as exc:
            traceback.print_exc()
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        timings[name] = round(time.perf_counter() - t, 1)
        print(json.dumps(_plain(results[name]), indent=1, default=str)[:2500], flush=True)
        print(f"({name}: {timings[name]} s)", flush=True)

    def base(key: str) -> float | None:
        return results.get("raw_kafka", {}).get(key)

    def rt_p99() -> float | None:
        return results.get("raw_kafka", {}).get("round_trip", {}).get("p99_ms")

    # py-spy's raw stacks stay out of the checkout; their top functions go into the report.
    profile_dir = Path(tempfile.mkdtemp(prefix="bench-profiles-"))
    try:
        await scenario("raw_kafka", lambda: raw_kafka.run(
            BOOTSTRAP, topic_prefix("raw"), count=pick("raw_records", 100_000, 5_000),
            rt_count=pick("roundtrips", 2_000, 100), profile_dir=profile_dir))
        await scenario("write_path", lambda: write_path.run(
            commands=pick("commands", 1_000, 20), warmup=pick("command_warmup", 50, 5),
            relay_events=pick("relay_events", 30_000, 1_000),
            batch_size=pick("relay_batch", 500, 500), raw_produce_per_s=base("produce_per_s"),
            profile_dir=profile_dir))
        await scenario("pipeline", lambda: pipeline.run_pipeline(
            works=pick("pipeline_works", 25_000, 150), warmup=pick("pipeline_warmup", 5_000, 100),
            timeout=pick("pipeline_timeout", 240, 120), batch_size=pick("consumer_batch", 500, 50),
            raw_consume_per_s=base("consume_per_s"), profile_dir=profile_dir))

        async def on_platform() -> None:
            async with running_platform() as platform:
                await scenario("gateway", lambda: gateway_bench.run(
                    platform, works=pick("gateway_works", 100, 12),
                    requests=pick("gateway_requests", 1_000, 5),
                    warmup=pick("gateway_warmup", 20, 2), profile_dir=profile_dir))
                await scenario("e2e_latency", lambda: e2e_latency.run(
                    platform, profile_seconds=pick("profile_seconds", 15, 3),
                    level_seconds=pick("level_seconds", 20, 3),
                    samples=pick("e2e_samples", 1_000, 20),
                    ramp_start=float(pick("ramp_start", 5, 5)),
                    ramp_factor=float(os.environ.get("BENCH_RAMP_FACTOR", "1.3")),
                    ramp_steps=pick("ramp_steps", 25, 3),
                    step_seconds=float(pick("ramp_step_seconds", 10, 2)),
                    concurrency=pick("concurrency", 16, 4), profile_dir=profile_dir,
                    raw_rt_p99_ms=rt_p99()))

        if not only or only & {"gateway", "e2e_latency"}:
            try:
                await on_platform()
            except Exception as exc:
                traceback.print_exc()
                for name in ("gateway", "e2e_latency"):
                    results.setdefault(name, {"error": f"platform: {type(exc).__name__}: {exc}"})
        await scenario("replay", lambda: pipeline.run_replay(
            events=pick("replay_events", 1_000_000, 2_000),
            budget_seconds=pick("replay_seconds", 300, 30),
            warmup=pick("replay_warmup", 2_000, 200),
            batch_size=pick("consumer_batch", 500, 50), raw_consume_per_s=base("consume_per_s"),
            profile_dir=profile_dir))
        await scenario("register", register_scenario)
        await scenario("web_pages", lambda: web_pages.run(
            requests=pick("web_requests", 100, 5), warmup=pick("web_warmup", 5, 1)))
        await scenario("usage_matching", lambda: usage_matching.run(
            lines=pick("usage_lines", 100_000, 2_000), works=pick("usage_works", 20_000, 1_000),
            licences=pick("usage_licences", 500, 50), chunk=size("usage_chunk", 1_000),
            seed=size("usage_seed", 19)))
        await scenario("scale_out", lambda: scale_out.run(
            works=pick("scale_out_works", 25_000, 300),
            timeout=pick("scale_out_timeout", 300, 120),
            batch_size=pick("consumer_batch", 500, 50)))
    finally:
        await drop_databases()
        await delete_topics(f"bench-{RUN_ID}-")
        shutil.rmtree(profile_dir, ignore_errors=True)
    total = round(time.perf_counter() - started, 1)
    ordered = {k: results[k] for k in SCENARIOS if k in results}
    document = {"run": {"id": RUN_ID, "smoke": smoke(), "seconds": total,
                        "scenario_seconds": timings, "machine": info,
                        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                **_plain(ordered)}
    out_dir = Path(os.environ.get("BENCH_OUT", str(HERE)))
    out_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - the run is over
    text = json.dumps(document, indent=2, default=str) + "\n"
    (out_dir / "results.json").write_text(text)
    report.write(out_dir, document, results)
    print(f"\nwrote {out_dir / 'results.json'}, {out_dir / 'REPORT.md'} and charts in {total} s")
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(_only(sys.argv[1:]))))
