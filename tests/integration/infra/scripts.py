"""The infra/ scripts run as `make` runs them, from the tests that prove them."""

from __future__ import annotations

import os
import subprocess
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
