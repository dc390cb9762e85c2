"""Works: the public register (anyone authenticated reads it), with their history and
availability, and the commands on a work: file, review, transfer, dispute, resolve."""

from __future__ import annotations

import asyncio
import datetime
import decimal
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from gateway.access import load_visible_licence, visible_licences, visible_now
from gateway.backends import AvailabilityTerms, Backends, FilingClient, WorkSearch
from gateway.context import GatewayContext
from gateway.errors import NotFoundError, UserError
from gateway.loaders import AvailabilityKey, Missing, loaded
from gateway.replies import LicenceReply, WorkReply
from gateway.schema.common import (
    Connection,
    FromReply,
    Info,
    UserErrorType,
    command,
    fetch_page,
    filter_id,
    from_reply,
    require_id,
)
from gateway.schema.enums import (
    FilingConsentStatus,
    LicenceStatus,
    Medium,
    ReviewDecision,
    Role,
    WorkKind,
    WorkStatus,
)
from gateway.schema.inputs import (
    FileWorkInput,
    ResolveDisputeInput,
    TransferShareInput,
    dispute_body,
    file_work_body,
    idempotency_key,
    resolve_body,
    transfer_body,
)
from gateway.schema.parties import Party, load_party, require_party
from gateway.schema.prefetch import node_fields, prefetch_works

if TYPE_CHECKING:
    from gateway.schema.licences import Licence
    from gateway.schema.societies import SocietyRegistration

MAX_HOLDERS = 100


@strawberry.type(description="What a holder collects in one territory, where it differs")
class TerritoryShare:
    territory: str
    performing_share: decimal.Decimal | None = None
    mechanical_share: decimal.Decimal | None = None
    sync_share: decimal.Decimal | None = None


@strawberry.type
class RightsHolder:
    role: Role
    share: decimal.Decimal = strawberry.field(
        description="the performing share, and the share of every right not stated otherwise"
    )
    party_id: strawberry.Private[str]
    mechanical_share: decimal.Decimal | None = strawberry.field(
        default=None, description="the mechanical share where it differs from `share`"
    )
    sync_share: decimal.Decimal | None = strawberry.field(
        default=None, description="the synchronisation share where it differs from `share`"
    )
    performing_society: str | None = strawberry.field(
        default=None, description="CISAC code of the society the holder is affiliated with"
    )
    mechanical_society: str | None = None
    sync_society: str | None = None
    territory_shares: list[TerritoryShare] | None = None

    @strawberry.field(graphql_type=Party)
    def party(self, info: Info) -> Party | Awaitable[Party]:
        return require_party(info, self.party_id)


@strawberry.type(
    description="A co-owner's holding in a filing and its answer (DOMAIN.md, Co-owners' "
    "consent to a filing)"
)
class Consent:
    role: Role
    share: decimal.Decimal
    status: FilingConsentStatus
    reason: str | None = None
    decided_at: datetime.datetime | None = None
    party_id: strawberry.Private[str] = ""

    @strawberry.field(graphql_type=Party)
    def party(self, info: Info) -> Party | Awaitable[Party]:
        return require_party(info, self.party_id)


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
    licence_data: strawberry.Private[LicenceReply]

    @strawberry.field
    def licence(self) -> Annotated[Licence, strawberry.lazy("gateway.schema.licences")]:
        from gateway.schema.licences import Licence

        return Licence.of(self.licence_data)


@strawberry.type
class Availability:
    available: bool
    conflicts: list[Conflict]


@strawberry.type(description="An amount held in suspense while a work is disputed.")
class HeldAmount(FromReply):
    currency: str
    amount: decimal.Decimal


@strawberry.type(
    description="While a work is disputed its statements are held in suspense, and released "
    "to the owners the resolution names (DOMAIN.md, \"Suspense while a work is disputed\")."
)
class Suspense(FromReply):
    holding: bool = strawberry.field(
        default=False,
        description="statements issued now are held: licensing's register shows the work "
        "disputed",
    )
    amounts: list[HeldAmount] = strawberry.field(
        default_factory=list,
        description="held and not yet released, per currency, on the licences the caller "
        "may see",
    )


