"""Throw-away PostgreSQL databases of one test or benchmark run: made fresh, dropped at the end."""

from __future__ import annotations

import re

import asyncpg


class ScratchDatabases:
    """`await create("filing_it")` makes `<kind>_filing_it_<run id>` afresh (one of an earlier
    run with that name is dropped first) and returns its asyncpg URL; `drop_all()` drops every
    database this object made."""

    def __init__(
        self, kind: str, run_id: str, *, host: str, port: int, user: str, password: str
    ) -> None:
        self.kind, self.run_id = kind, run_id
        self.host, self.port, self.user, self.password = host, port, user, password
        self.created: list[str] = []

    def url(self, database: str, *, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            database="postgres",
        )

    async def create(self, name: str) -> str:
        if not re.fullmatch(r"[a-z0-9_]{1,40}", name):
            raise ValueError(f"database name {name!r}: use a-z, 0-9 and _ only")
        database = f"{self.kind}_{name}_{self.run_id}"
        conn = await self._admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()
        self.created.append(database)
        return self.url(database)

    async def drop_all(self) -> None:
        conn = await self._admin()
        try:
            while self.created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.created.pop()}" WITH (FORCE)')
        finally:
            await conn.close()
