"""Usage reports and royalty statements: read through their licence (visible exactly when it
is), and the licensee's one command, reporting usage."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Awaitable

import strawberry

from gateway.access import load_visible_licence
from gateway.backends import Backends
from gateway.replies import UsageOutcomeReply
from gateway.schema.common import (
    FromReply,
    Info,
    UserErrorType,
    command,
    present,
    require_id,
)
from gateway.schema.inputs import ReportUsageInput, idempotency_key, usage_body
from gateway.schema.licences import Licence, visible_licence_id
from gateway.schema.parties import Party, require_party


@strawberry.type
class UsageReport(FromReply):
    id: strawberry.ID
    period_start: datetime.date
    period_end: datetime.date
    units: int
    gross_revenue: decimal.Decimal



@strawberry.type
class StatementLine:
    share: decimal.Decimal
    amount: decimal.Decimal
    party_id: strawberry.Private[str]

    @strawberry.field(graphql_type=Party)
    def party(self, info: Info) -> Party | Awaitable[Party]:
        return require_party(info, self.party_id)


@strawberry.type
class RoyaltyStatement(FromReply):
    id: strawberry.ID
    period_start: datetime.date
    period_end: datetime.date
    gross: decimal.Decimal
    royalty: decimal.Decimal
    recouped: decimal.Decimal
    payable: decimal.Decimal
    currency: str
    lines: list[StatementLine]
    issued_at: datetime.datetime
    licence_id: strawberry.Private[str]


    @strawberry.field
    async def licence(self, info: Info) -> Licence:
        # Statements are only read through a visible licence: an invisible one means a
        # service answered what it should not.
        data = await load_visible_licence(info.context, self.licence_id)
        return Licence.of(present(data, f"statement {self.id} of an invisible licence"))



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

