"""The whole platform started as `make run` starts it (devstack), on free ports, scratch
databases and this run's topics; plus what the scenarios need around it: Keycloak identities
(a person signs up each party, the load runs on machine tokens), GraphQL calls, per-process
CPU, py-spy profiles, and commit notifications."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from devstack.identity import Identities
from devstack.platform import SERVICES, PlatformConfig

from bench.common import create_database, topic_prefix, url_of
from devstack import platform as devstack_platform

PYTHON_PROCESSES = ("gateway", "filing", "licensing", "notifications")


@dataclass
class Platform:
    config: PlatformConfig
    state_dir: Path
    identities: Identities
    pids: dict[str, int]
    http: httpx.AsyncClient
    log_path: Path

    def token(self, party_id: str | None, *roles: str) -> str:
        """A machine identity's token (client credentials; it outlives a scenario's load)."""
        return self.identities.token_for(party_id, *roles)

    async def gql(self, query: str, variables: dict[str, Any], token: str | None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(self.config.gateway_url,
                                        json={"query": query, "variables": variables},
                                        headers=headers)
        body: dict[str, Any] = response.json()
        if body.get("errors"):
            raise RuntimeError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    async def backend_requests(self) -> int:
        """Requests the three services have answered (their /metrics), scrapes excluded."""
        total = 0.0
        for service in SERVICES:
            text = (await self.http.get(f"{self.config.service_url(service)}/metrics")).text
            for line in text.splitlines():
                if line.startswith("rights_http_request_seconds_count{") and not any(
                    f'route="{r}"' in line for r in ("/metrics", "/ready", "/health")
                ):
                    total += float(line.rsplit(" ", 1)[1])
        return int(total)


@contextlib.asynccontextmanager
async def running_platform(extra_env: dict[str, str] | None = None) -> AsyncIterator[Platform]:
    with tempfile.TemporaryDirectory(prefix="bench-platform-") as tmp:
        state_dir = Path(tmp)
        config = PlatformConfig.on_free_ports(
            topic_prefix=topic_prefix("platform"), state_dir=state_dir,
            database_urls={s: await create_database(f"platform_{s}") for s in SERVICES},
            extra_env={
                "LOG_JSON": "true",
                "LOG_LEVEL": "WARNING",
                # The load generators are a few accounts on one address, far above the rates one
                # party may use; the benchmarks measure throughput, not the limits.
                "GATEWAY_RATE_LIMIT_PER_ACCOUNT": "1000000/minute",
                "GATEWAY_RATE_LIMIT_PER_IP": "1000000/minute",
                "GATEWAY_RATE_LIMIT_MUTATIONS": "1000000/minute",
                **(extra_env or {}),
            },
        )
        log_path = Path(tempfile.gettempdir()) / f"bench-platform-{os.getpid()}.log"
        async with devstack_platform.running_platform(config, log_path=log_path) as supervisor:
            pids = {r.spec.name: r.process.pid for r in supervisor.running}
            limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
            identities = Identities(f"bench-{uuid.uuid4().hex[:8]}")
            try:
                async with httpx.AsyncClient(timeout=60, limits=limits) as http:
                    yield Platform(config, state_dir, identities, pids, http, log_path)
            finally:
                await asyncio.to_thread(identities.delete_created)
                identities.close()


# --- GraphQL used by the scenarios ------------------------------------------------------------

FILE = """mutation($input: FileWorkInput!) {
  fileWork(input: $input) { work { id status } errors { code message } } }"""


CONFIRM_HOLDING = """mutation($w: ID!) {
  confirmHolding(workId: $w) { work { id status } errors { code message } } }"""


async def confirm_holding(platform: Platform, work_id: str, token: str) -> dict[str, Any]:
    """A co-owner confirms its holding in a filing (DOMAIN.md, "Co-owners' consent"): the
    last confirmation registers the work."""
    answer: dict[str, Any] = (await platform.gql(CONFIRM_HOLDING, {"w": work_id}, token))[
        "confirmHolding"]
    if answer["errors"]:
        raise RuntimeError(f"confirmHolding: {answer['errors']}")
    return answer


async def register_party(platform: Platform, name: str) -> tuple[str, str]:
    """A person signs up the party; the load then acts for it with a machine token."""
    person = await platform.identities.sign_up(
        platform.gql, {"name": name, "kind": "PERSON", "country": "TH"})
    return person.party_id, await platform.identities.token_for_async(person.party_id)


def file_input(title: str, holders: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {"input": {"title": title, "kind": "MUSICAL_WORK", "countryOfOrigin": "TH",
                      "rightsHolders": [{"partyId": p, "role": r, "share": s}
                                        for p, r, s in holders]}}


# --- commit notifications: when a row appears in a service's database ----------------------


@dataclass
class Arrivals:
    """First time (perf_counter) each key was committed into a table, from LISTEN/NOTIFY."""

    seen: dict[str, float] = field(default_factory=dict)
    connection: Any = None

    def on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self.seen.setdefault(payload, time.perf_counter())


async def watch_inserts(database_url: str, table: str, column: str) -> Arrivals:
    """A trigger on the scratch database tells us (at commit) of each new row's `column`.

    Bench-only instrumentation: it adds one pg_notify per inserted row to the consumer's own
    transaction, which is delivered when that transaction commits, i.e. when the effect exists.
    """
    channel = f"bench_{table}"
    conn = await asyncpg.connect(url_of(database_url))
    await conn.execute(f"""
        CREATE OR REPLACE FUNCTION {channel}_notify() RETURNS trigger AS $$
        BEGIN PERFORM pg_notify('{channel}', NEW.{column}::text); RETURN NEW; END $$
        LANGUAGE plpgsql;
        DROP TRIGGER IF EXISTS {channel}_trg ON {table};
        CREATE TRIGGER {channel}_trg AFTER INSERT ON {table}
            FOR EACH ROW EXECUTE FUNCTION {channel}_notify();
    """)
    arrivals = Arrivals(connection=conn)
    await conn.add_listener(channel, arrivals.on_notify)
    return arrivals


# --- CPU per process and profiles ------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except OSError:
        return 0.0


def _pids_matching(needle: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if needle.encode() in f.read():
                        found.append(int(entry))
    return found


def cpu_snapshot(platform: Platform) -> dict[str, float]:
    """CPU seconds used so far by each platform process, Kafka, PostgreSQL and this process."""
    snap = {name: _cpu_seconds(pid) for name, pid in platform.pids.items() if name != "smtp"}
    snap["kafka"] = sum(_cpu_seconds(p) for p in _pids_matching("kafka.Kafka"))
    snap["postgres"] = sum(_cpu_seconds(p) for p in _pids_matching("postgres"))
    snap["bench (effect watcher)"] = _cpu_seconds(os.getpid())
    return snap


def cpu_share(before: dict[str, float], after: dict[str, float],
              seconds: float) -> dict[str, float]:
    """Cores used by each process over the window (2.0 = both cores of this machine)."""
    return {k: round((after[k] - before.get(k, 0.0)) / seconds, 2) for k in after}


def py_spy_path() -> str:
    candidate = Path(sys.executable).parent / "py-spy"
    return str(candidate) if candidate.exists() else "py-spy"


def start_profiles(platform: Platform, seconds: int,
                   out_dir: Path) -> dict[str, subprocess.Popen[bytes]]:
    """py-spy (50 Hz, non-blocking) on every Python process of the platform."""
    procs = {}
    for name in PYTHON_PROCESSES:
        procs[name] = subprocess.Popen(
            [py_spy_path(), "record", "--pid", str(platform.pids[name]), "-d", str(seconds),
             "-r", "50", "--nonblocking", "-f", "raw", "-o", str(out_dir / f"{name}.raw")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    return procs


async def finish_profiles(procs: dict[str, subprocess.Popen[bytes]],
                          out_dir: Path) -> dict[str, Any]:
    for proc in procs.values():
        await asyncio.to_thread(proc.wait)
    return {name: top_functions(out_dir / f"{name}.raw") for name in procs}


@contextlib.contextmanager
def profiling_self(out_dir: Path | None, name: str, found: dict[str, Any],
                   pid: int | None = None) -> Iterator[None]:
    """py-spy (50 Hz, non-blocking) on this very process (or on `pid`, e.g. the platform's
    gateway) while the block runs (the in-process consumers, the floor, the relay); the top
    functions land in `found[name]`. No `out_dir`: no profile."""
    if out_dir is None:
        yield
        return
    raw = out_dir / f"{name}.raw"
    proc = subprocess.Popen(
        [py_spy_path(), "record", "--pid", str(pid or os.getpid()), "-r", "50", "--nonblocking",
         "-f", "raw", "-o", str(raw)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)  # py-spy writes what it has and exits
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        found[name] = top_functions(raw)


def _short(frame: str) -> str:
    """"func (path/to/module.py:123)" -> "func (to/module.py)": one entry per function."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    parts = where.split("/")
    return f"{name} ({'/'.join(parts[-2:])})" if where else name


