"""A throw-away PostgreSQL cluster for tests and the fault suite, which stop, restart or fail
over the database.

initdb into a temporary directory and pg_ctl on a free loopback port, run as the `postgres`
user (the server refuses root): the machine's shared cluster is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from devstack.platform import free_port

PG_VERSION = os.environ.get("PG_VERSION", "15")
PG_BIN = Path(f"/usr/lib/postgresql/{PG_VERSION}/bin")


class PrivatePostgres:
    def __init__(self, *, max_connections: int = 40) -> None:
        # Not pytest's tmp_path: it is private to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="rights-private-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.max_connections = max_connections
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"
        shutil.chown(self.root, "postgres", "postgres")

    def database_url(self, database: str) -> str:
        """The asyncpg URL of one of this cluster's databases (the superuser's, trusted)."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own tools, as its user
            ["runuser", "-u", "postgres", "--", *args],  # noqa: S607 - util-linux's, on PATH
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stdout + done.stderr + self.server_log())
        return done.stdout

    def init(self) -> None:
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--no-sync", "-E", "UTF8",
        )

    def start(self) -> None:
        """Starts the server and waits until it accepts connections (or, as a standby with
        hot_standby off, until it is up and refusing them)."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c max_connections={self.max_connections}"
        )
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                  "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session at once, as a crash or failover does to its clients."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def become_standby(self) -> None:
        """On the next start the server waits as a standby that takes no connections
        ("the database system is not accepting connections"), until promoted."""
        self._run("touch", str(self.data / "standby.signal"))
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write("hot_standby = off\n")

    def promote(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "promote")

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(  # noqa: S603 - PostgreSQL's own tools, as its user
                ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D",  # noqa: S607
                 str(self.data), "-m", "immediate", "-w", "stop"],
                capture_output=True, timeout=60, check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)
