"""Filing's group commit (ARCHITECTURE.md, "Filing's group commit"): many filings, one
transaction; numbers gap-free, every filing's events in the outbox, one refused or failing
filing never fails the others, and a batch cut off before its COMMIT leaves nothing behind."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from contracts.envelope import decode
from filing import repository, service
from filing.app import MIGRATIONS
from filing.commands import FileWork, RegisterParty, parse
from filing.domain.errors import UnknownParty
from filing.domain.numbering import parse_number
from runtime.auth import Principal
from runtime.db import create_engine, migrate, session_maker
from runtime.uow import UnitOfWorkFactory, unit_of_work_factory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from .conftest import new_iswc

pytestmark = pytest.mark.asyncio(loop_scope="session")

_WORK_EVENTS = "SELECT id FROM outbox WHERE topic = 'filing.works.v1'"


@pytest.fixture
async def writer(create_database: Any) -> AsyncIterator[service.FilingWriter]:
    url = await create_database(f"filing_group_{uuid.uuid4().hex[:6]}")
    await migrate(MIGRATIONS, url)
    engine = create_engine(url, pool_size=4)
    writer = service.FilingWriter(unit_of_work_factory(session_maker(engine)), max_batch=64)
    await writer.start()
    yield writer
    await writer.stop()
    await engine.dispose()


async def _party(uow: UnitOfWorkFactory) -> tuple[uuid.UUID, Principal]:
    party = uuid.uuid4()
    me = Principal(party_id=str(party), roles=frozenset({"party"}))
    await service.register_party(
        uow=uow,
        principal=me,
        party_id=party,
        command=parse(RegisterParty, {"name": "Batch filer", "kind": "PERSON", "country": "TH"}),
    )
    return party, me


def _filing(holder: uuid.UUID, title: str | None = None) -> FileWork:
    return parse(
        FileWork,
        {
            "title": title or f"Batch {uuid.uuid4().hex}",
            "kind": "MUSICAL_WORK",
            "country_of_origin": "TH",
            "rights_holders": [{"party_id": str(holder), "role": "COMPOSER", "share": "100.00"}],
        },
    )


async def _rows(writer: service.FilingWriter, sql: str) -> list[Any]:
    async with writer.uow() as u:
        return list((await (await u.session.connection()).execute(text(sql))).all())


async def _assert_gap_free(writer: service.FilingWriter) -> None:
    for column, kind in (("filing_number", "F"), ("registration_number", "R")):
        numbers = [r[0] for r in await _rows(writer, f"SELECT {column} FROM work")]
        sequences = sorted(parse_number(n)[2] for n in numbers if n)
        assert sequences == list(range(1, len(sequences) + 1)), column
        counter = await _rows(writer, f"SELECT last FROM number_counter WHERE kind = '{kind}'")
        assert (counter[0][0] if counter else 0) == len(sequences)


async def test_concurrent_filings_share_a_transaction_and_a_refused_one_takes_no_number(writer):
    alice, me = await _party(writer.uow)
    stranger = uuid.uuid4()  # no such party: refused by the domain, inside the batch
    commands = [_filing(alice) for _ in range(20)]
    commands[7] = parse(
        FileWork,
        {
            "title": "Names a stranger",
            "kind": "MUSICAL_WORK",
            "country_of_origin": "TH",
            "rights_holders": [
                {"party_id": str(alice), "role": "COMPOSER", "share": "50.00"},
                {"party_id": str(stranger), "role": "LYRICIST", "share": "50.00"},
            ],
        },
    )
    answers = await asyncio.gather(
        *(writer.file_work(principal=me, command=c) for c in commands), return_exceptions=True
    )
    assert isinstance(answers[7], UnknownParty)
    works = [a for a in answers if not isinstance(a, BaseException)]
    assert len(works) == 19 and writer.batches >= 1
    assert all(w.registration_number for w in works)
    await _assert_gap_free(writer)
    # Every filing's two events, in the outbox, with the numbers it was answered.
    outbox = await _rows(
        writer,
        "SELECT key, value, headers FROM outbox WHERE topic = 'filing.works.v1' ORDER BY id",
    )
    assert len(outbox) == 2 * 19
    by_work: dict[str, list[Any]] = {}
    for key, value, headers in outbox:
        event = decode(value, [(k, v.encode()) for k, v in headers], key=key).data
        by_work.setdefault(str(event.work.id), []).append(event)
    for work in works:
        filed, registered = by_work[str(work.id)]
        assert filed.work.filing_number == registered.work.filing_number == work.filing_number
        assert filed.work.registration_number is None
        assert registered.work.registration_number == work.registration_number


async def test_two_filings_of_one_batch_with_one_iswc_register_one(writer):
    alice, me = await _party(writer.uow)
    iswc = new_iswc()
    commands = [
        parse(
            FileWork,
            {
                "title": f"Same ISWC {n}",
                "kind": "MUSICAL_WORK",
                "country_of_origin": "TH",
                "identifiers": {"iswc": iswc},
                "rights_holders": [
                    {"party_id": str(alice), "role": "COMPOSER", "share": "100.00"}
                ],
            },
        )
        for n in range(2)
    ]
    first, second = await asyncio.gather(
        *(writer.file_work(principal=me, command=c) for c in commands)
    )
    assert writer.batches == 1
    assert sorted([first.status.value, second.status.value]) == ["REGISTERED", "REJECTED"]
    await _assert_gap_free(writer)


async def test_a_database_error_in_a_batch_files_the_others_alone(writer, monkeypatch):
    alice, me = await _party(writer.uow)
    insert_works = repository.insert_works

    async def failing_for_poison(session: Any, works: Any) -> None:
        if any(work.title.startswith("Poison") for work, _, _ in works):
            await (await session.connection()).execute(text("SELECT 1 / 0"))  # a real error
        await insert_works(session, works)

    monkeypatch.setattr(repository, "insert_works", failing_for_poison)
    commands = [_filing(alice) for _ in range(9)]
    commands[4] = _filing(alice, title="Poison pill")
    answers = await asyncio.gather(
        *(writer.file_work(principal=me, command=c) for c in commands), return_exceptions=True
    )
    assert isinstance(answers[4], DBAPIError)
    assert sum(not isinstance(a, BaseException) for a in answers) == 8
    assert writer.batches == 0  # the batch rolled back; each was filed alone
    await _assert_gap_free(writer)
    assert len(await _rows(writer, _WORK_EVENTS)) == 2 * 8


async def test_a_batch_cut_off_before_its_commit_leaves_nothing(writer, monkeypatch):
    """What a process dying mid-batch leaves: its transaction never commits, so no work, no
    number and no event of the batch exists, and none of its filings was answered a work."""
    alice, me = await _party(writer.uow)
    reached = asyncio.Event()

    async def never_returns(*_: Any, **__: Any) -> None:
        reached.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(repository, "set_counters", never_returns)
    waiting = [
        asyncio.create_task(writer.file_work(principal=me, command=_filing(alice)))
        for _ in range(5)
    ]
    await reached.wait()
    await writer.stop()  # the writer's task is cancelled inside the open transaction
    answers = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(a, RuntimeError) for a in answers)
    assert await _rows(writer, "SELECT id FROM work") == []
    assert await _rows(writer, _WORK_EVENTS) == []
    assert await _rows(writer, "SELECT last FROM number_counter WHERE last > 0") == []
