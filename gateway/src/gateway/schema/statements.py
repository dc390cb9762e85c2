"""Usage reports and royalty statements: read through their licence (visible exactly when it
is), and the licensee's one command, reporting usage."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import AsyncIterator, Awaitable, Mapping
from enum import Enum
from typing import Annotated, Any, Self

import strawberry
from strawberry.file_uploads import Upload

from gateway.access import load_visible_licence
from gateway.backends import Backends
from gateway.errors import UserError
from gateway.replies import StatementReply, UsageFileReply, UsageLineReply, UsageOutcomeReply
from gateway.schema.common import (
    FromReply,
    Info,
    UserErrorType,
    command,
    from_reply,
    present,
    require_id,
)
from gateway.schema.enums import StatementKind
from gateway.schema.inputs import (
    IDEMPOTENCY_KEY,
    ReportUsageInput,
    ReportUsageLinesInput,
    idempotency_key,
    usage_body,
    usage_lines_body,
)
from gateway.schema.licences import Licence, visible_licence_id
from gateway.schema.parties import Party, require_party


@strawberry.type
class UsageReport(FromReply):
    id: strawberry.ID
    period_start: datetime.date
    period_end: datetime.date
    units: int
    gross_revenue: decimal.Decimal
    usage_file: str | None = strawberry.field(
        description="a line report's: the key of the usage file (or batch) of its lines"
    )

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Self:
        # A service from before line reports answers without the field: none.
        return from_reply(cls, data, usage_file=data.get("usage_file"))


@strawberry.type
class StatementLine:
    share: decimal.Decimal
    amount: decimal.Decimal
    party_id: strawberry.Private[str]
    held: bool = strawberry.field(
        default=False,
        description="held in suspense while the work is disputed: not payable until released",
    )

    @strawberry.field(graphql_type=Party)
    def party(self, info: Info) -> Party | Awaitable[Party]:
        return require_party(info, self.party_id)


@strawberry.type(description="A usage line a line report's statement pays for.")
class StatementUsageLine(FromReply):
    line_id: strawberry.ID
    line_key: str
    work_id: strawberry.ID
    units: int
    revenue: decimal.Decimal
    royalty: decimal.Decimal


@strawberry.enum
class PaymentStatus(Enum):
    UNPAID = "UNPAID"
    PAID = "PAID"
    NOTHING_DUE = "NOTHING_DUE"


@strawberry.type(
    description="Whether the licensee paid the statement: UNPAID, PAID (with the date, its "
    "reference and the amount) or NOTHING_DUE (payable zero or less)."
)
class StatementPayment(FromReply):
    status: PaymentStatus
    paid_on: datetime.date | None
    reference: str | None
    amount: decimal.Decimal | None
@strawberry.type(description="The payment an ADVANCE statement records, as the licensee gave it.")
class AdvancePayment(FromReply):
    paid_on: datetime.date
    reference: str


@strawberry.type
class RoyaltyStatement(FromReply):
    id: strawberry.ID
    kind: StatementKind = strawberry.field(
        default=StatementKind.ROYALTY,
        description="ROYALTY (a usage report's), ADVANCE (an advance paid: its period is the "
        "payment date), TRUE_UP (a minimum guarantee's shortfall, owed by the licensee), "
        "RELEASE (released from suspense)",
    )
    period_start: datetime.date
    period_end: datetime.date
    gross: decimal.Decimal
    royalty: decimal.Decimal
    recouped: decimal.Decimal
    payable: decimal.Decimal
    currency: str
    lines: list[StatementLine]
    usage_lines: list[StatementUsageLine] | None = strawberry.field(
        description="a line report's statement: each usage line, its revenue and royalty"
    )
    issued_at: datetime.datetime
    advance_payment: AdvancePayment | None = strawberry.field(
        default=None, description="an ADVANCE statement's payment: its date and reference"
    )
    licence_id: strawberry.Private[str]
    held: bool = strawberry.field(
        default=False, description="issued while the work was disputed: its lines are held"
    )
    released_by: strawberry.ID | None = strawberry.field(
        default=None, description="a held statement's release, once the dispute is resolved"
    )
    releases: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="a RELEASE statement's: the held statements it pays"
    )
    payment: StatementPayment | None = strawberry.field(
        default=None, description="its payment status (the ledger's)"
    )

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Self:
        # A service from before line reports answers without the field: none.
        usage = data.get("usage_lines")
        lines = None if usage is None else [StatementUsageLine.of(u) for u in usage]
        return from_reply(cls, data, usage_lines=lines)


    @strawberry.field
    async def licence(self, info: Info) -> Licence:
        # Statements are only read through a visible licence: an invisible one means a
        # service answered what it should not.
        data = await load_visible_licence(info.context, self.licence_id)
        return Licence.of(present(data, f"statement {self.id} of an invisible licence"))



@strawberry.type
class StatementPayload:
    statement: RoyaltyStatement | None
    errors: list[UserErrorType]


# DOMAIN.md, "Advances and minimum guarantees": a payment reference's length.
MAX_REFERENCE = 200


@strawberry.type
class UsageReportPayload:
    report: UsageReport | None
    statement: RoyaltyStatement | None
    errors: list[UserErrorType]



@strawberry.type
class StatementMutation:
    @strawberry.mutation(description="Answers with the statement.")
    async def report_usage(self, info: Info, input: ReportUsageInput) -> UsageReportPayload:
        async def send(backends: Backends) -> UsageOutcomeReply:
            lid = require_id(input.licence_id, "licenceId")
            body = usage_body(input)  # its errors before the visibility check's
            key = idempotency_key(input.idempotency_key)
            return await backends.licensing.report_usage(
                await visible_licence_id(info, lid), body, key
            )

        result, errors = await command(info, send)
        if result is None:
            return UsageReportPayload(report=None, statement=None, errors=errors)
        return UsageReportPayload(
            report=UsageReport.of(result["report"]),
            statement=RoyaltyStatement.of(result["statement"]),
            errors=[],
        )

    @strawberry.mutation(
        description="The licensee records the licence's advance as paid (once): answers with "
        "the ADVANCE statement splitting it among the owners."
    )
    async def record_advance_payment(
        self, info: Info, licence_id: strawberry.ID, paid_on: datetime.date, reference: str,
        key: Annotated[
            str | None, strawberry.argument(name="idempotencyKey", description=IDEMPOTENCY_KEY)
        ] = None,
    ) -> StatementPayload:
        async def send(backends: Backends) -> StatementReply:
            lid = require_id(licence_id, "licenceId")
            if not 1 <= len(reference.strip()) <= MAX_REFERENCE:
                raise UserError(
                    "INVALID_INPUT", f"reference: 1 to {MAX_REFERENCE} characters", "reference"
                )
            return await backends.licensing.record_advance_payment(
                await visible_licence_id(info, lid),
                {"paid_on": paid_on.isoformat(), "reference": reference},
                idempotency_key(key),
            )

        result, errors = await command(info, send)
        statement = None if result is None else RoyaltyStatement.of(result)
        return StatementPayload(statement=statement, errors=errors)



# --- usage lines (DOMAIN.md, "Usage lines and matching") ---------------------------------------


@strawberry.enum
class UsageFileFormat(Enum):
    CSV = "CSV"
    DSR = "DSR"


@strawberry.type
class UsageLineError(FromReply):
    line: int
    field: str
    reason: str


@strawberry.type(
    description="What a usage file (or batch) did: its lines by matching method and by "
    "outcome, and the error report (line, field, reason)."
)
class UsageFileResult:
    usage_file: str
    received: int
    duplicates: int
    refused: int
    errors: list[UsageLineError]
    matched_by_isrc: int
    matched_by_iswc: int
    matched_fuzzy: int
    unmatched: int
    stated: int
    unlicensed: int
    queued: int

    @classmethod
    def of(cls, reply: UsageFileReply) -> UsageFileResult:
        methods, statuses = reply["methods"], reply["statuses"]
        return cls(
            usage_file=reply["usage_file"], received=reply["received"],
            duplicates=reply["duplicates"], refused=reply["refused"],
            errors=[UsageLineError.of(e) for e in reply["errors"]],
            matched_by_isrc=methods.get("ISRC", 0), matched_by_iswc=methods.get("ISWC", 0),
            matched_fuzzy=methods.get("FUZZY", 0), unmatched=methods.get("UNMATCHED", 0),
            stated=statuses.get("STATED", 0), unlicensed=statuses.get("UNLICENSED", 0),
            queued=statuses.get("QUEUED", 0),
        )  # fmt: skip


@strawberry.type
class UsageFilePayload:
    result: UsageFileResult | None
    errors: list[UserErrorType]


@strawberry.type(
    description="A reported usage line: QUEUED (waiting for an owner's claim, with a "
    "candidate work when one scored for review), STATED or UNLICENSED."
)
class UsageLine(FromReply):
    id: strawberry.ID
    usage_file: str
    line_key: str
    isrc: str | None
    iswc: str | None
    title: str
    writers: list[str]
    performers: list[str]
    units: int
    revenue: decimal.Decimal | None = strawberry.field(
        description="shown to the licensee, examiners and societies only"
    )
    currency: str
    territory: str
    period_start: datetime.date
    period_end: datetime.date
    status: str
    work_id: strawberry.ID | None = strawberry.field(description="matched, or the candidate")
    method: str | None = strawberry.field(description="ISRC, ISWC, FUZZY or CLAIM")
    confidence: decimal.Decimal | None
    licence_id: strawberry.ID | None
    royalty: decimal.Decimal | None
    matched_at: datetime.datetime | None
    claimed_by: strawberry.ID | None


@strawberry.type
class UsageLinePayload:
    line: UsageLine | None
    errors: list[UserErrorType]


@strawberry.type
class UsageLineQueue:
    nodes: list[UsageLine]
    next_cursor: str | None


MAX_QUEUE_PAGE = 100


@strawberry.type
class StatementQuery:
    @strawberry.field(
        description="Usage lines waiting for a claim, oldest first: all of them to owners, "
        "examiners and societies; with `own`, the caller's own lines as licensee."
    )
    async def usage_line_queue(
        self, info: Info, first: int = 20, after: str | None = None, own: bool = False
    ) -> UsageLineQueue:
        if not 1 <= first <= MAX_QUEUE_PAGE:
            raise UserError("INVALID_INPUT", f"first: 1 to {MAX_QUEUE_PAGE}", "first")
        ctx = info.context
        ctx.require_principal()
        page = await ctx.backends.licensing.usage_line_queue(first=first, after=after, own=own)
        return UsageLineQueue(
            nodes=[UsageLine.of(r) for r in page["items"]], next_cursor=page["next_cursor"]
        )


@strawberry.type
class UsageLineMutation:
    @strawberry.mutation(description="Reports usage lines by API; each is matched to a work.")
    async def report_usage_lines(
        self, info: Info, input: ReportUsageLinesInput
    ) -> UsageFilePayload:
        async def send(backends: Backends) -> UsageFileReply:
            return await backends.licensing.report_usage_lines(usage_lines_body(input))

        reply, errors = await command(info, send)
        return UsageFilePayload(
            result=None if reply is None else UsageFileResult.of(reply), errors=errors
        )

    @strawberry.mutation(
        description="Uploads a usage file (CSV, or a DSR flat file) as the caller's party, the "
        "licensee (GraphQL multipart request spec). The same file again changes nothing."
    )
    async def upload_usage_file(
        self,
        info: Info,
        file: Upload,
        format: UsageFileFormat = UsageFileFormat.CSV,
        file_key: str | None = None,
    ) -> UsageFilePayload:
        async def send(backends: Backends) -> UsageFileReply:
            if not hasattr(file, "read"):
                raise UserError("INVALID_INPUT", "file must be a file", "file")
            return await backends.licensing.upload_usage_file(
                _chunks(file), file_format=format.value, file_key=file_key,
                timeout=info.context.settings.import_timeout_seconds,
            )  # fmt: skip

        reply, errors = await command(info, send)
        return UsageFilePayload(
            result=None if reply is None else UsageFileResult.of(reply), errors=errors
        )

    @strawberry.mutation(
        description="Claims a queued usage line for a work the caller owns: the line is "
        "matched (method CLAIM) and its royalty stated."
    )
    async def claim_usage_line(
        self, info: Info, line_id: strawberry.ID, work_id: strawberry.ID
    ) -> UsageLinePayload:
        async def send(backends: Backends) -> UsageLineReply:
            return await backends.licensing.claim_usage_line(
                require_id(line_id, "lineId"), require_id(work_id, "workId")
            )

        reply, errors = await command(info, send)
        return UsageLinePayload(line=None if reply is None else UsageLine.of(reply), errors=errors)


async def _chunks(upload: Any) -> AsyncIterator[bytes]:
    """The uploaded file in pieces, passed on as they are read (never whole in memory)."""
    while chunk := await upload.read(UPLOAD_CHUNK):
        yield chunk


UPLOAD_CHUNK = 64 * 1024
