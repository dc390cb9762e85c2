"""infra/keycloak.sh is idempotent and says clearly when its port is taken."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = str(ROOT / "infra/keycloak.sh")


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_up_when_running_is_harmless(admin: object) -> None:
    done = _run("up")
    assert done.returncode == 0, done.stderr
    assert "already running" in done.stdout
    assert "running (pid" in _run("status").stdout
    assert _run("url").stdout.strip().endswith("/realms/rights")


def test_up_on_a_taken_port_fails_clearly_and_starts_nothing(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = _run(
            "up",
            env={
                "RIGHTS_STATE_DIR": str(tmp_path),
                "KEYCLOAK_PORT": str(port),
                "KEYCLOAK_MANAGEMENT_PORT": str(port),
            },
        )
    assert done.returncode != 0
    assert f"port {port} is already taken" in done.stderr
    assert not (tmp_path / "keycloak" / "keycloak.pid").exists()
    stopped = _run("down", env={"RIGHTS_STATE_DIR": str(tmp_path)})
    assert stopped.returncode == 0
    assert "not running" in stopped.stdout
