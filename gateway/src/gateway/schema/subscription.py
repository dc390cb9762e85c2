"""Live updates over graphql-transport-ws, fed by the gateway's Kafka consumer (subscriptions.py).

Each event re-reads the object through the services with the subscriber's token and the
gateway's access checks, so a subscriber only ever receives what they may see now. An account
holds at most GATEWAY_MAX_SUBSCRIPTIONS_PER_ACCOUNT open subscriptions in one gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator

import strawberry

from gateway.access import load_visible_licence, may_see_notification
from gateway.auth import Principal
from gateway.context import GatewayContext
from gateway.errors import NotFoundError
from gateway.loaders import is_uuid
from gateway.schema.common import Info
from gateway.schema.licences import Licence
from gateway.schema.notifications import Notification
from gateway.schema.works import Work, load_work
from gateway.subscriptions import Update

SEEN_NOTIFICATIONS = 1000


@contextlib.asynccontextmanager
async def _listen(
    ctx: GatewayContext, principal: Principal, kind: str, key: str
) -> AsyncIterator[asyncio.Queue[Update]]:
    """The hub's updates on (kind, key), held as one of the account's open subscriptions."""
    limit = ctx.settings.max_subscriptions_per_account
    with ctx.state.subscriptions.hold(principal.party_id, limit):
        async with ctx.state.hub.listen(kind, key) as updates:
            yield updates


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def licence_updated(
        self, info: Info, licence_id: strawberry.ID
    ) -> AsyncGenerator[Licence, None]:
        ctx = info.context
        principal = ctx.require_principal()
        lid = str(licence_id)
        async with _listen(ctx, principal, "licence", lid) as updates:
            # Listening before the check: nothing that happens in between is missed.
            if not is_uuid(lid) or await load_visible_licence(ctx, lid) is None:
                raise NotFoundError(f"no licence {lid}", "licenceId")
            while True:
                await updates.get()
                ctx.refresh_loaders()
                data = await load_visible_licence(ctx, lid)
                if data is not None:
                    yield Licence.of(data)

    @strawberry.subscription
    async def work_updated(self, info: Info, work_id: strawberry.ID) -> AsyncGenerator[Work, None]:
        ctx = info.context
        principal = ctx.require_principal()
        wid = str(work_id)
        async with _listen(ctx, principal, "work", wid) as updates:
            if not is_uuid(wid) or await load_work(ctx, wid) is None:
                raise NotFoundError(f"no work {wid}", "workId")
            while True:
                await updates.get()
                ctx.refresh_loaders()
                work = await load_work(ctx, wid)
                if work is not None:
                    yield work

    @strawberry.subscription(description="The caller's own notifications as they arrive.")
    async def notification_received(self, info: Info) -> AsyncGenerator[Notification, None]:
        ctx = info.context
        principal = ctx.require_principal()
        seen: deque[str] = deque(maxlen=SEEN_NOTIFICATIONS)
        # Delivery events are keyed by recipient: only the caller's own reach this queue.
        async with _listen(ctx, principal, "notification", principal.party_id) as updates:
            while True:
                update = await updates.get()
                notification_id = str(update.data.get("notification_id", ""))
                subject_id = str(update.data.get("subject_id", ""))
                if notification_id in seen or not is_uuid(subject_id):
                    continue  # one notification, several channels: deliver it once
                ctx.refresh_loaders()
                found = await ctx.loaders.notifications_by_subject.load(subject_id)
                for item in found:
                    if str(item["id"]) == notification_id and may_see_notification(
                        principal, item
                    ):
                        seen.append(notification_id)
                        yield Notification.of(item)
