"""Collecting societies' formats (DOMAIN.md, "Collecting societies: CWR out,
acknowledgements in"): `exportCwr` makes a society's CWR file (downloaded from this gateway,
`GET /cwr-files/{id}` with the same token), `importCwrAcknowledgements` applies its ACK file,
and each work's `societyRegistrations` show what every society was sent and answered."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from gateway.backends import Backends
from gateway.context import GatewayContext
from gateway.schema.common import FromReply, UserErrorType, command
from gateway.schema.imports import _file

DOWNLOAD_PATH = "/cwr-files/{file_id}"


@strawberry.type
class CwrFile(FromReply):
    id: strawberry.ID
    name: str
    society: str
    works: int
    new_works: int
    revised_works: int
    download_url: str = strawberry.field(
        description="the file on this gateway: GET it with the same bearer token"
    )


@strawberry.type
class CwrExportPayload:
    file: CwrFile | None = strawberry.field(description="null when there was nothing to send")
    errors: list[UserErrorType]


@strawberry.type
class AckImportResult(FromReply):
    society: str
    acknowledged: int
    unchanged: int
    unknown: list[str] = strawberry.field(description="lines naming no work sent to it")


@strawberry.type
class AckImportPayload:
    result: AckImportResult | None
    errors: list[UserErrorType]


@strawberry.type
class SocietyRegistration(FromReply):
    society: str = strawberry.field(description="the society's CISAC code")
    work_version: int
    transaction: str = strawberry.field(description="NWR (first registration) or REV")
    file_name: str
    sent_at: datetime.datetime
    status: str | None = strawberry.field(
        description="ACCEPTED, ACCEPTED_WITH_CHANGES, CONFLICT, REJECTED, NO_PARTICIPATION; "
        "null until the society acknowledges"
    )
    cwr_status: str | None
    society_work_id: str | None
    assigned_iswc: str | None
    acknowledged_at: datetime.datetime | None


async def society_registrations(info: Info[GatewayContext, None], work_id: str) -> list[
    SocietyRegistration
]:
    found = await info.context.backends.filing.society_registrations(work_id)
    return [SocietyRegistration.of(r) for r in found]


@strawberry.type
class SocietyMutation:
    @strawberry.mutation(
        description="Makes a society's next CWR 2.1 file: its members' works new to it or "
        "changed since its last file (`everything`: all of them). Examiners and societies."
    )
    async def export_cwr(
        self, info: Info[GatewayContext, None], society: str, everything: bool = False
    ) -> CwrExportPayload:
        async def send(backends: Backends) -> Any:
            return await backends.filing.export_cwr(society, everything=everything)

        reply, errors = await command(info, send)
        if reply is None or reply.get("file") is None:
            return CwrExportPayload(file=None, errors=errors)
        made = reply["file"]
        url = DOWNLOAD_PATH.format(file_id=made["id"])
        return CwrExportPayload(file=CwrFile.of({**made, "download_url": url}), errors=[])

    @strawberry.mutation(
        description="Applies a society's CWR acknowledgement (ACK) file: each work's society "
        "id, status and assigned ISWC. Re-sending it changes nothing."
    )
    async def import_cwr_acknowledgements(
        self, info: Info[GatewayContext, None], file: Upload, society: str | None = None
    ) -> AckImportPayload:
        async def send(backends: Backends) -> Any:
            return await backends.filing.import_ack(
                {"file": _file(file, "file")}, society=society,
                timeout=info.context.settings.import_timeout_seconds,
            )  # fmt: skip

        reply, errors = await command(info, send)
        if reply is None:
            return AckImportPayload(result=None, errors=errors)
        return AckImportPayload(result=AckImportResult.of(reply), errors=[])
