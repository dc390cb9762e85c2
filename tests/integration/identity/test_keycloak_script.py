"""infra/keycloak.sh is idempotent and says clearly when its port is taken."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

from .keycloak import Admin

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = str(ROOT / "infra/keycloak.sh")


def _run(
    *args: str, env: dict[str, str] | None = None, script: str = SCRIPT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [script, *args],
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


def test_up_adds_what_is_new_in_the_realm_file_to_the_existing_realm(
    admin: Admin, tmp_path: Path
) -> None:
    # A checkout whose realm file has one more client than the realm Keycloak imported.
    infra = tmp_path / "checkout" / "infra"
    (infra / "keycloak").mkdir(parents=True)
    for name in ("keycloak.sh", "lib.sh", "keycloak_realm.py", "keycloak/realm-rights.json"):
        shutil.copy2(ROOT / "infra" / name, infra / name)
    realm = json.loads((infra / "keycloak/realm-rights.json").read_text())
    client_id = f"test-applied-{uuid.uuid4().hex[:8]}"
    template = next(c for c in realm["clients"] if c["clientId"] == "rights-gateway")
    realm["clients"].append(
        {**template, "clientId": client_id, "secret": "${TEST_APPLIED_SECRET:applied-default}"}
    )
    (infra / "keycloak/realm-rights.json").write_text(json.dumps(realm))
    try:
        done = _run("up", script=str(infra / "keycloak.sh"), env={"PY": sys.executable})
        assert done.returncode == 0, done.stderr
        assert f"added client {client_id}" in done.stdout
        client = admin.client(client_id)
        assert {m["name"] for m in client["protocolMappers"]} >= {"party_id", "roles"}
        # The placeholder's default, as Keycloak's own import resolves it.
        assert admin.client_secret(client_id) == "applied-default"
        again = _run("up", script=str(infra / "keycloak.sh"), env={"PY": sys.executable})
        assert again.returncode == 0, again.stderr
        assert client_id not in again.stdout
    finally:
        found = admin.get("/clients", clientId=client_id)
        for client in found:
            admin.http.delete(f"/clients/{client['id']}")
