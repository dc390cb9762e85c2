"""The register's one handler leaves the same read model however the records are batched: a
whole history in one batch, one event per batch, or random splits, for a history with updates,
transfers, same-time events and late older snapshots."""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from contracts.enums import PartyKind, Role, WorkKind, WorkStatus
from contracts.envelope import DecodedEvent
from licensing.app import MIGRATIONS
from licensing.handlers import apply_register_events
from runtime.db import create_engine, session_maker, upgrade_head
from runtime.uow import unit_of_work_factory
from sqlalchemy import text

from contracts import events

from .conftest import THIS_YEAR

TABLES = {
    "register_party": "id",
    "register_work": "id",
    "register_holder": "work_id, party_id, role",
    "register_shares": "work_id, effective_from",
}
T0 = datetime(THIS_YEAR, 3, 1, tzinfo=UTC)


def decoded(data: events.EventData) -> DecodedEvent:
    return DecodedEvent(id=uuid.uuid4(), type=type(data).ce_type, source="/filing",
                        time=data.occurred_at, subject=data.aggregate_id(), data=data)


def work_state(work_id: uuid.UUID, n: int, owners: list[tuple[uuid.UUID, Role, str]],
               status: WorkStatus) -> events.WorkState:
    return events.WorkState(
        id=work_id, filing_number=f"F-{THIS_YEAR}-{n:06d}",
        registration_number=f"R-{THIS_YEAR}-{n:06d}" if status != WorkStatus.FILED else None,
        title=f"Song {n}", kind=WorkKind.MUSICAL_WORK, status=status, country_of_origin="TH",
        rights_holders=[events.RightsHolder(party_id=p, role=r, share=Decimal(s))
                        for p, r, s in owners],
        filed_by=owners[0][0], filed_at=T0,
    )


def history() -> list[DecodedEvent]:
    rng = random.Random(7)
    parties = [uuid.uuid4() for _ in range(6)]
    out: list[DecodedEvent] = []
    for i, p in enumerate(parties):
        out.append(decoded(events.PartyRegistered(
            occurred_at=T0 + timedelta(minutes=i),
            party=events.PartyState(id=p, name=f"P{i}", kind=PartyKind.PERSON, country="TH"))))
    # a rename, then a late older rename that must lose
    out.append(decoded(events.PartyUpdated(
        occurred_at=T0 + timedelta(hours=5), changed_fields=["name"],
        party=events.PartyState(id=parties[0], name="Renamed", kind=PartyKind.PERSON,
                                country="TH"))))
    out.append(decoded(events.PartyUpdated(
        occurred_at=T0 + timedelta(hours=1), changed_fields=["name"],
        party=events.PartyState(id=parties[0], name="Stale", kind=PartyKind.PERSON,
                                country="TH"))))
    for n in range(1, 16):
        work_id = uuid.uuid4()
        a, b = rng.sample(parties, 2)
        owners = [(a, Role.COMPOSER, "60.00"), (b, Role.LYRICIST, "40.00")]
        at = T0 + timedelta(hours=n)
        out.append(decoded(events.WorkFiled(occurred_at=at, work=work_state(
            work_id, n, owners, WorkStatus.FILED))))
        out.append(decoded(events.WorkRegistered(occurred_at=at, work=work_state(
            work_id, n, owners, WorkStatus.REGISTERED))))  # same time as the filing
        if n % 3 == 0:  # a transfer changes the shares
            moved = [(a, Role.COMPOSER, "50.00"), (b, Role.LYRICIST, "50.00")]
            out.append(decoded(events.WorkOwnershipTransferred(
                occurred_at=at + timedelta(days=1), work=work_state(
                    work_id, n, moved, WorkStatus.REGISTERED),
                from_party_id=a, to_party_id=b, share=Decimal("10.00"),
                previous_rights_holders=work_state(work_id, n, owners,
                                                   WorkStatus.REGISTERED).rights_holders)))
        if n % 4 == 0:  # a late, older snapshot must not roll anything back
            out.append(decoded(events.WorkFiled(occurred_at=at - timedelta(minutes=30),
                                                work=work_state(work_id, n, owners,
                                                                WorkStatus.FILED))))
        if n % 5 == 0:  # one party holding two roles
            both = [(a, Role.COMPOSER, "50.00"), (a, Role.LYRICIST, "25.00"),
                    (b, Role.PERFORMER, "25.00")]
            out.append(decoded(events.WorkDisputeResolved(
                occurred_at=at + timedelta(days=2), work=work_state(
                    work_id, n, both, WorkStatus.REGISTERED),
                keep_owners=False, reason="holders replaced",
                previous_rights_holders=work_state(work_id, n, owners,
                                                   WorkStatus.REGISTERED).rights_holders)))
    out += versioned_history(parties)
    return out


