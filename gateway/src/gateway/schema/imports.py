"""The bulk import of a file a signed-in party uploads (`importWorks`, GraphQL multipart
request spec): streamed on to filing, answered with its counts and the address of its error
report on this gateway (`GET /imports/{id}/errors` with the same token)."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from gateway.backends import Backends
from gateway.context import GatewayContext
from gateway.errors import UserError
from gateway.replies import ImportReply
from gateway.schema.common import FromReply, UserErrorType, command

REPORT_PATH = "/imports/{import_id}/errors"


@strawberry.enum
class ImportFormat(Enum):
    CSV = "csv"
    CWR = "cwr"


@strawberry.type
class ImportResult(FromReply):
    import_id: strawberry.ID
    works_registered: int
    works_under_review: int
    works_rejected: int
    rows_rejected: int
    rows_unchanged: int
    parties_created: int
    parties_unchanged: int
    report_url: str = strawberry.field(
        description="the error report (CSV: row, field, reason) on this gateway: GET it with "
        "the same bearer token"
    )
    works_awaiting_consent: int = strawberry.field(
        default=0, description="works naming other parties, waiting for their consent"
    )


@strawberry.type
class ImportPayload:
    result: ImportResult | None
    errors: list[UserErrorType]


def _file(upload: Any, field: str) -> tuple[str, Any, str]:
    if not hasattr(upload, "file"):
        raise UserError("INVALID_INPUT", f"{field} must be a file", field)
    name = getattr(upload, "filename", None) or field
    return name, upload.file, getattr(upload, "content_type", None) or "text/csv"


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="Imports works (and, from CSV, parties) from the uploaded files as the "
        "caller's party (DOMAIN.md, Bulk import). Re-importing a file changes nothing."
    )
    async def import_works(
        self,
        info: Info[GatewayContext, None],
        works: Upload,
        parties: Upload | None = None,
        format: ImportFormat = ImportFormat.CSV,
    ) -> ImportPayload:
        async def send(backends: Backends) -> ImportReply:
            files = {"works": _file(works, "works")}
            if parties is not None:
                files["parties"] = _file(parties, "parties")
            return await backends.filing.import_works(
                files, file_format=format.value,
                timeout=info.context.settings.import_timeout_seconds,
            )  # fmt: skip

        reply, errors = await command(info, send)
        if reply is None:
            return ImportPayload(result=None, errors=errors)
        report = REPORT_PATH.format(import_id=reply["import_id"])
        return ImportPayload(result=ImportResult.of({**reply, "report_url": report}), errors=[])