@strawberry.type
class Work(FromReply):
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
    consents: list[Consent] = strawberry.field(
        default_factory=list,
        description="each holding of a party other than the filer and its answer; empty when "
        "the filer holds everything",
    )
    consent_deadline: datetime.datetime | None = strawberry.field(
        default=None, description="when a filing awaiting consent is returned if unanswered"
    )
    recording_of_id: strawberry.Private[str | None] = None

    @classmethod
    def of(cls, data: Mapping[str, object]) -> Self:
        recorded = data.get("recording_of")
        return from_reply(cls, data, recording_of_id=None if recorded is None else str(recorded))

    @strawberry.field(
        description="a sound recording's musical work: the work it records (DOMAIN.md, "
        "Recordings of musical works)"
    )
    async def recording_of(self, info: Info) -> Work | None:
        if self.recording_of_id is None:
            return None
        return await load_work(info.context, self.recording_of_id)


    @strawberry.field(
        description="per collecting society, what it was sent of the work (CWR) and what it "
        "answered (DOMAIN.md, Acknowledgements)"
    )
    async def society_registrations(
        self, info: Info
    ) -> list[Annotated[SocietyRegistration, strawberry.lazy("gateway.schema.societies")]]:
        from gateway.schema.societies import society_registrations

        return await society_registrations(info, str(self.id))

    @strawberry.field
    async def history(self, info: Info) -> list[HistoryEntry]:
        entries = await info.context.loaders.history.load(str(self.id))
        return [from_reply(HistoryEntry, entry) for entry in entries]

    @strawberry.field
    async def suspense(self, info: Info) -> Suspense:
        found = await info.context.loaders.suspense.load(str(self.id))
        return Suspense() if found is None else Suspense.of(found)

    @strawberry.field(
        description="Only the licences the caller may see.",
        graphql_type=list[Annotated["Licence", strawberry.lazy("gateway.schema.licences")]],
    )
    def licences(
        self, info: Info, status: LicenceStatus | None = None
    ) -> list[Licence] | Awaitable[list[Licence]]:
        # At once when the page prefetched this work's licences (and the rule's facts are
        # loaded: the work's owners), else through the loader's batch.
        ctx = info.context
        key = (str(self.id), status.value if status is not None else None)
        found = loaded(ctx.loaders.licences_by_work, key)
        if not isinstance(found, Missing):
            visible = visible_now(ctx, found)
            if visible is not None:
                return _licences(visible)
        return _licences_later(ctx, key)

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
        as_of: Annotated[
            datetime.date | None,
            strawberry.argument(description="the licences in force on this date (valid time)"),
        ] = None,
        known_at: Annotated[
            datetime.datetime | None,
            strawberry.argument(description="as the register knew it then (recorded time)"),
        ] = None,
    ) -> Availability:
        ctx = info.context
        result = await ctx.loaders.availability.load(
            AvailabilityKey(
                work_id=str(self.id),
                terms=AvailabilityTerms(
                    territories=",".join(territories),
                    media=",".join(m.value for m in media),
                    start=start.isoformat(),
                    end=end.isoformat() if end else None,
                    exclusive=exclusive,
                    as_of=as_of.isoformat() if as_of else None,
                    known_at=known_at.isoformat() if known_at else None,
                ),
            )
        )
        if result is None:
            raise NotFoundError(f"no work {self.id}")
        # The service withholds the id of a licence the caller may not see: such a conflict
        # makes the work unavailable but is not listed (a Conflict names its licence).
        listed = [(c, c["licence_id"]) for c in result["conflicts"] if c["licence_id"]]
        # Loaded together so the licence lookups are one batched call.
        licences = await asyncio.gather(
            *(load_visible_licence(ctx, licence_id) for _, licence_id in listed)
        )
        conflicts = [
            from_reply(Conflict, conflict, licence_data=licence)
            for (conflict, _), licence in zip(listed, licences, strict=True)
            if licence is not None
        ]
        return Availability(available=result["available"], conflicts=conflicts)


def _licences(found: list[LicenceReply]) -> list[Licence]:
    from gateway.schema.licences import Licence

    return [Licence.of(item) for item in found]


async def _licences_later(ctx: GatewayContext, key: tuple[str, str | None]) -> list[Licence]:
    found = await ctx.loaders.licences_by_work.load(key)
    return _licences(await visible_licences(ctx, found))


WorkConnection = Connection[Work]


@strawberry.input
class WorkFilter:
    text: str | None = None
    status: WorkStatus | None = None
    kind: WorkKind | None = None
    holder_id: strawberry.ID | None = None
    country: str | None = strawberry.field(
        default=None, description="Country of origin (ISO 3166-1 alpha-2)."
    )
    iswc: str | None = None
    isrc: str | None = None
    isbn: str | None = None

    def search(self) -> WorkSearch:
        """The filter as the register's search parameters."""
        status, kind = self.status, self.kind
        return WorkSearch(
            text=self.text,
            status=status.value if status else None,
            kind=kind.value if kind else None,
            holder_id=filter_id(self.holder_id, "filter.holderId"),
            country=self.country,
            iswc=self.iswc,
            isrc=self.isrc,
            isbn=self.isbn,
        )


async def search_works(
    info: Info, filter: WorkFilter | None = None, first: int | None = 20, after: str | None = None
) -> WorkConnection:
    """The `works` query: a page of the register's search (by relevance for a text, newest
    first otherwise; docs/design/DOMAIN.md, "Register search")."""
    ctx = info.context
    ctx.require_principal()
    search = filter.search() if filter is not None else WorkSearch()

    page = await fetch_page(ctx, partial(ctx.backends.filing.search_works, search), first, after)
    ctx.loaders.prime_works(page.items)
    await prefetch_works(ctx, node_fields(info), page.items)
    return page.connection(Work.of)