def versioned_history(parties: list[uuid.UUID]) -> list[DecodedEvent]:
    """Versioned events written by filing instances whose clocks disagree: the later
    version is stamped earlier, and an old version is replayed with a later stamp."""
    out: list[DecodedEvent] = []
    a, b = parties[1], parties[2]
    out.append(decoded(events.PartyUpdated(
        occurred_at=T0 + timedelta(days=3), version=2, changed_fields=["name"],
        party=events.PartyState(id=a, name="Version 2", kind=PartyKind.PERSON, country="TH"))))
    out.append(decoded(events.PartyUpdated(
        occurred_at=T0 + timedelta(days=4), version=1, changed_fields=["name"],
        party=events.PartyState(id=a, name="Version 1", kind=PartyKind.PERSON, country="TH"))))
    for n in range(20, 26):
        work_id = uuid.uuid4()
        owners = [(a, Role.COMPOSER, "70.00"), (b, Role.LYRICIST, "30.00")]
        moved = [(a, Role.COMPOSER, "40.00"), (b, Role.LYRICIST, "60.00")]
        at = T0 + timedelta(days=n)
        out.append(decoded(events.WorkFiled(occurred_at=at, version=1, work=work_state(
            work_id, n, owners, WorkStatus.FILED))))
        out.append(decoded(events.WorkRegistered(occurred_at=at, version=2, work=work_state(
            work_id, n, owners, WorkStatus.REGISTERED))))
        out.append(decoded(events.WorkOwnershipTransferred(
            occurred_at=at - timedelta(minutes=n), version=3,
            work=work_state(work_id, n, moved, WorkStatus.REGISTERED),
            from_party_id=a, to_party_id=b, share=Decimal("30.00"),
            previous_rights_holders=work_state(work_id, n, owners,
                                               WorkStatus.REGISTERED).rights_holders)))
        out.append(decoded(events.WorkRegistered(
            occurred_at=at + timedelta(hours=1), version=2,
            work=work_state(work_id, n, owners, WorkStatus.REGISTERED))))
    return out


async def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        async with session_maker(engine)() as session:
            return {t: [tuple(r) for r in await session.execute(
                text(f"SELECT * FROM {t} ORDER BY {o}"))] for t, o in TABLES.items()}
    finally:
        await engine.dispose()


async def apply(url: str, batches: list[list[DecodedEvent]]) -> None:
    engine = create_engine(url)
    uow = unit_of_work_factory(session_maker(engine))
    try:
        for chunk in batches:
            async with uow() as u:
                await apply_register_events(u, chunk)
    finally:
        await engine.dispose()


def random_split(items: list[DecodedEvent], rng: random.Random) -> list[list[DecodedEvent]]:
    cuts = sorted(rng.sample(range(1, len(items)), rng.randint(1, 12)))
    return [items[a:b] for a, b in itertools.pairwise([0, *cuts, len(items)])]


async def test_one_batch_batches_of_one_and_random_splits_build_the_same_read_model(
    create_database: Any,
) -> None:
    events_in_order = history()
    rng = random.Random(13)
    splits = {
        "licensing_one_batch": [events_in_order],
        "licensing_batches_of_one": [[event] for event in events_in_order],
        # batches of uneven sizes, so updates of one work straddle batch boundaries
        # (the versioned works at the end too)
        **{f"licensing_split_{n}": random_split(events_in_order, rng) for n in range(3)},
    }
    snapshots = []
    for name, batches in splits.items():
        url = await create_database(name)
        await asyncio.to_thread(upgrade_head, MIGRATIONS, url)
        await apply(url, batches)
        snapshots.append(await snapshot(url))
    expected = snapshots[0]
    assert expected["register_work"] and expected["register_shares"]
    assert all(found == expected for found in snapshots[1:])
