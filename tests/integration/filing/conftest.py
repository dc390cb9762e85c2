"""The filing service running for real (HTTP, Postgres, Kafka) and what its tests share:
an HTTP client per caller, parties, valid identifiers, and a reader of the filing topics."""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from contracts.identifiers import ean13_check_digit, iswc_check_digit
from contracts.topics import FILING_PARTIES, FILING_WORKS
from devstack.kafka_access import admin_login
from devstack.polling import eventually as wait_for
from filing.app import create_app
from filing.settings import FilingSettings
from runtime.db import SessionMaker, create_engine, session_maker
from runtime.http import running_server
from sqlalchemy import text

pytestmark = pytest.mark.asyncio(loop_scope="session")


def new_iswc() -> str:
    digits = f"{random.randrange(10**9):09d}"
    return f"T-{digits[:3]}.{digits[3:6]}.{digits[6:]}-{iswc_check_digit(digits)}"


def new_isbn() -> str:
    twelve = f"978{random.randrange(10**9):09d}"
    return f"{twelve}{ean13_check_digit(twelve)}"


def new_isrc() -> str:
    return f"TH{random.choice('ABCDEFGH')}{random.randrange(10, 99)}26{random.randrange(10**5):05d}"



async def file_work(
    client: httpx.AsyncClient, holder: uuid.UUID, title: str, **extra: Any
) -> dict[str, Any]:
    """Files a musical work of Vietnam held by `holder` alone (`extra` overrides), answered 201."""
    body = {
        "title": title,
        "kind": "MUSICAL_WORK",
        "country_of_origin": "VN",
        "rights_holders": [{"party_id": str(holder), "role": "COMPOSER", "share": "100.00"}],
        **extra,
    }
    response = await client.post("/works", json=body)
    assert response.status_code == 201, response.text
    work: dict[str, Any] = response.json()
    return work

@dataclass
class TopicReader:
    """Reads the run's filing topics from the start into memory, for tests to look up."""

    bootstrap: str
    topics: list[str]
    records: list[Any] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap,
            **admin_login(),
            group_id=f"filing-it-reader-{uuid.uuid4().hex}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            metadata_max_age_ms=1000,
        )
        await consumer.start()

        async def run() -> None:
            try:
                while True:
                    batch = await consumer.getmany(timeout_ms=200)
                    for records in batch.values():
                        self.records.extend(records)
            finally:
                await consumer.stop()

        self._task = asyncio.create_task(run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def for_key(self, key: str | uuid.UUID) -> list[Any]:
        wanted = str(key).encode()
        return [r for r in self.records if r.key == wanted]

    async def wait_for_key(self, key: str | uuid.UUID, count: int, within: float = 20) -> list[Any]:
        async def enough() -> list[Any] | None:
            found = self.for_key(key)
            return found if len(found) >= count else None

        return list(await wait_for(enough, within))


@dataclass
class Filing:
    """The running service: its base URL, its database, and clients for callers."""

    base_url: str
    settings: FilingSettings
    sessions: SessionMaker
    token_for: Callable[..., str]
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self, party_id: str | uuid.UUID | None, *roles: str) -> httpx.AsyncClient:
        headers = (
            {}
            if party_id is None
            else {"Authorization": f"Bearer {self.token_for(party_id, *roles)}"}
        )
        client = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=60)
        self.clients.append(client)
        return client

    async def party(
        self, name: str = "Malee Srisuk", **extra: Any
    ) -> tuple[uuid.UUID, httpx.AsyncClient]:
        """A newly registered party and a client calling as it."""
        party_id = uuid.uuid4()
        client = self.client(party_id)
        body = {"name": name, "kind": "PERSON", "country": "TH", **extra}
        response = await client.put(f"/parties/{party_id}", json=body)
        assert response.status_code == 201, response.text
        return party_id, client

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.sessions() as session:
            connection = await session.connection()
            return (await connection.execute(text(sql), params)).scalar()

    async def counts(self) -> dict[str, int]:
        """Rows of every table a command writes: unchanged after a refused request."""
        tables = (
            "party",
            "work",
            "rights_holder",
            "work_history",
            "outbox",
            "number_counter",
            "dispute_opening",
        )
        result = {}
        for table in tables:
            result[table] = int(await self.scalar(f"SELECT count(*) FROM {table}"))
        result["counter_sum"] = int(
            await self.scalar("SELECT coalesce(sum(last), 0) FROM number_counter")
        )
        return result


@pytest.fixture(scope="session")
async def filing_url(create_database: Any) -> str:
    url: str = await create_database("filing_it")
    return url


@pytest.fixture(scope="session")
async def filing(filing_url: str, token_for: Callable[..., str]) -> AsyncIterator[Filing]:
    # The lapse job runs often, so a test that moves a deadline back sees the return soon.
    settings = FilingSettings(database_url=filing_url, outbox_poll_interval_seconds=0.2,
                              consent_interval_seconds=0.3)
    app = create_app(settings)
    engine = create_engine(filing_url, pool_size=2)
    async with running_server(app) as base_url:
        service = Filing(base_url, settings, session_maker(engine), token_for)
        yield service
        for client in service.clients:
            await client.aclose()
    await engine.dispose()


@pytest.fixture(scope="session")
async def topics(filing: Filing, kafka_bootstrap: str) -> AsyncIterator[TopicReader]:
    reader = TopicReader(
        kafka_bootstrap,
        [filing.settings.topic(FILING_PARTIES), filing.settings.topic(FILING_WORKS)],
    )
    await reader.start()
    yield reader
    await reader.stop()
