"""The infra/ scripts run as `make` runs them, from the tests that prove them."""

from __future__ import annotations

import os
import subprocess
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
