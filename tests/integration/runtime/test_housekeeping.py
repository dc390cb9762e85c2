"""Housekeeping against real PostgreSQL: each service's migrations give the outbox and the
tracking table the indexes the runtime's deletes walk, and the deletes take only old rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import filing
import licensing
import notifications
import pytest
from runtime.consumer import PRUNE_PROCESSED_SQL, prune_processed
from runtime.db import create_engine, migrate, session_maker
from runtime.outbox import PRUNE_SENT_SQL, OutboxRelay
from runtime.settings import ServiceSettings
from sqlalchemy import text

pytestmark = pytest.mark.asyncio(loop_scope="session")

SERVICES = {
    "filing": (filing, False),  # filing consumes nothing: no tracking table
    "licensing": (licensing, True),
    "notifications": (notifications, True),
}


async def plan(url: str, sql: str, params: dict[str, Any]) -> str:
    """The planner's choice with sequential scans priced out: an index, if one can serve."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("SET LOCAL enable_seqscan = off"))
            rows = await conn.execute(text(f"EXPLAIN {sql}"), params)
            return "\n".join(r[0] for r in rows)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_migrations_index_the_housekeeping_deletes(
    service: str, create_database: Any
) -> None:
    package, consumes = SERVICES[service]
    url = await create_database(f"hk_{service}")
    await migrate(Path(package.__file__).parent / "migrations", url)
    retention = timedelta(days=7)
    outbox_plan = await plan(url, PRUNE_SENT_SQL, {"retention": retention, "n": 100})
    assert "ix_outbox_sent" in outbox_plan, outbox_plan
    if consumes:
        processed_plan = await plan(
            url, PRUNE_PROCESSED_SQL, {"consumer": "c", "retention": retention, "n": 100}
        )
        assert "ix_processed_event_age" in processed_plan, processed_plan


async def test_pruning_takes_only_old_tracking_rows_of_its_consumer_in_batches(
    create_database: Any,
) -> None:
    url = await create_database("hk_prune")
    await migrate(Path(licensing.__file__).parent / "migrations", url)
    engine = create_engine(url)
    async with engine.connect() as conn:  # ages on the database's clock, as pruning measures
        now = (await conn.execute(text("SELECT now()"))).scalar_one()
    old, recent, others = (
        [uuid.uuid4() for _ in range(25)],
        [uuid.uuid4() for _ in range(5)],
        [uuid.uuid4() for _ in range(5)],
    )
    rows = (
        [("me", i, now - timedelta(days=40)) for i in old]
        + [("me", i, now - timedelta(days=1)) for i in recent]
        + [("someone-else", i, now - timedelta(days=40)) for i in others]
    )
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO processed_event VALUES (:c, :i, :t)"),
                [{"c": c, "i": i, "t": t} for c, i, t in rows],
            )
        pruned = await prune_processed(
            session_maker(engine), consumer="me", retention=timedelta(days=30), batch_size=7
        )
        async with engine.connect() as conn:
            left = {
                (r[0], r[1])
                for r in await conn.execute(text("SELECT consumer, event_id FROM processed_event"))
            }
    finally:
        await engine.dispose()
    assert pruned == 25  # four batches of 7 (the last one short)
    assert left == {("me", i) for i in recent} | {("someone-else", i) for i in others}


async def test_outbox_housekeeping_deletes_old_sent_rows_only(create_database: Any) -> None:
    url = await create_database("hk_outbox")
    await migrate(Path(filing.__file__).parent / "migrations", url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    ages = {"old sent": now - timedelta(days=9), "new sent": now, "unsent": None}
    try:
        async with engine.begin() as conn:
            for name, sent_at in ages.items():
                await conn.execute(
                    text(
                        "INSERT INTO outbox (event_id, topic, key, value, headers, created_at, "
                        "sent_at) VALUES (:e, :t, :k, :v, CAST('[]' AS jsonb), :c, :s)"
                    ),
                    {"e": uuid.uuid4(), "t": name, "k": b"k", "v": b"v", "c": now - timedelta(
                        days=10), "s": sent_at},
                )
        relay = OutboxRelay(
            engine=engine, settings=ServiceSettings(database_url=url, outbox_retention_days=7)
        )
        await relay._housekeeping()
        async with engine.connect() as conn:
            left = {r[0] for r in await conn.execute(text("SELECT topic FROM outbox"))}
    finally:
        await engine.dispose()
    assert left == {"new sent", "unsent"}
