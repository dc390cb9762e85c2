"""Co-owners' consent to exclusive licences and mandates (DOMAIN.md, "Co-owners' consent to
licences, and mandates"): how each owner agreed to an offer, and the mandates owners give in
advance (`grantMandate`, `revokeMandate`, `myMandates`). Consenting to or refusing an offer
is a licence move (schema/licences.py)."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Awaitable

import strawberry

from gateway.backends import Backends
from gateway.replies import MandateReply
from gateway.schema.common import FromReply, Info, UserErrorType, command, require_id
from gateway.schema.enums import Medium, OwnerConsentStatus
from gateway.schema.inputs import idempotency_field, idempotency_key
from gateway.schema.parties import Party, require_party
from gateway.schema.works import Work


@strawberry.type(description="An owner an exclusive offer needed, and how it agreed.")
class OwnerConsent(FromReply):
    share: decimal.Decimal = strawberry.field(
        description="its share of the licensed rights (the largest where they differ)"
    )
    status: OwnerConsentStatus
    reason: str | None = strawberry.field(description="why it refused")
    due_at: datetime.datetime = strawberry.field(description="when the offer lapses")
    decided_at: datetime.datetime | None
    party_id: strawberry.Private[str]

    @strawberry.field(graphql_type=Party)
    def party(self, info: Info) -> Party | Awaitable[Party]:
        return require_party(info, self.party_id)


@strawberry.type(description="An owner's consent in advance to the exclusive licences its "
                 "agent offers.")
class Mandate(FromReply):
    id: strawberry.ID
    media: list[Medium] = strawberry.field(description="empty: every medium")
    valid_from: datetime.date
    valid_until: datetime.date | None
    granted_at: datetime.datetime
    revoked_at: datetime.datetime | None
    grantor_id: strawberry.Private[str]
    agent_id: strawberry.Private[str]
    work_id: strawberry.Private[str | None]

    @strawberry.field(graphql_type=Party)
    def grantor(self, info: Info) -> Party | Awaitable[Party]:
        return require_party(info, self.grantor_id)

    @strawberry.field(graphql_type=Party)
    def agent(self, info: Info) -> Party | Awaitable[Party]:
        return require_party(info, self.agent_id)

    @strawberry.field(description="null: all the grantor's works")
    async def work(self, info: Info) -> Work | None:
        if self.work_id is None:
            return None
        found = await info.context.loaders.work.load(self.work_id)
        return Work.of(found) if found is not None else None


@strawberry.input
class GrantMandateInput:
    agent_id: strawberry.ID
    valid_from: datetime.date
    work_id: strawberry.ID | None = strawberry.field(
        default=None, description="null: all the grantor's works"
    )
    media: list[Medium] | None = strawberry.field(default=None, description="null: every medium")
    valid_until: datetime.date | None = None
    idempotency_key: str | None = idempotency_field()


@strawberry.type
class MandatePayload:
    mandate: Mandate | None
    errors: list[UserErrorType]


def _payload(result: MandateReply | None, errors: list[UserErrorType]) -> MandatePayload:
    return MandatePayload(mandate=Mandate.of(result) if result else None, errors=errors)


async def my_mandates(info: Info) -> list[Mandate]:
    """The `myMandates` query: those the caller granted and those it holds."""
    ctx = info.context
    ctx.require_principal()
    return [Mandate.of(m) for m in await ctx.backends.licensing.my_mandates()]


@strawberry.type
class MandateQuery:
    my_mandates: list[Mandate] = strawberry.field(
        resolver=my_mandates, description="The mandates the caller granted or holds."
    )


@strawberry.type
class MandateMutation:
    @strawberry.mutation(description="An owner consents in advance to exclusive licences its "
                         "agent offers.")
    async def grant_mandate(self, info: Info, input: GrantMandateInput) -> MandatePayload:
        async def send(backends: Backends) -> MandateReply:
            body = {
                "agent_id": require_id(input.agent_id, "agentId"),
                "work_id": require_id(input.work_id, "workId") if input.work_id else None,
                "media": [m.value for m in input.media or []],
                "valid_from": input.valid_from.isoformat(),
                "valid_until": input.valid_until.isoformat() if input.valid_until else None,
            }
            return await backends.licensing.grant_mandate(
                body, idempotency_key(input.idempotency_key)
            )

        return _payload(*await command(info, send))

    @strawberry.mutation(description="The grantor revokes a mandate; consents it gave stand.")
    async def revoke_mandate(self, info: Info, mandate_id: strawberry.ID) -> MandatePayload:
        async def send(backends: Backends) -> MandateReply:
            return await backends.licensing.revoke_mandate(require_id(mandate_id, "mandateId"))

        return _payload(*await command(info, send))
