"""`python -m faults` (`make faults`): the fault suite in the Jepsen manner. A seeded workload
through the gateway while the nemesis breaks things on a schedule printed up front; then
everything healed, the time to drain measured, and the checker's verdict written to
bench/faults.json and the README.

Options (each also an environment variable): --seed (FAULTS_SEED, default: a fresh one,
printed), --operations (FAULTS_OPERATIONS, 5000), --faults-per-kind (FAULTS_PER_KIND, 30),
--concurrency (FAULTS_CONCURRENCY, 32), --drain-timeout (FAULTS_DRAIN_TIMEOUT, 600 s),
--out (FAULTS_OUT, bench/faults.json; README table updated only for the default)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import secrets
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faults import collect, report
from faults.checker import check, final_ops
from faults.environment import CLUSTER_BOOTSTRAP, ROOT, running_environment, state_dir
from faults.identity import Accounts
from faults.nemesis import SPACING_S, Nemesis, make_schedule
from faults.workload import Client, Generator, Model, run_workload, set_up_parties


def options(argv: list[str]) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int,
                        default=int(env.get("FAULTS_SEED", secrets.randbelow(10**9))))
    parser.add_argument("--operations", type=int, default=int(env.get("FAULTS_OPERATIONS", 5000)))
    parser.add_argument("--faults-per-kind", type=int, default=int(env.get("FAULTS_PER_KIND", 30)))
    parser.add_argument("--concurrency", type=int, default=int(env.get("FAULTS_CONCURRENCY", 32)))
    parser.add_argument("--drain-timeout", type=float,
                        default=float(env.get("FAULTS_DRAIN_TIMEOUT", 600)))
    parser.add_argument("--out", type=Path,
                        default=Path(env.get("FAULTS_OUT", str(ROOT / "bench" / "faults.json"))))
    return parser.parse_args(argv)


def say(text: str) -> None:
    print(f"{datetime.now(UTC):%H:%M:%S} {text}", flush=True)


async def drain(urls: dict[str, str], timeout: float) -> tuple[float, list[str]]:
    """Seconds until the services agree after the faults stop (or the timeout), and what
    was still unsettled at the end."""
    started = time.monotonic()
    waiting = await collect.unsettled(urls)
    while waiting and time.monotonic() - started < timeout:
        await asyncio.sleep(0.5)  # polling the databases: the platform's own progress
        waiting = await collect.unsettled(urls)
    return round(time.monotonic() - started, 1), waiting


async def run(opts: argparse.Namespace) -> dict[str, Any]:
    schedule = make_schedule(opts.seed, opts.faults_per_kind)
    say(f"fault suite: seed {opts.seed}, {opts.operations} operations, "
        f"{opts.faults_per_kind} faults of each kind, concurrency {opts.concurrency}")
    say(f"replay with: FAULTS_SPACING_S={SPACING_S:g} python -m faults --seed {opts.seed} "
        f"--operations {opts.operations} --faults-per-kind {opts.faults_per_kind} "
        f"--concurrency {opts.concurrency}")
    print(schedule.describe(), flush=True)
    run_dir = state_dir() / f"run-{opts.seed}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    started = time.monotonic()
    async with running_environment(run_dir) as env:
        say(f"platform up (logs: {run_dir / 'platform.log'})")
        model = Model()
        accounts = Accounts()
        client = Client(env.config.gateway_url, accounts, run_dir / "history.jsonl")
        try:
            await set_up_parties(client, model, webhook_url=env.webhooks.url)
            generator = Generator(opts.seed, f"f{opts.seed}", model)
            nemesis = Nemesis(env, schedule, log=say)
            # The workload is paced to last as long as the schedule, so faults meet load.
            spacing = schedule.window_s * 1.2 / max(1, opts.operations)
            load_started = time.monotonic()

            async def paced(done: int) -> None:
                if done % 500 == 0:
                    say(f"{done} operations done")
                ahead = load_started + done * spacing - time.monotonic()
                if ahead > 0:
                    await asyncio.sleep(ahead)  # pacing the load, not a synchronisation

            await asyncio.gather(
                nemesis.run(),
                run_workload(client, generator, operations=opts.operations,
                             concurrency=opts.concurrency, on_progress=paced),
            )
            say("faults over; healing")
            faults_over = time.monotonic()
            await nemesis.heal()
            say(f"healed in {time.monotonic() - faults_over:.1f} s; waiting for the services "
                "to agree")
            urls = {s: env.database_url(s) for s in ("filing", "licensing", "notifications")}
            _, waiting = await drain(urls, opts.drain_timeout)
            # From the last fault's end: healing (restarts still under way) is part of it.
            drain_s = round(time.monotonic() - faults_over, 1)
            say(f"drained {drain_s} s after the faults"
                + (f"; still waiting: {waiting}" if waiting else ""))
            observed = collect.Observed()
            await collect.read_databases(urls, observed)
            observed.records = await collect.read_topics(env.config.topic_prefix,
                                                         CLUSTER_BOOTSTRAP)
            observed.mail_ids = collect.read_mail(env.mail_dir())
            observed.webhook_ids = [c["delivery"] for c in env.webhooks.calls]
        finally:
            await client.close()
            await asyncio.to_thread(accounts.close)
    ops = final_ops(asdict(op) for op in client.history)
    # What the checker read, kept beside the history, to check again offline:
    # check(final_ops(<history.jsonl lines>), pickle.load(<observed.pickle>)).
    with (run_dir / "observed.pickle").open("wb") as out:
        pickle.dump(observed, out)
    result = check(ops, observed)
    document = {
        "operations": result.operations,
        "acknowledged": result.acknowledged,
        "faults": nemesis.counts(),
        "lost": len(result.lost),
        "duplicated": len(result.duplicated),
        "order_violations": len(result.order_violations),
        "drain_s": drain_s,
        "seed": opts.seed,
        "results": result.results,
        "by_kind": result.by_kind,
        "redelivered": result.redelivered,
        "undelivered": result.undelivered,
        "unsettled_after_drain": waiting,
        "faults_per_kind_asked": opts.faults_per_kind,
        "concurrency": opts.concurrency,
        "run_s": round(time.monotonic() - started, 1),
        "records_read": len(observed.records),
        "mails": len(observed.mail_ids),
        "webhook_calls": len(observed.webhook_ids),
        "finished_at": f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}",
        "examples": {"lost": result.lost[:20], "duplicated": result.duplicated[:20],
                     "order_violations": result.order_violations[:20]},
    }
    (run_dir / "faults.json").write_text(json.dumps(document, indent=2) + "\n")
    (run_dir / "nemesis.json").write_text(json.dumps(nemesis.as_records(), indent=1) + "\n")
    (run_dir / "findings.json").write_text(json.dumps(
        {"lost": result.lost, "duplicated": result.duplicated,
         "order_violations": result.order_violations}, indent=1) + "\n")
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(json.dumps(document, indent=2) + "\n")
    if opts.out.resolve() == (ROOT / "bench" / "faults.json").resolve():
        report.update_readme(ROOT / "README.md", document)
    return document


def main(argv: list[str]) -> int:
    opts = options(argv)
    document = asyncio.run(run(opts))
    print(json.dumps({k: v for k, v in document.items() if k != "examples"}, indent=1))
    for name in ("lost", "duplicated", "order_violations"):
        for line in document["examples"][name]:
            print(f"{name}: {line}")
    clean = not (document["lost"] or document["duplicated"] or document["order_violations"])
    print("PASS" if clean else "FAIL", f"(seed {opts.seed})")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
