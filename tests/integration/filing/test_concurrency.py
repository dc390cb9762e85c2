"""Filing under concurrency: identifier clashes, gap-free numbers, and a relay killed
between publishing and marking its rows sent."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from contracts.envelope import decode
from contracts.events import WorkFiled, WorkRegistered
from contracts.topics import FILING_WORKS
from filing import service
from filing.app import MIGRATIONS
from filing.commands import FileWork, RegisterParty, parse
from filing.domain.numbering import NumberKind, parse_number
from filing.repository import take_numbers
from filing.settings import FilingSettings
from runtime.auth import Principal
from runtime.consumer import IdempotentConsumer, ProcessedEvent, Record
from runtime.db import create_engine, migrate, session_maker
from runtime.outbox import OutboxRelay
from runtime.uow import UnitOfWork, UnitOfWorkFactory, unit_of_work_factory
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from .conftest import new_iswc, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _body(holder: uuid.UUID, **extra: Any) -> dict[str, Any]:
    return {
        "title": f"Concurrent {uuid.uuid4().hex}",
        "kind": "MUSICAL_WORK",
        "country_of_origin": "TH",
        "rights_holders": [{"party_id": str(holder), "role": "COMPOSER", "share": "100.00"}],
        **extra,
    }


async def test_two_simultaneous_filings_with_one_iswc_register_at_most_one(filing):
    for _ in range(5):
        alice, alice_client = await filing.party()
        bob, bob_client = await filing.party()
        iswc = new_iswc()
        responses = await asyncio.gather(
            alice_client.post("/works", json=_body(alice, identifiers={"iswc": iswc})),
            bob_client.post("/works", json=_body(bob, identifiers={"iswc": iswc})),
        )
        assert [r.status_code for r in responses] == [201, 201]
        statuses = sorted(r.json()["status"] for r in responses)
        assert statuses == ["REGISTERED", "REJECTED"]
        holding = await filing.scalar(
            "SELECT count(*) FROM work WHERE iswc = :i AND status <> 'REJECTED'", i=iswc
        )
        assert holding == 1


async def _alice(uow: UnitOfWorkFactory) -> tuple[uuid.UUID, Principal]:
    """A party registered through the service itself, and its principal."""
    alice = uuid.uuid4()
    me = Principal(party_id=str(alice), roles=frozenset({"party"}))
    await service.register_party(
        uow=uow,
        principal=me,
        party_id=alice,
        command=parse(RegisterParty, {"name": "Alice", "kind": "PERSON", "country": "TH"}),
    )
    return alice, me


def _contiguous(numbers: list[str]) -> bool:
    sequences = sorted(parse_number(n)[2] for n in numbers)
    return sequences == list(range(sequences[0], sequences[0] + len(sequences)))


@pytest.mark.slow
async def test_hundred_concurrent_filings_get_distinct_gap_free_numbers(filing):
    alice, client = await filing.party()
    responses = await asyncio.gather(
        *(client.post("/works", json=_body(alice)) for _ in range(100))
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses][:3]
    filing_numbers = [r.json()["filing_number"] for r in responses]
    registration_numbers = [r.json()["registration_number"] for r in responses]
    assert len(set(filing_numbers)) == 100 and len(set(registration_numbers)) == 100
    assert _contiguous(filing_numbers) and _contiguous(registration_numbers)
    # Across everything this database has seen, refused requests included: no gaps at all.
    for column in ("filing_number", "registration_number"):
        async with filing.sessions() as session:
            rows = (
                (
                    await (await session.connection()).execute(
                        text(f"SELECT {column} FROM work WHERE {column} IS NOT NULL")
                    )
                )
                .scalars()
                .all()
            )
        sequences = sorted(parse_number(n)[2] for n in rows)
        assert sequences == list(range(1, len(sequences) + 1))


class CrashingRelay(OutboxRelay):
    """A relay that dies after Kafka acknowledged the batch and before marking it sent.

    Its own loop stays idle: the test calls `publish_pending` itself, and a loop racing it
    for the relay's lock would make that call find the batch taken and return quietly.
    """

    async def round(self) -> bool:
        return False

    async def _after_publish_before_mark(self, count: int) -> None:
        raise SystemError("killed between publish and mark-sent")


@pytest.fixture
async def quiet_filing(create_database: Any) -> AsyncIterator[tuple[FilingSettings, Any]]:
    """A filing database with no relay running: the test drives the relays itself."""
    url = await create_database(f"filing_relay_{uuid.uuid4().hex[:6]}")
    await migrate(MIGRATIONS, url)
    settings = FilingSettings(database_url=url, outbox_poll_interval_seconds=0.1)
    engine = create_engine(url, pool_size=2)
    yield settings, engine
    await engine.dispose()


async def _publish_then_kill_then_republish(quiet_filing: Any, topics: Any) -> list[Any]:
    """Files a work, lets a relay die between publishing and marking, then runs a healthy
    relay: returns the work's records, each event twice with its one event id."""
    settings, engine = quiet_filing
    sessions = session_maker(engine)
    uow = unit_of_work_factory(sessions)
    alice, me = await _alice(uow)
    work = await service.file_work(
        uow=uow,
        principal=me,
        command=parse(FileWork, _body(alice, title="Crash Test")),
    )

    crashing = CrashingRelay(engine=engine, settings=settings)
    await crashing.start()
    try:
        with pytest.raises(SystemError):
            await crashing.publish_pending()
    finally:
        await crashing.stop()
    first_copies = await topics.wait_for_key(work.id, 2)
    async with sessions() as session:
        unsent = (
            await (await session.connection()).execute(
                text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            )
        ).scalar()
    assert unsent == 3  # party.registered, work.filed, work.registered: none marked

    relay = OutboxRelay(engine=engine, settings=settings)
    await relay.start()
    try:
        records = await topics.wait_for_key(work.id, 4)

        async def all_sent() -> bool:
            async with sessions() as session:
                count = (
                    await (await session.connection()).execute(
                        text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
                    )
                ).scalar()
            return count == 0

        await wait_for(all_sent)
    finally:
        await relay.stop()
    assert len(first_copies) == 2
    assert all(r.topic == settings.topic(FILING_WORKS) for r in records)
    ids = [dict(r.headers)["ce_id"] for r in records]
    assert len(ids) == 4 and len(set(ids)) == 2  # each event twice, with its one event id

    kinds = [type(decode(r.value, r.headers, key=r.key).data) for r in records[:2]]
    assert kinds == [WorkFiled, WorkRegistered]
    return records


