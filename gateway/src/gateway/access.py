"""DOMAIN.md "Access", as checks the gateway applies to every object it returns.

The services enforce the same rules on their side; checking here too means no object of
another party can leak through a field even if a service answers more than it should.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from gateway.auth import Principal
from gateway.backends import Json

if TYPE_CHECKING:
    from gateway.context import GatewayContext


def owners(work: Json) -> set[str]:
    return {str(holder["party_id"]) for holder in work.get("rights_holders", [])}


def sees_all_licences(principal: Principal) -> bool:
    """Examiners and collecting societies see every licence, its usage and its statements."""
    return principal.is_examiner or principal.is_society


async def may_see_licence(ctx: GatewayContext, licence: Json) -> bool:
    """Its licensee, the work's owners, examiners and societies: nobody else."""
    principal = ctx.require_principal()
    if sees_all_licences(principal):
        return True
    if str(licence.get("licensee_id")) == principal.party_id:
        return True
    work = await ctx.loaders.work.load(str(licence["work_id"]))
    return work is not None and principal.party_id in owners(work)


async def visible_licences(ctx: GatewayContext, licences: list[Json]) -> list[Json]:
    # Checked together, so the work lookups of a whole list become one batched call.
    allowed = await asyncio.gather(*(may_see_licence(ctx, licence) for licence in licences))
    return [licence for licence, ok in zip(licences, allowed, strict=True) if ok]


async def load_visible_licence(ctx: GatewayContext, licence_id: str) -> Json | None:
    licence = await ctx.loaders.licence.load(licence_id)
    if licence is None or not await may_see_licence(ctx, licence):
        return None
    return licence


def may_see_notification(principal: Principal, notification: Json) -> bool:
    return str(notification.get("recipient_id")) == principal.party_id
