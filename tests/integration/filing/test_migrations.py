"""Migration 0004 creates the dispute-openings table exactly as the model describes it;
0006 fills the search columns of the rows already there; 0008 adds their composite terms;
0009 romanises the Lao and Khmer ones."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import filing
from alembic import command
from filing import models  # noqa: F401 - registers the tables
from filing.domain.search_index import is_composite, party_search_columns, search_columns
from runtime.db import alembic_config, create_engine
from runtime.migrations_env import schema_drift
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel


def _diff(connection: Connection) -> list[Any]:
    return schema_drift(connection, SQLModel.metadata, {"dispute_opening"})


def _columns(connection: Connection) -> list[str]:
    return [column["name"] for column in inspect(connection).get_columns("dispute_opening")]


async def test_the_dispute_openings_table_matches_its_model(filing: Any) -> None:
    async with filing.sessions() as session:
        connection = await session.connection()
        diff = await connection.run_sync(_diff)
        columns = await connection.run_sync(_columns)
    assert diff == []
    assert columns == ["id", "party_id", "work_id", "opened_at"]


async def _insert_party_and_work(
    engine: Any,
    party_id: uuid.UUID,
    work_id: uuid.UUID,
    *,
    kind: str,
    country: str,
    name: str = "Trịnh Công Sơn",
    title: str = "愛情故事",
    alternate: str = "Love Story",
    number: str = "F-2026-000001",
) -> None:
    """A party and its work (by default '愛情故事', alternate title 'Love Story'), written as
    SQL: any revision from 0005 on has these columns."""
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO party (id, name, kind, country, created_at, updated_at) "
                "VALUES (:id, :name, 'PERSON', 'VN', now(), now())"
            ),
            {"id": party_id, "name": name},
        )
        await connection.execute(
            text(
                "INSERT INTO work (id, filing_number, title, alternate_titles, kind, status, "
                "country_of_origin, filed_by, filed_at, updated_at, title_key, search_text) "
                "VALUES (:id, :number, :title, ARRAY[CAST(:alternate AS text)], "
                ":kind, 'REGISTERED', :country, :party, now(), now(), '', '')"
            ),
            {
                "id": work_id,
                "party": party_id,
                "kind": kind,
                "country": country,
                "number": number,
                "title": title,
                "alternate": alternate,
            },
        )


async def test_migration_0006_fills_the_search_columns_of_rows_already_there(
    create_database: Any,
) -> None:
    """A register migrated from 0005 gets its works' and parties' search columns and its
    lexicon, and 0006 goes down and up again."""
    url: str = await create_database("migration_0006")
    config = alembic_config(Path(filing.__file__).parent / "migrations", url)
    await asyncio.to_thread(command.upgrade, config, "0005")
    engine = create_engine(url, pool_size=1)
    work_id, party_id = uuid.uuid4(), uuid.uuid4()
    try:
        await _insert_party_and_work(engine, party_id, work_id, kind="MUSICAL_WORK", country="TW")
        for target in ("head", "0005", "head"):
            step = command.upgrade if target == "head" else command.downgrade
            await asyncio.to_thread(step, config, target)
        async with engine.connect() as connection:
            keys, words = (
                await connection.execute(
                    text("SELECT search_keys, search_words FROM work WHERE id = :id"),
                    {"id": work_id},
                )
            ).one()
            names = (
                await connection.execute(
                    text("SELECT search_words FROM party WHERE id = :id"), {"id": party_id}
                )
            ).scalar_one()
            lexicon = set(
                (await connection.execute(text("SELECT word FROM search_word"))).scalars()
            )
        expected = search_columns("愛情故事", ["Love Story"], country="TW", kind="MUSICAL_WORK")
        assert (keys, words) == (expected["search_keys"], expected["search_words"])
        assert names == party_search_columns("Trịnh Công Sơn")["search_words"]
        real = {w for w in words if not is_composite(w)}
        assert real and real | set(names) <= lexicon
        assert not any(is_composite(w) for w in lexicon)
    finally:
        await engine.dispose()


async def _words_and_lexicon(engine: Any, work_id: uuid.UUID) -> tuple[list[str], set[str]]:
    async with engine.connect() as connection:
        words = (
            await connection.execute(
                text("SELECT search_words FROM work WHERE id = :id"), {"id": work_id}
            )
        ).scalar_one()
        lexicon = set((await connection.execute(text("SELECT word FROM search_word"))).scalars())
    return list(words), lexicon


async def test_migration_0008_adds_composite_terms_and_keeps_them_out_of_the_lexicon(
    create_database: Any,
) -> None:
    """A register migrated from 0007 gets each work term prefixed with its country and kind,
    as `search_columns` writes them, none of them in the lexicon; 0008 goes down (the
    composite terms go) and up again, and later writes keep them out of the lexicon too."""
    url: str = await create_database("migration_0008")
    config = alembic_config(Path(filing.__file__).parent / "migrations", url)
    await asyncio.to_thread(command.upgrade, config, "0007")
    engine = create_engine(url, pool_size=1)
    work_id, party_id = uuid.uuid4(), uuid.uuid4()
    plain = search_columns("愛情故事", ["Love Story"], country=None, kind=None)
    full = search_columns("愛情故事", ["Love Story"], country="PH", kind="LITERARY")
    try:
        await _insert_party_and_work(engine, party_id, work_id, kind="LITERARY", country="PH")
        async with engine.begin() as connection:  # as a filing at 0007 wrote it
            await connection.execute(
                text("UPDATE work SET search_keys = :keys, search_words = :words WHERE id = :id"),
                {"id": work_id, "keys": plain["search_keys"], "words": plain["search_words"]},
            )
        await asyncio.to_thread(command.upgrade, config, "head")
        words, lexicon = await _words_and_lexicon(engine, work_id)
        assert words == full["search_words"]
        assert "c:PH:爱" in words and "k:LITERARY:love" in words
        assert set(plain["search_words"]) <= lexicon
        assert not any(is_composite(w) for w in lexicon)

        await asyncio.to_thread(command.downgrade, config, "0007")
        words, _ = await _words_and_lexicon(engine, work_id)
        assert words == plain["search_words"]

        await asyncio.to_thread(command.upgrade, config, "head")
        async with engine.begin() as connection:  # a later write, as filing's
            await connection.execute(
                text("UPDATE work SET search_words = :words WHERE id = :id"),
                {"id": work_id, "words": full["search_words"]},
            )
        words, lexicon = await _words_and_lexicon(engine, work_id)
        assert words == full["search_words"]
        assert not any(is_composite(w) for w in lexicon)
    finally:
        await engine.dispose()


async def test_migration_0009_romanises_the_lao_and_khmer_titles_and_names_already_there(
    create_database: Any,
) -> None:
    """Rows written at 0008 (no romanised terms for Lao or Khmer) get their search columns
    again from `search_columns`, the new terms in the lexicon; other rows stay as they are."""
    url: str = await create_database("migration_0009")
    config = alembic_config(Path(filing.__file__).parent / "migrations", url)
    await asyncio.to_thread(command.upgrade, config, "0008")
    engine = create_engine(url, pool_size=1)
    work_id, party_id, khmer_work, khmer_party = (uuid.uuid4() for _ in range(4))
    try:
        await _insert_party_and_work(engine, party_id, work_id, kind="LITERARY", country="PH")
        await _insert_party_and_work(
            engine,
            khmer_party,
            khmer_work,
            kind="MUSICAL_WORK",
            country="KH",
            name="កំពត",
            title="ចម្រៀង",
            alternate="ເພງ ລາວ",
            number="F-2026-000002",
        )
        async with engine.begin() as connection:  # as written before 0009: no romanisation
            await connection.execute(
                text("UPDATE work SET search_words = ARRAY['ចម្រៀង'] WHERE id = :id"),
                {"id": khmer_work},
            )
            await connection.execute(  # a row 0009 must leave alone
                text("UPDATE work SET search_words = ARRAY['untouched'] WHERE id = :id"),
                {"id": work_id},
            )
        await asyncio.to_thread(command.upgrade, config, "head")
        expected = search_columns("ចម្រៀង", ["ເພງ ລາວ"], country="KH", kind="MUSICAL_WORK")
        words, lexicon = await _words_and_lexicon(engine, khmer_work)
        assert words == expected["search_words"]
        assert {"chamrieng", "pheng", "law", "c:KH:chamrieng"} <= set(words)
        assert {"chamrieng", "pheng", "law"} <= lexicon
        assert (await _words_and_lexicon(engine, work_id))[0] == ["untouched"]
        async with engine.connect() as connection:
            party_words = (
                await connection.execute(
                    text("SELECT search_words FROM party WHERE id = :id"), {"id": khmer_party}
                )
            ).scalar_one()
        assert party_words == party_search_columns("កំពត")["search_words"]
        assert "kampot" in party_words
    finally:
        await engine.dispose()
