"""Licences: their terms, parties and timeline, visible by DOMAIN.md "Access" only, and the
commands of the licence lifecycle: offer, accept, decline, withdraw, terminate, and the
co-owners' consent to an exclusive offer or their refusal."""

from __future__ import annotations

import asyncio
import datetime
import decimal
from collections.abc import Awaitable
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.access import load_visible_licence, may_see_notification, visible_licences
from gateway.backends import Backends, Json, LicenceSearch
from gateway.errors import NotFoundError
from gateway.loaders import now_or_later
from gateway.replies import (
    LicenceReply,
    OwnerConsentReply,
    StatementReply,
    UsageReportReply,
    WorkReply,
)
from gateway.schema.common import (
    Connection,
    FromReply,
    Info,
    UserErrorType,
    command,
    fetch_page,
    filter_id,
    present,
    require_id,
)
from gateway.schema.enums import LicenceStatus, Medium
from gateway.schema.inputs import (
    IDEMPOTENCY_KEY,
    OfferLicenceInput,
    idempotency_key,
    offer_body,
)
from gateway.schema.parties import Party, require_party
from gateway.schema.prefetch import node_fields, prefetch_licences
from gateway.schema.works import Work
from gateway.timeline import merge_timeline

if TYPE_CHECKING:
    from gateway.schema.amendments import LicenceHistoryEntry, LicenceVersion
    from gateway.schema.mandates import OwnerConsent
    from gateway.schema.statements import RoyaltyStatement, UsageReport


@strawberry.type
class Terms:
    territories: list[str] = strawberry.field(description="expanded ISO 3166-1 alpha-2 codes")
    media: list[Medium]
    exclusive: bool
    start: datetime.date
    end: datetime.date | None
    royalty_rate: decimal.Decimal
    advance: decimal.Decimal = strawberry.field(
        description="paid up front, recouped from royalties"
    )
    currency: str
    minimum_guarantee: decimal.Decimal = strawberry.field(
        default=decimal.Decimal(0),
        description="the least the licensee pays for the licence, advance and royalties "
        "together (0: none); a shortfall at the end is trued up",
    )


@strawberry.type(
    description="Licences grouped in a deal (DOMAIN.md, Advances and minimum guarantees)."
)
class Deal:
    id: strawberry.ID
    cross_collateralised: bool = strawberry.field(
        description="its licences' royalties recoup its licences' advances together; "
        "otherwise each licence recoups only its own"
    )


@strawberry.type
class TimelineEvent:
    at: datetime.datetime
    source: str
    type: str
    summary: str


@strawberry.type
class Licence(FromReply):
    id: strawberry.ID
    status: LicenceStatus
    status_reason: str | None = strawberry.field(description="why it was declined or ended")
    terms: Terms
    deal: Deal | None = strawberry.field(default=None, description="null: in no deal")
    work_id: strawberry.Private[str]
    licensor_id: strawberry.Private[str]
    licensee_id: strawberry.Private[str]


    # The fields below answer at once when the request already loaded what they show (a page
    # prefetches it, schema/prefetch.py), and through their loader's batch otherwise.

    @strawberry.field(graphql_type=Work)
    def work(self, info: Info) -> Work | Awaitable[Work]:
        def known(data: WorkReply | None) -> Work:
            work = Work.of(data) if data is not None else None
            return present(work, f"licence {self.id} names unknown work {self.work_id}")

        return now_or_later(info.context.loaders.work, self.work_id, known)

    @strawberry.field(graphql_type=Party)
    def licensor(self, info: Info) -> Party | Awaitable[Party]:
        return require_party(info, self.licensor_id)

    @strawberry.field(graphql_type=Party)
    def licensee(self, info: Info) -> Party | Awaitable[Party]:
        return require_party(info, self.licensee_id)

    @strawberry.field(
        graphql_type=list[Annotated["UsageReport", strawberry.lazy("gateway.schema.statements")]]
    )
    def usage_reports(self, info: Info) -> list[UsageReport] | Awaitable[list[UsageReport]]:
        from gateway.schema.statements import UsageReport

        def made(reports: list[UsageReportReply]) -> list[UsageReport]:
            return [UsageReport.of(r) for r in reports if r["licence_id"] == self.id]

        return now_or_later(info.context.loaders.usage_reports, str(self.id), made)

    @strawberry.field(
        graphql_type=list[
            Annotated["RoyaltyStatement", strawberry.lazy("gateway.schema.statements")]
        ]
    )
    def statements(
        self, info: Info
    ) -> list[RoyaltyStatement] | Awaitable[list[RoyaltyStatement]]:
        from gateway.schema.statements import RoyaltyStatement

        def made(statements: list[StatementReply]) -> list[RoyaltyStatement]:
            return [RoyaltyStatement.of(s) for s in statements]

        return now_or_later(info.context.loaders.statements, str(self.id), made)

    @strawberry.field(
        graphql_type=list[
            Annotated["LicenceVersion", strawberry.lazy("gateway.schema.amendments")]
        ],
        description="The versions of its terms: 1 as offered, then amendments and renewals",
    )
    async def versions(self, info: Info) -> list[LicenceVersion]:
        from gateway.schema.amendments import versions_of

        return await versions_of(info, str(self.id))

    @strawberry.field(
        graphql_type=list[
            Annotated["LicenceHistoryEntry", strawberry.lazy("gateway.schema.amendments")]
        ],
        description="Its state after each change, as recorded then (DOMAIN.md, history)",
    )
    async def history(self, info: Info) -> list[LicenceHistoryEntry]:
        from gateway.schema.amendments import history_of

        return await history_of(info, str(self.id))

    @strawberry.field(
        graphql_type=list[Annotated["OwnerConsent", strawberry.lazy("gateway.schema.mandates")]],
        description="The owners an exclusive offer needed and how each agreed (DOMAIN.md, "
        "\"Co-owners' consent to licences, and mandates\"); empty for a non-exclusive one.",
    )
    def owner_consents(self, info: Info) -> list[OwnerConsent] | Awaitable[list[OwnerConsent]]:
        from gateway.schema.mandates import OwnerConsent

        def made(consents: list[OwnerConsentReply]) -> list[OwnerConsent]:
            return [OwnerConsent.of(c) for c in consents]

        return now_or_later(info.context.loaders.owner_consents, str(self.id), made)

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