async def test_relay_killed_between_publish_and_mark_sent_republishes(quiet_filing, topics):
    records = await _publish_then_kill_then_republish(quiet_filing, topics)
    event_ids = [dict(r.headers)["ce_id"] for r in records]
    assert event_ids[:2] == event_ids[2:]  # the same events again, same ids, same order


async def _apply_with_idempotent_consumer(
    create_database: Any, settings: FilingSettings, batches: list[list[Any]]
) -> list[uuid.UUID]:
    """The event ids a runtime `IdempotentConsumer` hands its handler for these batches,
    with its tracking table in a database of its own, as another service's would be."""
    applied: list[uuid.UUID] = []

    async def handler(uow: UnitOfWork, events: Sequence[Any]) -> None:
        applied.extend(event.id for event in events)

    engine = create_engine(await create_database(f"filing_consumer_{uuid.uuid4().hex[:6]}"))
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: ProcessedEvent.__table__.create(sync))  # type: ignore[attr-defined]
    consumer = IdempotentConsumer(
        group_id=f"filing-it-{uuid.uuid4().hex[:6]}",
        topics=[FILING_WORKS],
        handler=handler,
        sessions=session_maker(engine),
        settings=settings,
    )
    await consumer.start(fetching=False)  # the test hands it the batches
    try:
        for batch in batches:
            await consumer.handle_records(
                [Record(r.topic, r.partition, r.offset, r.key, r.value, r.headers) for r in batch]
            )
    finally:
        await consumer.stop()
        await engine.dispose()
    return applied


async def test_republished_events_in_a_later_batch_are_applied_once(
    quiet_filing, topics, create_database
):
    settings, _ = quiet_filing
    records = await _publish_then_kill_then_republish(quiet_filing, topics)
    applied = await _apply_with_idempotent_consumer(
        create_database, settings, [records[:2], records[2:]]
    )
    assert len(applied) == 2 and len(set(applied)) == 2


async def test_republished_events_in_the_same_batch_are_applied_once(
    quiet_filing, topics, create_database
):
    settings, _ = quiet_filing
    records = await _publish_then_kill_then_republish(quiet_filing, topics)
    applied = await _apply_with_idempotent_consumer(create_database, settings, [records])
    assert len(applied) == 2 and len(set(applied)) == 2


async def test_simultaneous_transfers_cannot_give_away_more_than_held(filing):
    alice, client = await filing.party()
    bob, _ = await filing.party()
    carol, _ = await filing.party()
    work = (await client.post("/works", json=_body(alice))).json()
    responses = await asyncio.gather(
        client.post(
            f"/works/{work['id']}/transfers", json={"to_party_id": str(bob), "share": "60.00"}
        ),
        client.post(
            f"/works/{work['id']}/transfers", json={"to_party_id": str(carol), "share": "60.00"}
        ),
    )
    assert sorted(r.status_code for r in responses) == [200, 400]
    final = (await client.get(f"/works/{work['id']}")).json()
    shares = sorted(h["share"] for h in final["rights_holders"])
    assert shares == ["40.00", "60.00"]


