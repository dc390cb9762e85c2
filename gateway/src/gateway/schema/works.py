"""Works: the public register (anyone authenticated reads it), their history and availability."""

from __future__ import annotations

import asyncio
import datetime
import decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.access import visible_licences
from gateway.backends import Json
from gateway.context import GatewayContext
from gateway.errors import NotFoundError
from gateway.loaders import AvailabilityKey
from gateway.schema.common import Info, PageInfo, fetch_page, to_date, to_datetime, to_decimal
from gateway.schema.enums import LicenceStatus, Medium, Role, WorkKind, WorkStatus
from gateway.schema.parties import Party, load_party, require_party

if TYPE_CHECKING:
    from gateway.schema.licences import Licence


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
    def licence(self) -> Annotated[Licence, strawberry.lazy("gateway.schema.licences")]:
        from gateway.schema.licences import Licence

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
    async def licences(
        self, info: Info, status: LicenceStatus | None = None
    ) -> list[Annotated[Licence, strawberry.lazy("gateway.schema.licences")]]:
        from gateway.schema.licences import Licence

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
        from gateway.access import load_visible_licence

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
        listed = list(result.get("conflicts", []))
        # Checked together so the licence lookups are one batched call.
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
        return await ctx.backends.filing.search_works(
            **filters, first=size, after=service_after
        )

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
