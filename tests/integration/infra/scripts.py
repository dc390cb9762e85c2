"""The infra/ scripts run as `make` runs them, from the tests that prove them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_script(script: str, *args: str, env: dict[str, str] | None = None, timeout: int) -> str:
    """Runs `infra/<script> args…` with `env` over the test's environment; asserts it succeeded
    and returns what it printed."""
    done = subprocess.run(
        [str(ROOT / "infra" / script), *args],
        env=os.environ | (env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


class KafkaScript:
    """infra/kafka.sh on a broker or cluster of the test's own (`env` names its storage)."""

    def __init__(self, env: dict[str, str], *options: str, timeout: int) -> None:
        self.env, self.options, self.timeout = env, options, timeout

    def run(self, command: str) -> str:
        return run_script("kafka.sh", command, *self.options, env=self.env, timeout=self.timeout)

    @contextmanager
    def up(self) -> Iterator[None]:
        """Started for the block, stopped after it whatever happened."""
        self.run("up")
        try:
            yield
        finally:
            self.run("down")


# The cluster's client ports are fixed (infra/kafka.sh --nodes 3): one such cluster at a time.
CLUSTER_BOOTSTRAP = "127.0.0.1:21092,127.0.0.1:22092,127.0.0.1:23092"


class KafkaCluster(KafkaScript):
    """Three brokers (replication factor 3, min ISR 2) on a storage of the test's own, with
    small heaps: three JVMs share the machine with everything else."""

    def __init__(self, state_dir: Path, heap: str = "384M") -> None:
        self.state_dir = state_dir
        env = {"RIGHTS_STATE_DIR": str(state_dir), "KAFKA_HEAP": heap}
        super().__init__(env, "--nodes", "3", timeout=240)

    def pid(self, node: int) -> int:
        return int((self.state_dir / "kafka-cluster" / f"node{node}" / "kafka.pid").read_text())

    @contextmanager
    def throwaway(self) -> Iterator[None]:
        """Started for the block; after it, every broker is killed (SIGKILL, by its recorded
        pid) instead of stopped: its storage is thrown away, so a controlled shutdown (tens
        of seconds of three brokers waiting on each other) would buy nothing."""
        self.run("up")
        try:
            yield
        finally:
            self.kill_all()

    def kill_all(self, timeout: float = 60) -> None:
        """SIGKILL every running broker of this cluster; returns once each is gone."""
        brokers = []
        for node in (1, 2, 3):
            with contextlib.suppress(OSError, ValueError):
                pid = self.pid(node)
                if self._is_broker(pid, node):
                    os.kill(pid, signal.SIGKILL)
                    brokers.append((pid, node))
        deadline = time.monotonic() + timeout
        while any(self._is_broker(pid, node) for pid, node in brokers):
            assert time.monotonic() < deadline, f"brokers {brokers} still running after SIGKILL"
            time.sleep(0.05)  # polling the process table: nothing to wait on for a non-child

    def _is_broker(self, pid: int, node: int) -> bool:
        """Is `pid` node `node`'s broker (not a pid the system gave to another process)?"""
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        node_dir = str(self.state_dir / "kafka-cluster" / f"node{node}")
        return state != "Z" and b"kafka.Kafka" in cmdline and node_dir.encode() in cmdline
