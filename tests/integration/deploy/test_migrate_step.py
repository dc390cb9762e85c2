"""The deployments' migrations step (`python infra/docker/migrate.py`, compose's `migrations`
service and the Kubernetes Job) against real PostgreSQL: each service's database at the head
Alembic's own script directory names, and a second run changing nothing."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
from alembic.script import ScriptDirectory
from filing.app import MIGRATIONS as FILING
from licensing.app import MIGRATIONS as LICENSING
from notifications.app import MIGRATIONS as NOTIFICATIONS
from runtime.db import alembic_config

ROOT = Path(__file__).resolve().parents[3]
MIGRATIONS = {"filing": FILING, "licensing": LICENSING, "notifications": NOTIFICATIONS}


async def run_step(env: dict[str, str], *services: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "infra/docker/migrate.py", *services, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=240)
    return process.returncode or 0, out.decode()


async def version_of(url: str) -> str:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return str(await connection.fetchval("SELECT version_num FROM alembic_version"))
    finally:
        await connection.close()


async def test_each_database_reaches_its_head_and_a_second_run_changes_nothing(
    create_database: Callable[[str], Awaitable[str]],
) -> None:
    urls = {service: await create_database(f"migrate_{service}") for service in MIGRATIONS}
    env = os.environ | {f"{s.upper()}_DATABASE_URL": url for s, url in urls.items()}
    code, out = await run_step(env, *MIGRATIONS)
    assert code == 0, out
    for service, url in urls.items():
        assert f"{service}: migrations applied" in out
        head = ScriptDirectory.from_config(alembic_config(MIGRATIONS[service], url)).get_current_head()
        assert await version_of(url) == head, service
    # Again, for one service: already at its head, nothing to apply.
    code, out = await run_step(env, "licensing")
    assert code == 0, out
    assert await version_of(urls["licensing"]) == ScriptDirectory.from_config(
        alembic_config(LICENSING, urls["licensing"])
    ).get_current_head()
