"""Two instances of a service starting at once on a fresh database both come up: the second
waits for the first's migrations and finds them applied (CI once saw the second instance
apply them again, and fail, because the lock was released before the commit)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

import filing.app
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

pytestmark = pytest.mark.integration

MIGRATE = (
    "import sys; from pathlib import Path; from runtime.db import upgrade_head; "
    "upgrade_head(Path(sys.argv[1]), sys.argv[2])"
)


async def _migrate_in_a_process(url: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        MIGRATE,
        str(filing.app.MIGRATIONS),
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode(errors="replace")[-3000:]


@pytest.mark.parametrize("processes", [3])
async def test_processes_migrating_one_fresh_database_at_once_all_succeed(
    create_database: Callable[[str], Awaitable[str]], processes: int
) -> None:
    url = await create_database("concurrent_migrations")
    results = await asyncio.gather(*(_migrate_in_a_process(url) for _ in range(processes)))
    for code, output in results:
        assert code == 0, output
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
    finally:
        await engine.dispose()
    head = ScriptDirectory(str(filing.app.MIGRATIONS)).get_current_head()
    assert [v for (v,) in versions] == [head]