async def test_numbers_count_per_year_and_a_rollback_gives_its_number_back(filing):
    async def take(year: int, *, commit: bool) -> int:
        async with filing.sessions() as session:
            async with session.begin():
                taken = await take_numbers(session, year=year, kinds=[NumberKind.FILING])
                number = parse_number(taken[NumberKind.FILING])[2]
                if not commit:
                    await session.rollback()
            return number

    assert await take(1999, commit=False) == 1
    assert await take(1999, commit=True) == 1  # the rolled-back 1 came back
    assert await take(1999, commit=True) == 2
    assert await take(1998, commit=True) == 1  # each year counts from 1


async def test_simultaneous_duplicates_send_one_to_review(filing):
    alice, client = await filing.party()
    title = f"Twin {uuid.uuid4().hex[:8]}"
    responses = await asyncio.gather(
        client.post("/works", json=_body(alice, title=title)),
        client.post("/works", json=_body(alice, title=title.upper())),
    )
    assert sorted(r.json()["status"] for r in responses) == ["REGISTERED", "UNDER_REVIEW"]


async def test_numbers_taken_last_are_the_ones_stored_published_and_answered(filing, topics):
    """Filing takes its numbers last and builds its rows and events from them: no stand-in
    for a number appears anywhere, in the answer, the tables, or the events."""
    alice, client = await filing.party()
    iswc = new_iswc()
    registered = (await client.post("/works", json=_body(alice, identifiers={"iswc": iswc}))).json()
    rejected = (await client.post("/works", json=_body(alice, identifiers={"iswc": iswc}))).json()
    assert registered["status"] == "REGISTERED" and rejected["status"] == "REJECTED"
    assert rejected["registration_number"] is None
    assert registered["filing_number"] in rejected["status_reason"]
    for work in (registered, rejected):
        assert (await client.get(f"/works/{work['id']}")).json() == work
        history = (await client.get(f"/works/{work['id']}/history")).json()["items"]
        assert history[0]["detail"] == f"filed as {work['filing_number']}"
        if work["registration_number"]:
            assert history[1]["detail"] == f"registered as {work['registration_number']}"
        records = await topics.wait_for_key(work["id"], 2)
        filed, examined = [decode(r.value, r.headers, key=r.key).data for r in records]
        assert filed.work.filing_number == examined.work.filing_number == work["filing_number"]
        assert filed.work.registration_number is None
        assert examined.work.registration_number == work["registration_number"]
        assert examined.work.status_reason == work["status_reason"]
    stand_in = r"[FR]-\d{4}-\d{20,}"
    assert (
        await filing.scalar(
            "SELECT count(*) FROM outbox WHERE encode(value, 'escape') ~ :p", p=stand_in
        )
        == 0
    )
    assert (
        await filing.scalar("SELECT count(*) FROM work_history WHERE detail ~ :p", p=stand_in) == 0
    )
    assert (
        await filing.scalar(
            "SELECT count(*) FROM work WHERE coalesce(status_reason, '') ~ :p", p=stand_in
        )
        == 0
    )


async def test_a_filing_whose_write_fails_gives_both_numbers_back(quiet_filing):
    """The numbers are taken in the transaction that writes the work: when its write fails,
    the rollback returns the filing and the registration number."""
    _, engine = quiet_filing
    sessions = session_maker(engine)
    uow = unit_of_work_factory(sessions)
    alice, me = await _alice(uow)
    first = await service.file_work(uow=uow, principal=me, command=parse(FileWork, _body(alice)))
    assert first.registration_number is not None

    async def counters() -> dict[str, int]:
        async with sessions() as session:
            rows = await (await session.connection()).execute(
                text("SELECT kind, last FROM number_counter")
            )
            return {kind: last for kind, last in rows.all()}

    async with sessions() as session, session.begin():
        # Rewind the filing counter: the next filing number is taken again and clashes.
        await (await session.connection()).execute(
            text("UPDATE number_counter SET last = last - 1 WHERE kind = 'F'")
        )
    before = await counters()
    with pytest.raises(IntegrityError):
        await service.file_work(uow=uow, principal=me, command=parse(FileWork, _body(alice)))
    assert await counters() == before  # neither number was kept
    async with sessions() as session:
        works = await (await session.connection()).execute(text("SELECT count(*) FROM work"))
        assert works.scalar() == 1
