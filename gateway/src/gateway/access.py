"""The gateway's side of DOMAIN.md "Access": the rules of `contracts.access`, fed with the facts
the gateway's loaders fetch, applied to every licence and notification it returns.

The services enforce the same rules on their side; checking here too means no object of
another party can leak through a field even if a service answers more than it should.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

from contracts.access import LicenceFacts

from contracts import access
from gateway.auth import Principal
from gateway.replies import LicenceReply, NotificationReply, WorkReply

if TYPE_CHECKING:
    from gateway.context import GatewayContext


def owners(work: WorkReply) -> set[uuid.UUID]:
    return {uuid.UUID(holder["party_id"]) for holder in work["rights_holders"]}


async def may_see_licence(ctx: GatewayContext, licence: LicenceReply) -> bool:
    caller = ctx.require_principal().caller
    facts = LicenceFacts(
        licensor_id=uuid.UUID(licence["licensor_id"]),
        licensee_id=uuid.UUID(licence["licensee_id"]),
    )
    if access.needs_owners(caller, facts):
        work = await ctx.loaders.work.load(licence["work_id"])
        facts = facts.with_owners(owners(work) if work is not None else ())
    return access.may_see_licence(caller, facts)


async def visible_licences(
    ctx: GatewayContext, licences: list[LicenceReply]
) -> list[LicenceReply]:
    # Checked together, so the work lookups of a whole list become one batched call.
    allowed = await asyncio.gather(*(may_see_licence(ctx, licence) for licence in licences))
    return [licence for licence, ok in zip(licences, allowed, strict=True) if ok]


async def load_visible_licence(ctx: GatewayContext, licence_id: str) -> LicenceReply | None:
    licence = await ctx.loaders.licence.load(licence_id)
    if licence is None or not await may_see_licence(ctx, licence):
        return None
    return licence


def may_see_notification(principal: Principal, notification: NotificationReply) -> bool:
    return access.may_see_notification(principal.caller, notification["recipient_id"])
