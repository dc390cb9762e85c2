"""What every scenario shares: sizes from settings, latency histograms, a 1 KiB event-like record."""

from __future__ import annotations

import json
import os
import platform
import uuid
from dataclasses import dataclass
from typing import Any

from hdrh.histogram import HdrHistogram


def size(name: str, default: int) -> int:
    """A scenario size, overridable by `BENCH_<NAME>` (larger runs on bigger machines)."""
    return int(os.environ.get(f"BENCH_{name.upper()}", default))


def machine() -> dict[str, Any]:
    import aiokafka  # type: ignore[import-untyped]
    import faststream
    import sqlalchemy

    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kafka": "4.3.1 (KRaft, single node, 127.0.0.1)",
        "aiokafka": aiokafka.__version__,
        "faststream": faststream.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "postgres": "15 (machine cluster)",
    }


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


@dataclass
class Sample:
    """A payload shaped like our events, padded to about 1 KiB of JSON."""

    size_bytes: int = 1024

    def record(self, n: int) -> tuple[bytes, bytes]:
        body: dict[str, Any] = {
            "work": {"id": str(uuid.uuid4()), "title": f"Bench work {n}", "status": "REGISTERED"},
            "n": n,
        }
        raw = json.dumps(body)
        body["pad"] = "x" * max(0, self.size_bytes - len(raw) - 10)
        return str(n).encode(), json.dumps(body).encode()