LicenceConnection = Connection[Licence]


@strawberry.input
class LicenceFilter:
    work_id: strawberry.ID | None = None
    status: LicenceStatus | None = None
    as_licensee: bool | None = None

    def search(self) -> LicenceSearch:
        """The filter as licensing's search parameters."""
        return LicenceSearch(
            work_id=filter_id(self.work_id, "filter.workId"),
            status=self.status.value if self.status else None,
            as_licensee=self.as_licensee,
        )


async def licence_by_id(info: Info, id: strawberry.ID) -> Licence | None:
    """The `licence` query: an unknown licence and another party's read alike (null)."""
    info.context.require_principal()
    data = await load_visible_licence(info.context, id)
    return Licence.of(data) if data is not None else None


async def search_licences(
    info: Info,
    filter: LicenceFilter | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> LicenceConnection:
    """The `licences` query: a page of licensing's search, less what the caller may not see."""
    ctx = info.context
    ctx.require_principal()
    search = filter.search() if filter is not None else LicenceSearch()

    fetch = partial(ctx.backends.licensing.search_licences, search)
    page = await fetch_page(ctx, fetch, first, after)
    shown = await visible_licences(ctx, page.items)
    visible = {item["id"] for item in shown}
    ctx.loaders.prime_licences(page.items)
    await prefetch_licences(ctx, node_fields(info), shown)
    return page.connection(Licence.of, keep=lambda item: item["id"] in visible)

@strawberry.type
class LicencePayload:
    licence: Licence | None
    errors: list[UserErrorType]



@strawberry.type
class LicenceQuery:
    licence: Licence | None = strawberry.field(
        resolver=licence_by_id, description="Null when unknown or not visible to the caller."
    )
    licences: LicenceConnection = strawberry.field(
        resolver=search_licences, description="Only the licences the caller may see."
    )


# The `idempotencyKey` argument of a keyed move that has no input object.
KeyArgument = Annotated[str | None, strawberry.argument(description=IDEMPOTENCY_KEY)]


@strawberry.type
class LicenceMutation:
    @strawberry.mutation(description="Works right after fileWork.")
    async def offer_licence(self, info: Info, input: OfferLicenceInput) -> LicencePayload:
        sent = await command(
            info,
            lambda backends: backends.licensing.offer(
                offer_body(input), idempotency_key(input.idempotency_key)
            ),
        )
        return _licence_payload(*sent)

    @strawberry.mutation
    async def accept_licence(
        self, info: Info, licence_id: strawberry.ID, idempotency_key: KeyArgument = None
    ) -> LicencePayload:
        return await _transition(info, licence_id, "accept", {}, idempotency_key)

    @strawberry.mutation
    async def decline_licence(
        self, info: Info, licence_id: strawberry.ID, reason: str | None = None
    ) -> LicencePayload:
        return await _transition(info, licence_id, "decline", {"reason": reason})

    @strawberry.mutation
    async def withdraw_licence(self, info: Info, licence_id: strawberry.ID) -> LicencePayload:
        return await _transition(info, licence_id, "withdraw", {})

    @strawberry.mutation
    async def terminate_licence(
        self, info: Info, licence_id: strawberry.ID, reason: str,
        idempotency_key: KeyArgument = None,
    ) -> LicencePayload:
        if not reason.strip():
            return LicencePayload(
                licence=None,
                errors=[UserErrorType(code="INVALID_INPUT", message="a reason is required",
                                      field="reason")],
            )
        return await _transition(
            info, licence_id, "terminate", {"reason": reason}, idempotency_key
        )

    @strawberry.mutation(description="An owner asked consents to an exclusive offer; the last "
                         "consent offers it to the licensee.")
    async def consent_to_licence(self, info: Info, licence_id: strawberry.ID) -> LicencePayload:
        return await _transition(info, licence_id, "consent", {})

    @strawberry.mutation(description="An owner asked refuses an exclusive offer, which ends it.")
    async def refuse_licence(
        self, info: Info, licence_id: strawberry.ID, reason: str
    ) -> LicencePayload:
        return await _transition(info, licence_id, "refuse", {"reason": reason})


def _licence_payload(result: LicenceReply | None, errors: list[UserErrorType]) -> LicencePayload:
    return LicencePayload(
        licence=Licence.of(result) if result is not None else None, errors=errors
    )


async def visible_licence_id(info: Info, licence_id: str) -> str:
    """The id a command on a licence names, if the caller may see that licence.

    Another party's licence is answered exactly like an unknown one (OWASP API1).
    """
    lid = require_id(licence_id, "licenceId")
    if await load_visible_licence(info.context, lid) is None:
        raise NotFoundError(f"no licence {lid}", "licenceId")
    return lid


async def _transition(
    info: Info, licence_id: str, action: str, body: Json, key: str | None = None
) -> LicencePayload:
    async def send(backends: Backends) -> LicenceReply:
        checked_key = idempotency_key(key)
        lid = await visible_licence_id(info, licence_id)
        return await backends.licensing.transition(lid, action, body, checked_key)

    return _licence_payload(*await command(info, send))