async def work_by_id(info: Info, id: strawberry.ID) -> Work | None:
    """The `work` query: anyone authenticated reads the register."""
    info.context.require_principal()
    return await load_work(info.context, id)


async def load_work(ctx: GatewayContext, work_id: str) -> Work | None:
    data = await ctx.loaders.work.load(work_id)
    return Work.of(data) if data is not None else None



@strawberry.type
class WorkPayload:
    work: Work | None
    errors: list[UserErrorType]



def _examiner_only(info: Info, action: str) -> None:
    if not info.context.require_principal().is_examiner:
        raise UserError("FORBIDDEN", f"only examiners {action}", None)


async def _on_work(
    info: Info,
    send: Callable[[FilingClient], Awaitable[WorkReply]],
    *,
    examiners_only: str | None = None,
) -> WorkPayload:
    """A command on a work, answered with the work as it now stands."""

    async def checked(backends: Backends) -> WorkReply:
        if examiners_only is not None:
            _examiner_only(info, examiners_only)
        return await send(backends.filing)

    work, errors = await command(info, checked)
    return WorkPayload(work=Work.of(work) if work is not None else None, errors=errors)


async def my_consent_requests(info: Info) -> list[Work]:
    """The works awaiting the caller's own answer; empty without a party."""
    principal = info.context.require_principal()
    if not principal.has_party:
        return []
    found = await info.context.backends.filing.consent_requests()
    return [Work.of(w) for w in found]


@strawberry.type
class WorkQuery:
    work: Work | None = strawberry.field(resolver=work_by_id)
    works: WorkConnection = strawberry.field(resolver=search_works)
    my_consent_requests: list[Work] = strawberry.field(
        resolver=my_consent_requests,
        description="Works filed naming the caller's party that wait for its own answer "
        "(confirmHolding / rejectHolding), oldest deadline first; at most 100.",
    )


@strawberry.type
class WorkMutation:
    @strawberry.mutation(description="Answers after examination.")
    async def file_work(self, info: Info, input: FileWorkInput) -> WorkPayload:
        return await _on_work(
            info, lambda filing: filing.file_work(file_work_body(input, MAX_HOLDERS),
                                                  idempotency_key(input.idempotency_key))
        )

    @strawberry.mutation(description="Examiners only.")
    async def decide_review(
        self, info: Info, work_id: strawberry.ID, decision: ReviewDecision,
        reason: str | None = None,
    ) -> WorkPayload:
        body = {"decision": decision.value, "reason": reason}
        return await _on_work(
            info,
            lambda filing: filing.review(require_id(work_id, "workId"), body),
            examiners_only="decide reviews",
        )

    @strawberry.mutation
    async def transfer_share(self, info: Info, input: TransferShareInput) -> WorkPayload:
        return await _on_work(
            info,
            lambda filing: filing.transfer(require_id(input.work_id, "workId"),
                                           transfer_body(input),
                                           idempotency_key(input.idempotency_key)),
        )

    @strawberry.mutation(
        description="States the disputer's standing: claimedRole with claimedShare, or evidence."
    )
    async def dispute_work(
        self,
        info: Info,
        work_id: strawberry.ID,
        reason: str,
        claimed_role: Role | None = None,
        claimed_share: decimal.Decimal | None = None,
        evidence: str | None = None,
    ) -> WorkPayload:
        async def send(filing: FilingClient) -> WorkReply:
            wid = require_id(work_id, "workId")
            if not reason.strip():
                raise UserError("INVALID_INPUT", "a dispute needs a reason", "reason")
            body = dispute_body(
                reason, claimed_role=claimed_role, claimed_share=claimed_share, evidence=evidence
            )
            return await filing.dispute(wid, body)

        return await _on_work(info, send)

    @strawberry.mutation(
        description="A co-owner asked confirms its role and share in a filing awaiting "
        "consent; the last confirmation runs examination."
    )
    async def confirm_holding(self, info: Info, work_id: strawberry.ID) -> WorkPayload:
        return await _on_work(
            info, lambda filing: filing.confirm_holding(require_id(work_id, "workId"))
        )

    @strawberry.mutation(
        description="A co-owner asked rejects its holding, saying why: the filing is "
        "returned to its filer."
    )
    async def reject_holding(
        self, info: Info, work_id: strawberry.ID, reason: str
    ) -> WorkPayload:
        return await _on_work(
            info,
            lambda filing: filing.reject_holding(
                require_id(work_id, "workId"), {"reason": reason}
            ),
        )

    @strawberry.mutation(description="Examiners only.")
    async def resolve_dispute(self, info: Info, input: ResolveDisputeInput) -> WorkPayload:
        return await _on_work(
            info,
            lambda filing: filing.resolve_dispute(require_id(input.work_id, "workId"),
                                                  resolve_body(input, MAX_HOLDERS),
                                                  idempotency_key(input.idempotency_key)),
            examiners_only="resolve disputes",
        )
