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
from gateway.loaders import Missing, loaded
from gateway.replies import LicenceReply, NotificationReply, WorkReply

if TYPE_CHECKING:
    from gateway.context import GatewayContext


def owners(work: WorkReply) -> set[uuid.UUID]:
    return {uuid.UUID(holder["party_id"]) for holder in work["rights_holders"]}


def _facts(licence: LicenceReply) -> LicenceFacts:
    return LicenceFacts(
        licensor_id=uuid.UUID(licence["licensor_id"]),
        licensee_id=uuid.UUID(licence["licensee_id"]),
    )


async def may_see_licence(ctx: GatewayContext, licence: LicenceReply) -> bool:
    caller = ctx.require_principal().caller
    facts = _facts(licence)
    if access.needs_owners(caller, facts):
        work = await ctx.loaders.work.load(licence["work_id"])
        facts = facts.with_owners(owners(work) if work is not None else ())
    return access.may_see_licence(caller, facts)


def visible_now(ctx: GatewayContext, licences: list[LicenceReply]) -> list[LicenceReply] | None:
    """`visible_licences` without waiting, when every fact the rule needs is already loaded
    (a licence's work is, on a page of works); None when some work's owners are not yet.

    The same rule, asked once per licence; what does not depend on the licence (the caller,
    whether they see every licence) is worked out once for the whole list."""
    caller = ctx.require_principal().caller
    if access.sees_every_licence(caller):
        return list(licences)
    works = ctx.loaders.work
    visible = []
    for licence in licences:
        facts = _facts(licence)
        if access.needs_owners(caller, facts):
            work = loaded(works, licence["work_id"])
            if isinstance(work, Missing):
                return None
            facts = facts.with_owners(owners(work) if work is not None else ())
        if access.may_see_licence(caller, facts):
            visible.append(licence)
    return visible


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
