"""Notifications: each visible to its recipient only."""

from __future__ import annotations

import datetime

import strawberry

from gateway.access import may_see_notification
from gateway.backends import Json
from gateway.context import GatewayContext
from gateway.schema.common import PageInfo, fetch_page, to_datetime


@strawberry.type
class Delivery:
    channel: str
    status: str
    attempts: int
    last_error: str | None


@strawberry.type
class Notification:
    id: strawberry.ID
    event_type: str
    subject_id: strawberry.ID
    title: str | None = strawberry.field(description="short subject line")
    message: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    deliveries: list[Delivery]

    @classmethod
    def of(cls, data: Json) -> Notification:
        return cls(
            id=strawberry.ID(str(data["id"])),
            event_type=data["event_type"],
            subject_id=strawberry.ID(str(data["subject_id"])),
            title=data.get("title"),
            message=data["message"],
            created_at=to_datetime(data["created_at"]),  # type: ignore[arg-type]
            read_at=to_datetime(data.get("read_at")),
            deliveries=[
                Delivery(
                    channel=str(d["channel"]),
                    status=str(d["status"]),
                    attempts=int(d.get("attempts", 0)),
                    last_error=d.get("last_error"),
                )
                for d in data.get("deliveries", [])
            ],
        )


@strawberry.type
class NotificationEdge:
    node: Notification
    cursor: str


@strawberry.type
class NotificationConnection:
    edges: list[NotificationEdge]
    page_info: PageInfo
    total_count: int


async def list_notifications(
    ctx: GatewayContext, unread_only: bool, first: int | None, after: str | None
) -> NotificationConnection:
    principal = ctx.require_principal()

    async def fetch(size: int, service_after: str | None) -> Json:
        return await ctx.backends.notifications.notifications(
            recipient_id=principal.party_id,
            unread_only=str(unread_only).lower(),
            first=size,
            after=service_after,
        )

    page = await fetch_page(ctx, fetch, first, after)
    return NotificationConnection(
        edges=[
            NotificationEdge(node=Notification.of(item), cursor=cursor)
            for item, cursor in zip(page.items, page.cursors, strict=True)
            if may_see_notification(principal, item)
        ],
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        total_count=page.total_count,
    )
