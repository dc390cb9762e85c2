"""Notifications: each visible to its recipient only; marking them read; and the operators'
command that makes a party a collecting society (the notifications service keeps that list)."""

from __future__ import annotations

import datetime
from functools import partial

import strawberry
from contracts.access import SOCIETY
from runtime.identity import IdentityProviderUnavailable

from gateway.access import may_see_notification
from gateway.auth import GatewayIdentity
from gateway.context import GatewayContext
from gateway.errors import BackendFailure, NotFoundError, UserError
from gateway.limits import check_id_count
from gateway.loaders import is_uuid
from gateway.schema.common import (
    Connection,
    FromReply,
    Info,
    UserErrorType,
    attempt,
    fetch_page,
    require_id,
)
from gateway.schema.parties import Party, load_party


@strawberry.type
class Delivery:
    channel: str
    status: str
    attempts: int
    last_error: str | None


@strawberry.type
class Notification(FromReply):
    id: strawberry.ID
    event_type: str
    subject_id: strawberry.ID
    title: str | None = strawberry.field(description="short subject line")
    message: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    deliveries: list[Delivery]



NotificationConnection = Connection[Notification]


async def _society_role(account: GatewayIdentity, party_id: str, granted: bool) -> None:
    """A society's reading is its accounts' `society` role (DOMAIN.md, "Access"): every account
    bound to the party (members and machine clients) gets it or loses it; a loss also ends
    their sessions, so no refresh brings it back, and a token already out runs out within
    minutes."""
    try:
        for user in await account.members(party_id):
            await account.set_realm_role(str(user["id"]), SOCIETY, granted=granted)
            if not granted:
                await account.end_sessions(str(user["id"]))
    except (BackendFailure, IdentityProviderUnavailable):
        raise UserError(
            "UNAVAILABLE",
            "the society's accounts could not be changed right now; retry: it is safe",
            None,
        ) from None


async def list_notifications(
    ctx: GatewayContext, unread_only: bool, first: int | None, after: str | None
) -> NotificationConnection:
    principal = ctx.require_principal()

    fetch = partial(
        ctx.backends.notifications.notifications,
        recipient_id=principal.party_id,
        unread_only=unread_only,
    )

    page = await fetch_page(ctx, fetch, first, after)
    return page.connection(
        Notification.of, keep=lambda item: may_see_notification(principal, item)
    )


@strawberry.type
class Contacts:
    """A party's own contact settings as shown to it: never the webhook secret, only whether
    one is set (DOMAIN.md, "Access")."""

    email: str | None
    webhook_url: str | None
    has_webhook_secret: bool


@strawberry.type
class SocietyPayload:
    party: Party | None
    subscribed: bool | None
    errors: list[UserErrorType]



@strawberry.type
class NotificationQuery:
    @strawberry.field(description="The caller's own notifications, newest first.")
    async def notifications(
        self,
        info: Info,
        unread_only: bool | None = False,
        first: int | None = 20,
        after: str | None = None,
    ) -> NotificationConnection:
        return await list_notifications(info.context, bool(unread_only), first, after)

    @strawberry.field(
        description="The caller's own party's contact settings (null without a party); change "
        "them with registerParty."
    )
    async def my_contacts(self, info: Info) -> Contacts | None:
        principal = info.context.require_principal()
        if not principal.has_party:
            return None
        found = await info.context.backends.notifications.contacts(principal.party_id)
        return Contacts(email=found["email"], webhook_url=found["webhook_url"],
                        has_webhook_secret=found["has_webhook_secret"])

    @strawberry.field(
        description="Whether the caller reads as a collecting society (its account's society "
        "role: every licence, its usage and statements)."
    )
    def collecting_society(self, info: Info) -> bool:
        return info.context.require_principal().is_society


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(
        description="Operators: make a party a collecting society (told of every registration "
        "and statement, and able to read every licence) or stop it."
    )
    async def set_collecting_society(
        self, info: Info, party_id: strawberry.ID, subscribed: bool
    ) -> SocietyPayload:
        ctx = info.context
        principal = ctx.require_principal()

        async def run() -> Party:
            if not principal.is_operator:
                raise UserError("FORBIDDEN", "only operators manage collecting societies", None)
            pid = require_id(party_id, "partyId")
            party = await load_party(info, pid)
            if party is None:
                raise NotFoundError(f"no party {pid}", "partyId")
            await ctx.backends.notifications.set_society(pid, subscribed)
            await _society_role(ctx.state.account, pid, subscribed)
            return party

        party, errors = await attempt(run)
        return SocietyPayload(
            party=party, subscribed=subscribed if party is not None else None, errors=errors
        )

    @strawberry.mutation(description="Marks the caller's own notifications read.")
    async def mark_notifications_read(self, info: Info, ids: list[strawberry.ID]) -> int:
        ctx = info.context
        ctx.require_principal()
        check_id_count(ids, ctx.settings)
        valid = [str(i) for i in ids if is_uuid(i)]
        if not valid:
            return 0
        return await ctx.backends.notifications.mark_read(valid)
