"""Parties: the public part of the register (contact settings never appear here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.backends import Json
from gateway.errors import BackendFailure
from gateway.schema.common import Info
from gateway.schema.enums import PartyKind

if TYPE_CHECKING:
    from gateway.schema.works import WorkConnection


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
    ) -> Annotated[WorkConnection, strawberry.lazy("gateway.schema.works")]:
        from gateway.schema.works import search_works

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
