"""`rights import works` writes a CSV into filing's real database (refused rows to the
report, the summary as JSON; a bad file changes nothing); `rights rebuild register` replays
the register topics into licensing's read model and swaps it in; `rights replay TOPIC` reads
a topic through and counts its events by type."""

from __future__ import annotations

import csv
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from contracts.envelope import encode
from contracts.events import PartyRegistered, PartyState
from contracts.topics import FILING_PARTIES, FILING_WORKS
from devstack.kafka_access import admin_login
from filing.app import MIGRATIONS as FILING_MIGRATIONS
from licensing.app import MIGRATIONS as LICENSING_MIGRATIONS
from runtime.db import migrate
from runtime.kafka import ensure_topics, reliable_producer
from runtime.settings import PlatformSettings

from .conftest import Rights

pytestmark = [pytest.mark.asyncio(loop_scope="session")]

WORK_HEADER = ["row_key", "title", "alternate_titles", "kind", "country_of_origin", "iswc",
               "isrc", "isbn", "holders"]


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def fetchval(url: str, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(plain(url), ssl=False)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


def works_file(path: Path, filer: uuid.UUID, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(WORK_HEADER)
        writer.writerows(rows)
    return path


async def test_import_writes_the_works_and_reports_refused_rows(
    rights: Rights, create_database: Any, tmp_path: Path
) -> None:
    url = await create_database(f"ops_import_{uuid.uuid4().hex[:6]}")
    await migrate(FILING_MIGRATIONS, url)
    filer = uuid.uuid4()
    await fetchval(url, "INSERT INTO party (id, name, kind, country, created_at, updated_at) "
                   "VALUES ($1, 'Siam Songs', 'ORGANIZATION', 'TH', now(), now())", filer)
    works = works_file(tmp_path / "works.csv", filer, [
        ["w1", "ฝนตกที่บางกอก", "", "MUSICAL_WORK", "TH", "", "", "", f"{filer}:PUBLISHER:100"],
        ["w2", "Hikayat Bulan", "", "LITERARY", "MY", "", "", "", f"{filer}:AUTHOR:100"],
        ["w3", "Short", "", "OTHER", "TH", "", "", "", f"{filer}:OTHER:90"],
    ])
    report = tmp_path / "errors.csv"
    result = await rights("import", "works", "--works", str(works), "--filer", str(filer),
                          "--database-url", url, "--report", str(report), "--no-progress")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["works_registered"] == 2 and summary["rows_rejected"] == 1
    assert await fetchval(url, "SELECT count(*) FROM work") == 2
    [refused] = list(csv.DictReader(report.open(encoding="utf-8")))
    assert refused["row"] == "4"  # the line of the file: the header is line 1


async def test_import_by_a_filer_who_is_no_party_is_refused_and_writes_nothing(
    rights: Rights, create_database: Any, tmp_path: Path
) -> None:
    url = await create_database(f"ops_import_bad_{uuid.uuid4().hex[:6]}")
    await migrate(FILING_MIGRATIONS, url)
    stranger = uuid.uuid4()
    works = works_file(tmp_path / "works.csv", stranger, [
        ["w1", "Song", "", "MUSICAL_WORK", "TH", "", "", "", f"{stranger}:PUBLISHER:100"],
    ])
    result = await rights("import", "works", "--works", str(works), "--filer", str(stranger),
                          "--database-url", url, "--report", str(tmp_path / "e.csv"),
                          "--no-progress")
    assert result.exit_code == 2
    assert "filer" in result.output and "not a registered party" in result.output
    assert await fetchval(url, "SELECT count(*) FROM work") == 0


async def test_rebuild_replays_the_register_into_licensings_read_model_and_replay_counts_it(
    rights: Rights, create_database: Any, topic_prefix: str, kafka_bootstrap: str
) -> None:
    prefix = f"{topic_prefix}ops-rebuild-{uuid.uuid4().hex[:6]}."
    url = await create_database(f"ops_rebuild_{uuid.uuid4().hex[:6]}")
    await migrate(LICENSING_MIGRATIONS, url)
    settings = PlatformSettings(rights_topic_prefix=prefix)
    await ensure_topics(kafka_bootstrap, [(settings.topic(t), t) for t in
                                          (FILING_PARTIES, FILING_WORKS)],
                        security=admin_login())
    parties = [uuid.uuid4() for _ in range(5)]
    producer = reliable_producer(kafka_bootstrap, **admin_login())
    await producer.start()
    try:
        for index, party_id in enumerate(parties):
            record = encode(PartyRegistered(
                occurred_at=datetime.now(UTC),
                party=PartyState(id=party_id, name=f"Party {index}", kind="PERSON",
                                 country="VN")), event_id=uuid.uuid4())
            await producer.send_and_wait(settings.topic(FILING_PARTIES), value=record.value,
                                         key=record.key, headers=record.headers)
    finally:
        await producer.stop()
    env = {"RIGHTS_TOPIC_PREFIX": prefix, "LICENSING_DATABASE_URL": url,
           "LICENSING_KAFKA_PRINCIPAL": "admin"}
    assert await fetchval(url, "SELECT count(*) FROM register_party") == 0

    rebuilt = await rights("rebuild", "register", "--no-progress", env=env)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt from 5 records" in rebuilt.output
    known = await fetchval(url, "SELECT count(*) FROM register_party WHERE id = ANY($1)",
                           parties)
    assert known == 5

    replayed = await rights("replay", FILING_PARTIES, "--no-progress", "--json", env=env)
    assert replayed.exit_code == 0, replayed.output
    summary = json.loads(replayed.output)
    assert summary["records"] == 5
    assert summary["by_type"] == {"org.aseanip.filing.party.registered.v1": 5}
    assert summary["malformed"] == []
