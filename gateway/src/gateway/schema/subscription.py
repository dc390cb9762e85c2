"""Live updates over graphql-transport-ws, fed by the gateway's Kafka consumer (subscriptions.py).

Each event re-reads the object through the services with the subscriber's token and the
gateway's access checks, so a subscriber only ever receives what they may see now. An account
holds at most GATEWAY_MAX_SUBSCRIPTIONS_PER_ACCOUNT open subscriptions in one gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import TypeVar

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
T = TypeVar("T")


@contextlib.asynccontextmanager
async def _listen(
    ctx: GatewayContext, principal: Principal, kind: str, key: str
) -> AsyncIterator[asyncio.Queue[Update]]:
    """The hub's updates on (kind, key), held as one of the account's open subscriptions."""
    limit = ctx.settings.max_subscriptions_per_account
    with ctx.state.subscriptions.hold(principal.party_id, limit):
        async with ctx.state.hub.listen(kind, key) as updates:
            yield updates


async def _watch(
    ctx: GatewayContext, kind: str, key: str, field: str, load: Callable[[], Awaitable[T | None]]
) -> AsyncGenerator[T, None]:
    """The object as it stands after each update, while the caller may see it."""
    principal = ctx.require_principal()
    async with _listen(ctx, principal, kind, key) as updates:
        # Listening before the check: nothing that happens in between is missed.
        if not is_uuid(key) or await load() is None:
            raise NotFoundError(f"no {kind} {key}", field)
        while True:
            await updates.get()
            ctx.refresh_loaders()
            found = await load()
            if found is not None:
                yield found


@strawberry.type
class Subscription:
    @strawberry.subscription
    def licence_updated(
        self, info: Info, licence_id: strawberry.ID
    ) -> AsyncGenerator[Licence, None]:
        ctx = info.context

        async def licence() -> Licence | None:
            data = await load_visible_licence(ctx, licence_id)
            return Licence.of(data) if data is not None else None

        return _watch(ctx, "licence", str(licence_id), "licenceId", licence)

    @strawberry.subscription
    def work_updated(self, info: Info, work_id: strawberry.ID) -> AsyncGenerator[Work, None]:
        ctx = info.context
        return _watch(ctx, "work", str(work_id), "workId", lambda: load_work(ctx, work_id))

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
                    if item["id"] == notification_id and may_see_notification(
                        principal, item
                    ):
                        seen.append(notification_id)
                        yield Notification.of(item)
