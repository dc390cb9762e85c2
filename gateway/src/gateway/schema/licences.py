"""Licences, their usage reports, royalty statements and timeline: visible to the licensee, the
work's owners, examiners and collecting societies only."""

from __future__ import annotations

import asyncio
import datetime
import decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.access import load_visible_licence, may_see_notification, visible_licences
from gateway.backends import Json
from gateway.context import GatewayContext
from gateway.errors import BackendFailure
from gateway.schema.common import Info, PageInfo, fetch_page, to_date, to_datetime, to_decimal
from gateway.schema.enums import LicenceStatus, Medium
from gateway.schema.parties import Party, require_party
from gateway.timeline import merge_timeline

if TYPE_CHECKING:
    from gateway.schema.works import Work


@strawberry.type
class Terms:
    territories: list[str] = strawberry.field(description="expanded ISO 3166-1 alpha-2 codes")
    media: list[Medium]
    exclusive: bool
    start: datetime.date
    end: datetime.date | None
    royalty_rate: decimal.Decimal
    advance: decimal.Decimal
    currency: str


@strawberry.type
class UsageReport:
    id: strawberry.ID
    period_start: datetime.date
    period_end: datetime.date
    units: int
    gross_revenue: decimal.Decimal

    @classmethod
    def of(cls, data: Json) -> UsageReport:
        return cls(
            id=strawberry.ID(str(data["id"])),
            period_start=to_date(data["period_start"]),  # type: ignore[arg-type]
            period_end=to_date(data["period_end"]),  # type: ignore[arg-type]
            units=int(data["units"]),
            gross_revenue=to_decimal(data["gross_revenue"]),
        )


@strawberry.type
class StatementLine:
    share: decimal.Decimal
    amount: decimal.Decimal
    party_id: strawberry.Private[str]

    @strawberry.field
    async def party(self, info: Info) -> Party:
        return await require_party(info, self.party_id)


@strawberry.type
class RoyaltyStatement:
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

    @classmethod
    def of(cls, data: Json) -> RoyaltyStatement:
        return cls(
            id=strawberry.ID(str(data["id"])),
            period_start=to_date(data["period_start"]),  # type: ignore[arg-type]
            period_end=to_date(data["period_end"]),  # type: ignore[arg-type]
            gross=to_decimal(data["gross"]),
            royalty=to_decimal(data["royalty"]),
            recouped=to_decimal(data["recouped"]),
            payable=to_decimal(data["payable"]),
            currency=data["currency"],
            lines=[
                StatementLine(
                    share=to_decimal(line["share"]),
                    amount=to_decimal(line["amount"]),
                    party_id=str(line["party_id"]),
                )
                for line in data.get("lines", [])
            ],
            issued_at=to_datetime(data["issued_at"]),  # type: ignore[arg-type]
            licence_id=str(data["licence_id"]),
        )

    @strawberry.field
    async def licence(self, info: Info) -> Licence:
        data = await load_visible_licence(info.context, self.licence_id)
        if data is None:
            # Statements are only read through a visible licence; this cannot be reached
            # without a service answering what it should not.
            raise BackendFailure(f"statement {self.id} of an invisible licence")
        return Licence.of(data)


@strawberry.type
class TimelineEvent:
    at: datetime.datetime
    source: str
    type: str
    summary: str


@strawberry.type
class Licence:
    id: strawberry.ID
    status: LicenceStatus
    status_reason: str | None = strawberry.field(description="why it was declined or ended")
    terms: Terms
    work_id: strawberry.Private[str]
    licensor_id: strawberry.Private[str]
    licensee_id: strawberry.Private[str]

    @classmethod
    def of(cls, data: Json) -> Licence:
        terms = data["terms"]
        return cls(
            id=strawberry.ID(str(data["id"])),
            status=LicenceStatus(data["status"]),
            status_reason=data.get("status_reason"),
            terms=Terms(
                territories=list(terms["territories"]),
                media=[Medium(m) for m in terms["media"]],
                exclusive=bool(terms["exclusive"]),
                start=to_date(terms["start"]),  # type: ignore[arg-type]
                end=to_date(terms.get("end")),
                royalty_rate=to_decimal(terms["royalty_rate"]),
                advance=to_decimal(terms.get("advance", "0")),
                currency=terms["currency"],
            ),
            work_id=str(data["work_id"]),
            licensor_id=str(data["licensor_id"]),
            licensee_id=str(data["licensee_id"]),
        )

    @strawberry.field
    async def work(self, info: Info) -> Annotated[Work, strawberry.lazy("gateway.schema.works")]:
        from gateway.schema.works import load_work

        work = await load_work(info.context, self.work_id)
        if work is None:
            raise BackendFailure(f"licence {self.id} names unknown work {self.work_id}")
        return work

    @strawberry.field
    async def licensor(self, info: Info) -> Party:
        return await require_party(info, self.licensor_id)

    @strawberry.field
    async def licensee(self, info: Info) -> Party:
        return await require_party(info, self.licensee_id)

    @strawberry.field
    async def usage_reports(self, info: Info) -> list[UsageReport]:
        reports = await info.context.loaders.usage_reports.load(str(self.id))
        return [UsageReport.of(r) for r in reports if str(r.get("licence_id", self.id)) == self.id]

    @strawberry.field
    async def statements(self, info: Info) -> list[RoyaltyStatement]:
        statements = await info.context.loaders.statements.load(str(self.id))
        return [RoyaltyStatement.of(s) for s in statements]

    @strawberry.field(
        description="The deal end to end: filing, licence, usage, statements, notifications"
    )
    async def timeline(self, info: Info) -> list[TimelineEvent]:
        ctx = info.context
        loaders = ctx.loaders
        principal = ctx.require_principal()
        history, events, reports, statements, notifications = await asyncio.gather(
            loaders.history.load(self.work_id),
            loaders.licence_events.load(str(self.id)),
            loaders.usage_reports.load(str(self.id)),
            loaders.statements.load(str(self.id)),
            loaders.notifications_by_subject.load(str(self.id)),
        )
        entries = merge_timeline(
            history=history,
            licence_events=events,
            usage_reports=reports,
            statements=statements,
            notifications=[n for n in notifications if may_see_notification(principal, n)],
            currency=self.terms.currency,
        )
        return [
            TimelineEvent(at=e.at, source=e.source, type=e.type, summary=e.summary)
            for e in entries
        ]


@strawberry.type
class LicenceEdge:
    node: Licence
    cursor: str


@strawberry.type
class LicenceConnection:
    edges: list[LicenceEdge]
    page_info: PageInfo
    total_count: int


@strawberry.input
class LicenceFilter:
    work_id: strawberry.ID | None = None
    status: LicenceStatus | None = None
    as_licensee: bool | None = None


async def search_licences(
    ctx: GatewayContext, filters: dict[str, Any], first: int | None, after: str | None
) -> LicenceConnection:
    async def fetch(size: int, service_after: str | None) -> Json:
        return await ctx.backends.licensing.search_licences(
            **filters, first=size, after=service_after
        )

    page = await fetch_page(ctx, fetch, first, after)
    visible = {str(item["id"]) for item in await visible_licences(ctx, page.items)}
    ctx.loaders.prime_licences(page.items)
    return LicenceConnection(
        edges=[
            LicenceEdge(node=Licence.of(item), cursor=cursor)
            for item, cursor in zip(page.items, page.cursors, strict=True)
            if str(item["id"]) in visible
        ],
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        total_count=page.total_count,
    )

