"""A licence's versions of terms and its bitemporal history, and the commands that amend or
renew it (DOMAIN.md, "Licence history: valid time and recorded time" and "Amendments and
renewals"). Availability as of a date is `Work.availability(asOf:, knownAt:)`."""

from __future__ import annotations

import datetime
import decimal
from enum import Enum
from typing import cast

import strawberry

from gateway.backends import Backends, Json
from gateway.replies import LicenceReply
from gateway.schema.common import FromReply, Info, UserErrorType, command
from gateway.schema.enums import Medium
from gateway.schema.inputs import IDEMPOTENCY_KEY, idempotency_key
from gateway.schema.licences import (
    KeyArgument,
    LicencePayload,
    _licence_payload,
    visible_licence_id,
)


@strawberry.enum
class VersionKind(Enum):
    ORIGINAL = "ORIGINAL"
    AMENDMENT = "AMENDMENT"
    RENEWAL = "RENEWAL"


@strawberry.enum
class VersionState(Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


@strawberry.enum
class LicenceSide(Enum):
    LICENSOR = "LICENSOR"
    LICENSEE = "LICENSEE"


@strawberry.type(description="A numbered version of a licence's terms, from `effectiveFrom`.")
class LicenceVersion(FromReply):
    number: int
    kind: VersionKind
    state: VersionState
    effective_from: datetime.date
    end: datetime.date | None
    territories: list[str]
    media: list[Medium]
    exclusive: bool
    royalty_rate: decimal.Decimal
    side: LicenceSide = strawberry.field(description="the side that proposed it")
    proposed_by: strawberry.ID
    proposed_at: datetime.datetime
    decided_by: strawberry.ID | None
    decided_at: datetime.datetime | None


@strawberry.type(description="A stretch of valid time and the terms in force over it.")
class TermsSegment(FromReply):
    start: datetime.date
    end: datetime.date | None
    territories: list[str]
    media: list[Medium]
    exclusive: bool
    royalty_rate: decimal.Decimal


@strawberry.type(
    description="The licence's whole state after one change, as recorded at `recordedAt`."
)
class LicenceHistoryEntry(FromReply):
    seq: int
    recorded_at: datetime.datetime
    status: str
    valid_until: datetime.date | None = strawberry.field(
        description="the last day of valid time of a licence terminated before its end"
    )
    segments: list[TermsSegment]


@strawberry.input
class ProposeAmendmentInput:
    licence_id: strawberry.ID
    effective_from: datetime.date
    end: datetime.date | None = None
    territories: list[str] = strawberry.field(description="a territory expression")
    media: list[Medium]
    exclusive: bool
    royalty_rate: decimal.Decimal
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class LicenceVersionPayload:
    version: LicenceVersion | None
    errors: list[UserErrorType]


async def versions_of(info: Info, licence_id: str) -> list[LicenceVersion]:
    found = await info.context.loaders.licence_versions.load(licence_id)
    return [LicenceVersion.of(v) for v in found]


async def history_of(info: Info, licence_id: str) -> list[LicenceHistoryEntry]:
    found = await info.context.loaders.licence_history.load(licence_id)
    return [LicenceHistoryEntry.of(h) for h in found]


async def _send_version(
    info: Info, licence_id: str, path: str, body: Json, key: str | None
) -> LicenceVersionPayload:
    async def send(backends: Backends) -> Json:
        checked = idempotency_key(key)
        lid = await visible_licence_id(info, licence_id)
        return await backends.licensing.amend(lid, path, body, checked)

    found, errors = await command(info, send)
    return LicenceVersionPayload(
        version=LicenceVersion.of(found) if found is not None else None, errors=errors
    )


async def _accept(
    info: Info, licence_id: str, version: int, key: str | None
) -> LicencePayload:
    async def send(backends: Backends) -> LicenceReply:
        checked = idempotency_key(key)
        lid = await visible_licence_id(info, licence_id)
        found = await backends.licensing.amend(lid, f"amendments/{version}/accept", {}, checked)
        return cast(LicenceReply, found)

    return _licence_payload(*await command(info, send))


@strawberry.type
class AmendmentMutation:
    @strawberry.mutation(
        description="Either side proposes new terms from a date; the other side answers."
    )
    async def propose_amendment(
        self, info: Info, input: ProposeAmendmentInput
    ) -> LicenceVersionPayload:
        body: Json = {
            "effective_from": input.effective_from.isoformat(),
            "end": input.end.isoformat() if input.end else None,
            "territories": input.territories,
            "media": [m.value for m in input.media],
            "exclusive": input.exclusive,
            "royalty_rate": str(input.royalty_rate),
        }
        return await _send_version(
            info, input.licence_id, "amendments", body, input.idempotency_key
        )

    @strawberry.mutation(description="Either side proposes to continue the licence to `end`.")
    async def renew_licence(
        self, info: Info, licence_id: strawberry.ID, end: datetime.date,
        idempotency_key: KeyArgument = None,
    ) -> LicenceVersionPayload:  # fmt: skip
        return await _send_version(
            info, licence_id, "renewals", {"end": end.isoformat()}, idempotency_key
        )

    @strawberry.mutation(description="The other side accepts a proposed version.")
    async def accept_amendment(
        self, info: Info, licence_id: strawberry.ID, version: int,
        idempotency_key: KeyArgument = None,
    ) -> LicencePayload:  # fmt: skip
        return await _accept(info, licence_id, version, idempotency_key)

    @strawberry.mutation(
        description="The other side declines a proposed version, or its proposer withdraws it."
    )
    async def decline_amendment(
        self, info: Info, licence_id: strawberry.ID, version: int
    ) -> LicenceVersionPayload:
        return await _send_version(info, licence_id, f"amendments/{version}/decline", {}, None)