# Frames every stack of a server carries (the loop, uvicorn and ASGI middleware layers).
FRAMEWORK = ("runpy", "asyncio/", "uvicorn", "starlette/", "fastapi/", "_asgi.py", "asgi/",
             "middleware/", "__main__.py", "runtime/http.py", "contextlib", "fast_depends/",
             "faststream/", "_exception_handler.py", "telemetry/")


def top_functions(raw: Path, n: int = 12) -> dict[str, Any]:
    """Self and inclusive shares of py-spy's samples (collapsed stacks, active threads only)."""
    if not raw.exists():
        return {"samples": 0, "self": [], "inclusive_project": [], "inclusive_libraries": []}
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [_short(f) for f in stack.split(";")]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    total = max(1, total)

    def share(counter: Counter[str], pick: Callable[[str], bool]) -> list[tuple[str, float]]:
        return [(f, round(100 * c / total, 1)) for f, c in counter.most_common(2000)
                if f and not f.startswith("main (") and pick(f)][:n]

    ours = ("runtime/", "licensing/", "notifications/", "filing/", "gateway/", "contracts/",
            "schema/", "bench/floor.py")
    return {
        "samples": total,
        "self": share(own, lambda f: True),
        "inclusive_project": share(inclusive, lambda f: any(o in f for o in ours)
                                   and not any(x in f for x in FRAMEWORK)),
        "inclusive_libraries": share(inclusive, lambda f: not any(o in f for o in ours)
                                     and not any(x in f for x in FRAMEWORK)),
    }
