"""Bulk import end to end (DOMAIN.md, "Bulk import"): the command imports a works file and a
parties file into filing's real database while the services run, examination decides every
row, refused rows land in the report naming row, field and reason, filing's relay publishes
the works' events on real Kafka and licensing's read model applies them; the same files
again change nothing."""

from __future__ import annotations

import asyncio
import csv
import json
import sys
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from contracts.envelope import decode
from contracts.topics import FILING_WORKS
from devstack.identity import Identities
from devstack.polling import eventually
from filing.events import work_state
from filing.models import WorkRow
from filing.repository import works_of
from runtime.db import create_engine, session_maker
from sqlalchemy import text
from sqlmodel import select

from .served import Gateway, Services, register

pytestmark = pytest.mark.asyncio(loop_scope="session")

ISWC = "T-034.524.680-1"
ISBN = "9780306406157"


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def scalar(url: str, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(plain(url), ssl=False)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def files(directory: Path, filer: str) -> tuple[Path, Path]:
    parties = write(directory / "parties.csv",
                    ["row_key", "name", "kind", "country", "ipi_name_number", "isni"], [
        ["malee", "Malee Srisuk", "PERSON", "TH", "00000000199", ""],
        ["an", "Nguyễn Văn An", "PERSON", "VN", "", ""],
        ["bad-ipi", "Somchai", "PERSON", "TH", "00000000198", ""],
    ])
    works = write(directory / "works.csv",
                  ["row_key", "title", "alternate_titles", "kind", "country_of_origin", "iswc",
                   "isrc", "isbn", "holders"], [
        ["w1", "Ánh Trăng Lẻ Loi", "Lonely Moon", "MUSICAL_WORK", "VN", ISWC, "", "",
         f"{filer}:PUBLISHER:50;an:COMPOSER:50"],
        ["w2", "ฝนตกที่บางกอก", "", "MUSICAL_WORK", "TH", "T0345246802", "", "",
         f"{filer}:PUBLISHER:100"],
        ["w3", "Another Song", "", "MUSICAL_WORK", "TH", ISWC, "", "",
         f"{filer}:PUBLISHER:100"],
        ["w4", "anh trang, le loi!", "", "MUSICAL_WORK", "VN", "", "", "",
         f"{filer}:PUBLISHER:40;malee:LYRICIST:60"],
        ["w5", "Hikayat Bulan", "", "LITERARY", "MY", "", "", ISBN,
         f"{filer}:AUTHOR:70;malee:AUTHOR:20;an:AUTHOR:10"],
        ["w6", "Orphan", "", "OTHER", "TH", "", "", "", f"{filer}:OTHER:50;bad-ipi:OTHER:50"],
        ["w7", "Short", "", "OTHER", "TH", "", "", "", f"{filer}:OTHER:90"],
        ["w8", "Mưa Sài Gòn", "", "MUSICAL_WORK", "VN", "", "", "", f"{filer}:PUBLISHER:100"],
        ["w9", "mua sai gon", "", "MUSICAL_WORK", "VN", "", "", "", f"{filer}:COMPOSER:100"],
    ])
    return parties, works


async def run_command(database_url: str, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "filing.bulk_import", "--database-url", database_url, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode or 0, (out + err).decode()


async def counts(url: str) -> dict[str, int]:
    tables = ("party", "work", "rights_holder", "work_history", "outbox", "number_counter")
    found = {t: int(await scalar(url, f"SELECT count(*) FROM {t}")) for t in tables}
    found["numbers"] = int(await scalar(url, "SELECT coalesce(sum(last), 0) FROM number_counter"))
    return found


async def built_in_sql_as_in_python(url: str) -> int:
    """How many imported works' outbox records match, field for field, the event
    `filing.events.work_state` makes of the work as stored (an assertion fails on the first
    that does not)."""
    engine = create_engine(url)
    try:
        async with session_maker(engine)() as session:
            rows = (await session.exec(select(WorkRow))).all()
            works = {w.id: w for w in await works_of(session, rows)}
            records = (await session.execute(text(
                "SELECT key, value, headers FROM outbox WHERE topic = :t"),
                {"t": FILING_WORKS})).all()
    finally:
        await engine.dispose()
    for key, value, headers in records:
        event = decode(value, [(k, v.encode()) for k, v in headers], key=key)
        work = works[event.data.work.id]
        # A consent event carries the same state as its own type (ConsentWorkState).
        assert event.data.work.model_dump() == work_state(work).model_dump(), work.title
        assert (event.data.version, event.subject) == (2, str(work.id))
        assert event.data.import_id is not None
    return len(records)


async def test_a_file_imported_by_the_command_is_examined_published_and_applied_once(
    services: Services,
    gateway: Callable[..., AbstractAsyncContextManager[Gateway]],
    identities: Identities,
    tmp_path: Path,
) -> None:
    async with gateway() as gw:
        filer, token = await register(gw, identities, "Siam Songs Publishing")
    filing_db, licensing_db = services.databases["filing"], services.databases["licensing"]
    parties, works = files(tmp_path, filer)
    report, summary = tmp_path / "errors.csv", tmp_path / "summary.json"
    arguments = ["--works", str(works), "--parties", str(parties), "--format", "csv",
                 "--filer", filer, "--report", str(report), "--summary-json", str(summary)]
    # The first run checks the works in a child process (the default), the second in this one.
    code, output = await run_command(filing_db, *arguments)
    assert code == 0, output
    result = json.loads(summary.read_text())
    assert {k: result[k] for k in ("works_registered", "works_under_review", "works_rejected",
                                   "works_awaiting_consent", "rows_rejected", "parties_created",
                                   "rows_unchanged")} == {
        "works_registered": 1, "works_under_review": 1, "works_rejected": 1,
        "works_awaiting_consent": 3, "rows_rejected": 4, "parties_created": 2,
        "rows_unchanged": 0}

    # Refused rows: the report names the row, the column and why; nothing of them is stored.
    with report.open(encoding="utf-8") as lines:
        errors = {(int(r["row"]), r["field"]): r["reason"] for r in csv.DictReader(lines)}
    assert set(errors) == {(4, "parties.ipi_name_number"), (3, "iswc"), (7, "holders"), (8, "holders")}
    assert "check digit" in errors[(3, "iswc")]
    assert "not registered" in errors[(7, "holders")]
    assert "100.00" in errors[(8, "holders")]

    # Examination, in file order: rows naming another party wait for its consent (DOMAIN.md,
    # "Co-owners' consent to a filing") and hold their identifiers: w3 takes w1's ISWC
    # (rejected, naming it); w4 has w1's folded title, but w1 is not on the register yet.
    # w9 has w8's folded title and its filer in common (review).
    statuses = {
        r["title"]: (r["status"], r["status_reason"])
        for r in await _rows(filing_db, "SELECT title, status, status_reason FROM work")
    }
    assert statuses["Ánh Trăng Lẻ Loi"][0] == "AWAITING_CONSENT"
    assert statuses["Hikayat Bulan"][0] == "AWAITING_CONSENT"
    assert statuses["Another Song"][0] == "REJECTED"
    assert ISWC in statuses["Another Song"][1]
    assert statuses["anh trang, le loi!"][0] == "AWAITING_CONSENT"
    assert statuses["Mưa Sài Gòn"][0] == "REGISTERED"
    assert statuses["mua sai gon"][0] == "UNDER_REVIEW"
    # Each co-owner's holdings are asked for, with the deadline.
    assert await scalar(filing_db, "SELECT count(*) FROM work_consent WHERE status = 'PENDING'"
                        ) == 4  # an (w1), malee (w4), malee and an (w5)
    assert await scalar(filing_db, "SELECT count(*) FROM work WHERE status = 'AWAITING_CONSENT'"
                        " AND consent_deadline > now()") == 3
    assert await scalar(filing_db, "SELECT count(*) FROM work WHERE version <> "
                        "(SELECT count(*) FROM work_history h WHERE h.work_id = work.id)") == 0

    # Published by the relay and applied by licensing's read model.
    async def applied() -> bool:
        known = await scalar(licensing_db, "SELECT count(*) FROM register_work")
        return int(known) == 6

    await eventually(applied, 30, what="licensing applies the imported works")
    assert await scalar(licensing_db, "SELECT status FROM register_work WHERE title = $1",
                        "Another Song") == "REJECTED"
    assert await scalar(licensing_db, "SELECT count(*) FROM register_holder h JOIN register_work"
                        " w ON w.id = h.work_id WHERE w.title = 'Hikayat Bulan'") == 3

    # The outbox records the import built in SQL are the events filing's own builder makes of
    # the stored works: decoded by the contracts' codec, the same work state and version.
    assert await built_in_sql_as_in_python(filing_db) == 6

    # An imported writer's name finds the works that name them, as a filed party's does.
    async with gateway() as gw:
        found = await gw.post("{ works(filter: {text: \"malee srisuk\"}) "
                              "{ edges { node { title } } } }", token=token)
    assert found.json().get("data"), found.text
    titles = [e["node"]["title"] for e in found.json()["data"]["works"]["edges"]]
    assert {"Hikayat Bulan", "anh trang, le loi!"} <= set(titles), found.text

    # Each party the works name is told once, of the import, with its counts; none of the
    # imported works notifies anybody on its own.
    notifications_db = services.databases["notifications"]
    malee = await scalar(filing_db, "SELECT id FROM party WHERE name = 'Malee Srisuk'")
    an = await scalar(filing_db, "SELECT id FROM party WHERE name = $1", "Nguyễn Văn An")

    async def told() -> list[Any] | None:
        rows = await _rows(notifications_db, "SELECT recipient_id, event_type, message FROM "
                           "notification WHERE event_type LIKE '%import.completed%'")
        return rows if len(rows) == 3 else None

    entries = await eventually(told, 30, what="one import.completed per party")
    assert {r["recipient_id"] for r in entries} == {uuid.UUID(filer), malee, an}
    by_party = {r["recipient_id"]: r["message"] for r in entries}
    assert ("on 6 works: 1 registered, 1 under review, 1 rejected, 3 awaiting co-owners' "
            "consent") in by_party[uuid.UUID(filer)]
    assert ("on 2 works: 0 registered, 0 under review, 0 rejected, 2 awaiting co-owners' "
            "consent") in by_party[malee]
    assert await scalar(notifications_db, "SELECT count(*) FROM notification WHERE event_type "
                        "LIKE '%filing.work.%'") == 0

    # The same files again: nothing changes, every row is counted unchanged.
    before = await counts(filing_db)
    code, output = await run_command(filing_db, *arguments, "--no-parse-in-child")
    assert code == 0, output
    again = json.loads(summary.read_text())
    assert (again["rows_unchanged"], again["works_registered"], again["parties_created"]) == (
        6, 0, 0)
    assert await counts(filing_db) == before


async def test_a_file_with_a_bad_header_changes_nothing_and_names_the_column(
    services: Services, tmp_path: Path
) -> None:
    filing_db = services.databases["filing"]
    filer = await scalar(filing_db, "SELECT id::text FROM party LIMIT 1")
    works = write(tmp_path / "works.csv", ["row_key", "title", "kind", "country", "holders"], [])
    before = await counts(filing_db)
    code, output = await run_command(filing_db, "--works", str(works), "--filer", str(filer),
                                     "--report", str(tmp_path / "errors.csv"))
    assert code == 2
    assert "country" in output
    assert await counts(filing_db) == before


async def _rows(url: str, sql: str) -> list[Any]:
    conn = await asyncpg.connect(plain(url), ssl=False)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


IMPORT = """mutation ($works: Upload!, $parties: Upload, $format: ImportFormat) {
  importWorks(works: $works, parties: $parties, format: $format) {
    result { importId worksRegistered worksUnderReview worksRejected worksAwaitingConsent
             rowsRejected
             rowsUnchanged partiesCreated reportUrl }
    errors { code message field } } }"""


async def upload(gw: Gateway, token: str, works: tuple[str, bytes],
                 parties: tuple[str, bytes] | None = None, file_format: str = "CSV") -> Any:
    """The GraphQL multipart request spec: operations, map, then the files."""
    variables: dict[str, Any] = {"works": None, "parties": None, "format": file_format}
    mapping = {"0": ["variables.works"]}
    files = {"0": (works[0], works[1], "text/csv")}
    if parties is not None:
        mapping["1"] = ["variables.parties"]
        files["1"] = (parties[0], parties[1], "text/csv")
    return await gw.client.post(
        "/graphql",
        data={"operations": json.dumps({"query": IMPORT, "variables": variables}),
              "map": json.dumps(mapping)},
        files=files,
        headers={"authorization": f"Bearer {token}"},
    )


async def test_a_signed_in_party_uploads_files_through_graphql_and_downloads_its_report(
    services: Services,
    gateway: Callable[..., AbstractAsyncContextManager[Gateway]],
    identities: Identities,
    tmp_path: Path,
) -> None:
    async with gateway() as gw:
        filer, token = await register(gw, identities, "Lagu Nusantara")
        _other, other_token = await register(gw, identities, "Someone Else")
        parties, works = files(tmp_path, filer)
        # Its own ISWC and ISBN: the first test's import holds the shared ones.
        text = works.read_text(encoding="utf-8").replace(ISWC, "T-123.456.789-4").replace(
            ISBN, "9789810000004")
        answer = await upload(gw, token, ("works.csv", text.encode()),
                              ("parties.csv", parties.read_bytes()))
        assert answer.status_code == 200, answer.text
        payload = answer.json()["data"]["importWorks"]
        assert payload["errors"] == []
        result = payload["result"]
        assert (result["worksRegistered"], result["worksUnderReview"], result["worksRejected"],
                result["worksAwaitingConsent"], result["rowsRejected"],
                result["partiesCreated"]) == (1, 1, 1, 3, 4, 2)

        # The report, for the same party's token only.
        report = await gw.client.get(result["reportUrl"],
                                     headers={"authorization": f"Bearer {token}"})
        assert report.status_code == 200, report.text
        assert report.headers["content-type"].startswith("text/csv")
        lines = list(csv.reader(report.text.splitlines()))
        assert lines[0] == ["row", "field", "reason"]
        assert {(row, field) for row, field, _ in lines[1:]} == {
            ("4", "parties.ipi_name_number"), ("3", "iswc"), ("7", "holders"), ("8", "holders")}
        other = await gw.client.get(result["reportUrl"],
                                    headers={"authorization": f"Bearer {other_token}"})
        assert other.status_code == 404

        # The same upload again changes nothing.
        before = await counts(services.databases["filing"])
        again = (await upload(gw, token, ("works.csv", text.encode()),
                              ("parties.csv", parties.read_bytes()))).json()
        assert again["data"]["importWorks"]["result"]["rowsUnchanged"] == 6
        assert await counts(services.databases["filing"]) == before

        # A bad header: a clear error naming the column, and nothing changed.
        bad = (await upload(gw, token, ("works.csv", b"row_key,title,colour\n"))).json()
        assert bad["data"]["importWorks"]["result"] is None
        assert bad["data"]["importWorks"]["errors"][0]["field"] == "colour"
        assert await counts(services.databases["filing"]) == before


async def test_a_cwr_file_uploaded_through_graphql_imports_its_works_and_writers(
    services: Services,
    gateway: Callable[..., AbstractAsyncContextManager[Gateway]],
    identities: Identities,
) -> None:
    from decimal import Decimal

    from tests.cwr_files import CwrWork, CwrWriter, write_cwr

    writers = [CwrWriter("A1", "SRISUK", "MALEE", "00000000297", Decimal("0.5"))]
    text = write_cwr([CwrWork("W1", "RAK NAI KRUNGTHEP", writers, Decimal("0.5")),
                      CwrWork("W2", "FON TOK", writers, Decimal("0.5"), iswc="T0000000010")],
                     version="3.0")
    async with gateway() as gw:
        _filer, token = await register(gw, identities, "Siam Songs Publishing")
        answer = await upload(gw, token, ("works.v30", text.encode()), file_format="CWR")
    assert answer.json()["data"] is not None, answer.text
    payload = answer.json()["data"]["importWorks"]
    assert payload["errors"] == []
    result = payload["result"]
    # Each work names its writer besides the publisher that imports it: both wait for the
    # writer's consent (DOMAIN.md, "Co-owners' consent to a filing").
    assert (result["worksAwaitingConsent"], result["partiesCreated"]) == (2, 1)
    name = await scalar(services.databases["filing"], "SELECT name FROM party p JOIN "
                        "rights_holder h ON h.party_id = p.id JOIN work w ON w.id = h.work_id "
                        "WHERE w.title = 'FON TOK' AND h.role = 'COMPOSER'")
    assert name == "MALEE SRISUK"


async def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    gateway: Callable[..., AbstractAsyncContextManager[Gateway]], identities: Identities,
) -> None:
    async with gateway(max_upload_bytes=1000) as gw:
        _filer, token = await register(gw, identities, "Big Files Ltd")
        answer = await upload(gw, token, ("works.csv", b"x" * 2000))
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"
