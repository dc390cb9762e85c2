"""Parties, works and licences: the object types of the register and the licensing exchange,
in one module because each links to the others (a party's works, a work's rights holders and
licences, a licence's work, parties and statements).

Parties show only the public part of the register (contact settings never appear here).
Works are the public register (anyone authenticated reads it), with their history and
availability. Licences, their usage reports, royalty statements and timeline are visible to
the licensee, the work's owners, examiners and collecting societies only."""

from __future__ import annotations

import asyncio
import datetime
import decimal
from typing import Any

import strawberry

from gateway.access import load_visible_licence, may_see_notification, visible_licences
from gateway.backends import Json
from gateway.context import GatewayContext
from gateway.errors import BackendFailure, NotFoundError
from gateway.loaders import AvailabilityKey
from gateway.schema.common import Info, PageInfo, fetch_page, to_date, to_datetime, to_decimal
from gateway.schema.enums import LicenceStatus, Medium, PartyKind, Role, WorkKind, WorkStatus
from gateway.timeline import merge_timeline


@strawberry.type
class Party:
    id: strawberry.ID
    name: str
    kind: PartyKind
    country: str
    ipi_name_number: str | None
    isni: str | None

    @classmethod
    def of(cls, data: Json) -> Party:
        return cls(
            id=strawberry.ID(str(data["id"])),
            name=data["name"],
            kind=PartyKind(data["kind"]),
            country=data["country"],
            ipi_name_number=data.get("ipi_name_number"),
            isni=data.get("isni"),
        )

    @strawberry.field
    async def works(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> WorkConnection:
        return await search_works(info.context, {"holder_id": str(self.id)}, first, after)


async def load_party(info: Info, party_id: Any) -> Party | None:
    data = await info.context.loaders.party.load(str(party_id))
    return Party.of(data) if data is not None else None


async def require_party(info: Info, party_id: Any) -> Party:
    """A party another object names: it must exist (the register never forgets parties)."""
    party = await load_party(info, party_id)
    if party is None:
        raise BackendFailure(f"party {party_id} named by a record is not in the register")
    return party


@strawberry.type
class RightsHolder:
    role: Role
    share: decimal.Decimal
    party_id: strawberry.Private[str]

    @strawberry.field
    async def party(self, info: Info) -> Party:
        return await require_party(info, self.party_id)


@strawberry.type
class Identifiers:
    iswc: str | None
    isrc: str | None
    isbn: str | None


@strawberry.type
class HistoryEntry:
    at: datetime.datetime
    action: str
    detail: str | None
    actor_id: strawberry.Private[str | None]

    @strawberry.field
    async def actor(self, info: Info) -> Party | None:
        return await load_party(info, self.actor_id) if self.actor_id else None


@strawberry.type
class Conflict:
    territories: list[str]
    media: list[Medium]
    start: datetime.date
    end: datetime.date | None
    licence_data: strawberry.Private[Json]

    @strawberry.field
    def licence(self) -> Licence:
        return Licence.of(self.licence_data)


@strawberry.type
class Availability:
    available: bool
    conflicts: list[Conflict]


@strawberry.type
class Work:
    id: strawberry.ID
    filing_number: str
    registration_number: str | None
    title: str
    alternate_titles: list[str]
    kind: WorkKind
    status: WorkStatus
    status_reason: str | None = strawberry.field(description="why a work was rejected or held")
    identifiers: Identifiers
    country_of_origin: str
    rights_holders: list[RightsHolder]

    @classmethod
    def of(cls, data: Json) -> Work:
        identifiers = data.get("identifiers") or {}
        return cls(
            id=strawberry.ID(str(data["id"])),
            filing_number=data["filing_number"],
            registration_number=data.get("registration_number"),
            title=data["title"],
            alternate_titles=list(data.get("alternate_titles") or []),
            kind=WorkKind(data["kind"]),
            status=WorkStatus(data["status"]),
            status_reason=data.get("status_reason"),
            identifiers=Identifiers(
                iswc=identifiers.get("iswc"),
                isrc=identifiers.get("isrc"),
                isbn=identifiers.get("isbn") or identifiers.get("isbn13"),
            ),
            country_of_origin=data["country_of_origin"],
            rights_holders=[
                RightsHolder(
                    role=Role(holder["role"]),
                    share=to_decimal(holder["share"]),
                    party_id=str(holder["party_id"]),
                )
                for holder in data.get("rights_holders", [])
            ],
        )

    @strawberry.field
    async def history(self, info: Info) -> list[HistoryEntry]:
        entries = await info.context.loaders.history.load(str(self.id))
        return [
            HistoryEntry(
                at=to_datetime(entry["at"]),  # type: ignore[arg-type]
                action=entry["action"],
                detail=entry.get("detail"),
                actor_id=str(entry["actor_id"]) if entry.get("actor_id") else None,
            )
            for entry in entries
        ]

    @strawberry.field(description="Only the licences the caller may see.")
    async def licences(self, info: Info, status: LicenceStatus | None = None) -> list[Licence]:
        key = (str(self.id), status.value if status is not None else None)
        found = await info.context.loaders.licences_by_work.load(key)
        return [Licence.of(item) for item in await visible_licences(info.context, found)]

    @strawberry.field(
        description="Whether a licence on these terms would be free of conflicts. "
        "Conflicts with licences the caller may not see count, but are not listed."
    )
    async def availability(
        self,
        info: Info,
        territories: list[str],
        media: list[Medium],
        start: datetime.date,
        end: datetime.date | None = None,
        exclusive: bool = False,
    ) -> Availability:
        ctx = info.context
        result = await ctx.loaders.availability.load(
            AvailabilityKey(
                work_id=str(self.id),
                territories=",".join(territories),
                media=",".join(m.value for m in media),
                start=start.isoformat(),
                end=end.isoformat() if end else None,
                exclusive=exclusive,
            )
        )
        if result is None:
            raise NotFoundError(f"no work {self.id}")
        # The service withholds the id of a licence the caller may not see: such a conflict
        # makes the work unavailable but is not listed (a Conflict names its licence).
        listed = [c for c in result.get("conflicts", []) if c.get("licence_id")]
        # Loaded together so the licence lookups are one batched call.
        licences = await asyncio.gather(
            *(load_visible_licence(ctx, str(conflict["licence_id"])) for conflict in listed)
        )
        conflicts = [
            Conflict(
                territories=list(conflict.get("territories", [])),
                media=[Medium(m) for m in conflict.get("media", [])],
                start=to_date(conflict["start"]),  # type: ignore[arg-type]
                end=to_date(conflict.get("end")),
                licence_data=licence,
            )
            for conflict, licence in zip(listed, licences, strict=True)
            if licence is not None
        ]
        return Availability(available=bool(result["available"]), conflicts=conflicts)


@strawberry.type
class WorkEdge:
    node: Work
    cursor: str


@strawberry.type
class WorkConnection:
    edges: list[WorkEdge]
    page_info: PageInfo
    total_count: int


@strawberry.input
class WorkFilter:
    text: str | None = None
    status: WorkStatus | None = None
    kind: WorkKind | None = None
    holder_id: strawberry.ID | None = None
    iswc: str | None = None
    isrc: str | None = None
    isbn: str | None = None


async def search_works(
    ctx: GatewayContext, filters: dict[str, Any], first: int | None, after: str | None
) -> WorkConnection:
    async def fetch(size: int, service_after: str | None) -> Json:
        return await ctx.backends.filing.search_works(**filters, first=size, after=service_after)

    page = await fetch_page(ctx, fetch, first, after)
    ctx.loaders.prime_works(page.items)
    return WorkConnection(
        edges=[
            WorkEdge(node=Work.of(item), cursor=cursor)
            for item, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        total_count=page.total_count,
    )


async def load_work(ctx: GatewayContext, work_id: Any) -> Work | None:
    data = await ctx.loaders.work.load(str(work_id))
    return Work.of(data) if data is not None else None


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
    async def work(self, info: Info) -> Work:
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
            TimelineEvent(at=e.at, source=e.source, type=e.type, summary=e.summary) for e in entries
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
