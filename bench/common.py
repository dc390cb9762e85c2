"""What every scenario shares: sizes from settings, latency histograms, scratch databases and
topics."""

from __future__ import annotations

import os
import platform
import re
import uuid
from typing import Any

from devstack.scratch_databases import ScratchDatabases
from hdrh.histogram import HdrHistogram


def size(name: str, default: int) -> int:
    """A scenario size, overridable by `BENCH_<NAME>` (larger runs on bigger machines)."""
    return int(os.environ.get(f"BENCH_{name.upper()}", default))


def machine() -> dict[str, Any]:
    """Cores, memory and the versions the figures depend on (printed by every run)."""
    from importlib.metadata import version

    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    kafka = "unknown"
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmd = f.read().decode(errors="replace")
            except OSError:
                continue
            if "kafka.Kafka" in cmd:
                found = re.search(r"kafka[_-](?:2\.\d+-)?(\d+\.\d+\.\d+)", cmd)
                kafka = found.group(1) if found else "running"
                break
    packages = ("aiokafka", "faststream", "sqlalchemy", "sqlmodel", "asyncpg", "strawberry-graphql",
                "fastapi", "uvicorn", "httpx", "pydantic")
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "kafka": f"{kafka} (KRaft, single node, 127.0.0.1:9092)",
        "postgres": postgres_version(),
        **{name: version(name) for name in packages},
    }


def postgres_version() -> str:
    import subprocess

    try:
        out = subprocess.run(
            ["psql", "-At", "-h", str(PG["host"]), "-U", str(PG["user"]), "-d", "postgres", "-c",
             "SHOW server_version"],
            env={**os.environ, "PGPASSWORD": str(PG["password"])}, capture_output=True, text=True,
            timeout=10, check=False)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


class Latencies:
    """Microsecond HDR histogram (1 µs .. 60 s, 3 significant digits)."""

    def __init__(self) -> None:
        self.h = HdrHistogram(1, 60_000_000, 3)

    def record_seconds(self, seconds: float) -> None:
        self.h.record_value(max(1, int(seconds * 1_000_000)))

    def summary_ms(self) -> dict[str, float]:
        p = self.h.get_value_at_percentile
        return {
            "count": self.h.get_total_count(),
            "p50_ms": p(50) / 1000,
            "p99_ms": p(99) / 1000,
            "p99_9_ms": p(99.9) / 1000,
            "max_ms": self.h.get_max_value() / 1000,
        }


# --- scratch databases and topics ------------------------------------------------------------

PG: dict[str, Any] = {"host": os.environ.get("BENCH_PG_HOST", "127.0.0.1"),
                      "port": int(os.environ.get("BENCH_PG_PORT", "5432")),
                      "user": os.environ.get("BENCH_PG_USER", "rights_test"),
                      "password": os.environ.get("BENCH_PG_PASSWORD", "rights_test")}
BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
RUN_ID = uuid.uuid4().hex[:8]


def smoke() -> bool:
    """`BENCH_SMOKE=1`: tiny sizes, to prove every scenario runs (figures meaningless)."""
    return os.environ.get("BENCH_SMOKE", "") not in ("", "0")


def pick(name: str, default: int, smoke_default: int) -> int:
    return size(name, smoke_default if smoke() else default)


def topic_prefix(scenario: str) -> str:
    """This run's own topics on the shared broker (never anyone else's)."""
    return f"bench-{RUN_ID}-{scenario}."


_databases = ScratchDatabases("bench", RUN_ID, **PG)


async def create_database(name: str) -> str:
    """A fresh `bench_<name>_<run>` database; returns its asyncpg URL."""
    return await _databases.create(name)


async def drop_databases() -> None:
    await _databases.drop_all()


async def delete_topics(prefix: str) -> None:
    """Removes this run's topics (the replay topic alone is a gigabyte)."""
    from aiokafka.admin import AIOKafkaAdminClient
    from devstack.kafka_access import admin_login

    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP, **admin_login())
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()


def url_of(database_url: str) -> str:
    """The plain asyncpg DSN of a SQLAlchemy URL."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://")
