"""Migration 0009 backfills every licence's version 1 and its history from its timeline,
on a real PostgreSQL: the history then answers as the timeline says the register stood."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from alembic import command
from contracts.enums import LicenceStatus, Medium
from licensing import history_repository
from licensing.app import MIGRATIONS
from licensing.domain.history import Segment
from licensing.domain.terms import Period
from runtime.db import alembic_config, create_engine, session_maker
from sqlalchemy import text

from .conftest import THIS_YEAR

LICENCE = """INSERT INTO licence (id, work_id, licensor_id, licensee_id, status, territories, media,
    exclusive, start, "end", royalty_rate, advance, currency, created_at, updated_at)
    VALUES (:id, :work, :licensor, :licensee, :status, ARRAY['TH','VN'], ARRAY['STREAMING'],
    true, :start, :end, 10.00, 0, 'USD', :created, :updated)"""
EVENT = """INSERT INTO licence_event (licence_id, at, type, summary)
    VALUES (:licence, :at, :type, 'before 0009')"""


async def test_existing_licences_get_version_1_and_a_history_from_their_timeline(
    create_database: Callable[[str], Awaitable[str]],
) -> None:
    url = await create_database("licensing_backfill")
    await asyncio.to_thread(command.upgrade, alembic_config(MIGRATIONS, url), "0007")
    work, licensor, licensee = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ended, offered = uuid.uuid4(), uuid.uuid4()
    t1 = datetime(THIS_YEAR, 1, 5, 23, 30, tzinfo=UTC)
    steps = [(t1, "offered"), (t1 + timedelta(hours=2), "activated"),
             (t1 + timedelta(days=40), "terminated")]  # fmt: skip
    start, end = datetime(THIS_YEAR, 1, 1).date(), datetime(THIS_YEAR, 12, 31).date()
    engine = create_engine(url)
    try:
        async with engine.begin() as db:
            for lid, status in ((ended, "TERMINATED"), (offered, "OFFERED")):
                await db.execute(text(LICENCE), {
                    "id": lid, "work": work, "licensor": licensor, "licensee": licensee,
                    "status": status, "start": start, "end": end, "created": t1,
                    "updated": steps[-1][0] if status == "TERMINATED" else t1,
                })  # fmt: skip
            for at, kind in steps:
                await db.execute(text(EVENT), {
                    "licence": ended, "at": at, "type": f"org.aseanip.licensing.licence.{kind}.v1",
                })  # fmt: skip
            # A usage event on the timeline is no step of the licence's status.
            await db.execute(text(EVENT), {
                "licence": ended, "at": t1 + timedelta(days=3),
                "type": "org.aseanip.licensing.usage.reported.v1",
            })  # fmt: skip
        await asyncio.to_thread(command.upgrade, alembic_config(MIGRATIONS, url), "head")
        async with session_maker(engine)() as session:
            versions = await history_repository.versions_of(session, [ended, offered])
            history = await history_repository.history_of(session, [ended, offered])
            during = await history_repository.snapshots_known_at(
                session, [work], t1 + timedelta(days=1)
            )
            before = await history_repository.snapshots_known_at(
                session, [work], t1 - timedelta(seconds=1)
            )
    finally:
        await engine.dispose()
    for lid in (ended, offered):
        (v1,) = versions[lid]
        assert (v1.number, v1.kind, v1.state, v1.effective_from, v1.end) == (
            1, "ORIGINAL", "ACCEPTED", start, end,
        )  # fmt: skip
    rows = history[ended]
    assert [(r.seq, r.status, r.recorded_at) for r in rows] == [
        (1, "OFFERED", steps[0][0]), (2, "ACTIVE", steps[1][0]), (3, "TERMINATED", steps[2][0]),
    ]  # fmt: skip
    # The termination's UTC day ends valid time.
    assert rows[-1].valid_until == steps[2][0].date()
    terminated = history_repository.to_snapshot(rows[-1])
    assert terminated.segments == (
        Segment(Period(start, end), ("TH", "VN"), (Medium.STREAMING,), True, Decimal("10.00")),
    )
    # A licence with no timeline has one row, its present state at its last change.
    assert [(r.status, r.recorded_at) for r in history[offered]] == [("OFFERED", t1)]
    # As the register knew it a day after the acceptance: active; before the offer: nothing.
    assert {s.licence_id: s.status for s in during[work]} == {
        ended: LicenceStatus.ACTIVE, offered: LicenceStatus.OFFERED,
    }  # fmt: skip
    assert before == {}

