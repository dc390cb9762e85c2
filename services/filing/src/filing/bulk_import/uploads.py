"""The bulk import of a file a signed-in party uploads (`POST /imports`): run as the party
(the caller is the filer), its summary and error report stored for the same party to read
back (`GET /imports/{id}/errors`, CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO
from uuid import UUID, uuid4

import asyncpg
from contracts.errors import InvalidInput, NotFound
from runtime.db import connect_args

from filing.bulk_import import cwr, files
from filing.bulk_import.importer import BulkImport, ImportSummary
from filing.domain.bulk import RowError

FORMATS = ("csv", "cwr")
# Report lines read back per round trip when the report is downloaded.
REPORT_PAGE = 5000


class UploadTooLarge(InvalidInput):
    code = "UPLOAD_TOO_LARGE"


@dataclass(frozen=True)
class BulkImportPolicy:
    """The settings an upload runs with (`FILING_BULK_IMPORT_*`, FILING_DATABASE_URL)."""

    database_url: str
    chunk_size: int
    max_bytes: int
    # Days a row naming another party waits for its consent (FILING_CONSENT_DAYS).
    consent_days: int = 14

    def check_size(self, declared: str | None) -> None:
        """An upload states its length up front, within the limit; nothing is read before."""
        if declared is None or not declared.isdigit():
            raise InvalidInput("an upload must state its Content-Length", field="Content-Length")
        if int(declared) > self.max_bytes:
            raise UploadTooLarge(
                f"the upload is over {self.max_bytes} bytes (FILING_BULK_IMPORT_MAX_BYTES)",
                field="Content-Length",
            )

    async def connect(self) -> asyncpg.Connection:
        url = self.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        return await asyncpg.connect(url, **connect_args(self.database_url))


class StoredReport:
    """The report lines of a chunk, stored once the chunk has committed."""

    def __init__(self, conn: asyncpg.Connection, import_id: UUID) -> None:
        self.conn, self.import_id = conn, import_id
        self.pending: list[tuple[UUID, int, str, str]] = []

    def __call__(self, error: RowError) -> None:
        self.pending.append((self.import_id, error.row, error.field, error.reason))

    async def flush(self) -> None:
        if self.pending:
            await self.conn.copy_records_to_table(
                "bulk_import_error", columns=("import_id", "row", "field", "reason"),
                records=self.pending,
            )
            self.pending = []


async def import_upload(
    *,
    policy: BulkImportPolicy,
    filer: UUID,
    works: BinaryIO,
    parties: BinaryIO | None,
    file_format: str,
) -> ImportSummary:
    """Imports the uploaded files as `filer`, read a row at a time from the spooled upload."""
    if file_format not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}", field="format")
    if file_format == "cwr" and parties is not None:
        raise InvalidInput("a CWR file carries its own parties", field="parties")
    import_id = uuid4()
    conn = await policy.connect()
    try:
        report = StoredReport(conn, import_id)
        importer = BulkImport(
            conn, filer=filer, on_error=report, chunk_size=policy.chunk_size,
            import_id=import_id, after_chunk=report.flush, consent_days=policy.consent_days,
        )
        country = await importer.check_filer()
        # Every header is checked before a row is written: a bad file changes nothing.
        if file_format == "cwr":
            first_pass = files.text_stream(works)
            party_rows = files.opened(cwr.parties_in(first_pass, country=country))
        else:
            work_rows = files.opened(files.works_rows(files.text_stream(works)))
            party_rows = (
                files.opened(files.parties_rows(files.text_stream(parties)))
                if parties
                else iter(())
            )
        await conn.execute(
            "INSERT INTO bulk_import (id, filed_by, started_at) VALUES ($1, $2, $3)",
            import_id, filer, datetime.now(UTC),
        )
        await importer.import_parties(party_rows)
        if file_format == "cwr":
            first_pass.detach()  # the second pass reads the same upload from its start
            works.seek(0)
            work_rows = cwr.works_rows(files.text_stream(works), filer=filer, country=country)
        await importer.import_works(work_rows)
        summary = await importer.finish()
        await conn.execute(
            "UPDATE bulk_import SET finished_at = $2, summary = $3::jsonb WHERE id = $1",
            import_id, datetime.now(UTC), _json(summary),
        )
        return summary
    finally:
        await conn.close()


def _json(summary: ImportSummary) -> str:
    return json.dumps(summary.as_json())


async def error_report(
    *, policy: BulkImportPolicy, caller: UUID, import_id: UUID
) -> AsyncIterator[bytes]:
    """The import's report as CSV (row, field, reason), a page at a time; an import that is
    not the caller's answers as if it did not exist."""
    conn = await policy.connect()
    filed_by = await conn.fetchval("SELECT filed_by FROM bulk_import WHERE id = $1", import_id)
    if filed_by != caller:
        await conn.close()
        raise NotFound(f"no import {import_id}", field="import_id")

    async def lines() -> AsyncIterator[bytes]:
        try:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(files.REPORT_HEADER)
            after = 0
            while True:
                rows = await conn.fetch(
                    "SELECT id, row, field, reason FROM bulk_import_error WHERE import_id = $1 "
                    "AND id > $2 ORDER BY id LIMIT $3", import_id, after, REPORT_PAGE,
                )
                writer.writerows((r["row"], r["field"], r["reason"]) for r in rows)
                yield out.getvalue().encode("utf-8")
                out.seek(0)
                out.truncate()
                if len(rows) < REPORT_PAGE:
                    return
                after = rows[-1]["id"]
        finally:
            await conn.close()

    return lines()
