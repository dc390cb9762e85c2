"""The read side: every query the API answers (contacts, inbox pages, entries by subject or by
recipient, with their deliveries), and the JSON shapes of docs/service-apis.md."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from runtime.auth import Principal
from runtime.cursors import decode_cursor, encode_cursor
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import access
from notifications.domain.contacts import NO_CONTACTS, ContactSettings
from notifications.models import Contact, Delivery, Notification

Json = dict[str, object]


@dataclass(frozen=True)
class InboxEntry:
    notification: Notification
    deliveries: list[Delivery]


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxEntry]
    next_cursor: str | None
    total_count: int


async def contacts(
    session: AsyncSession, *, principal: Principal, party_id: uuid.UUID
) -> ContactSettings:
    """A party's own contact settings as shown to it: never the secret, only if there is one."""
    access.require_own_contacts(principal, party_id)
    stored = await session.get(Contact, party_id)
    return stored.settings() if stored is not None else NO_CONTACTS


async def inbox_page(
    session: AsyncSession,
    *,
    principal: Principal,
    recipient_id: uuid.UUID,
    unread_only: bool,
    first: int,
    after: str | None,
) -> InboxPage:
    """A page of the caller's own inbox, newest first, with the total and the next cursor."""
    access.require_own_inbox(principal, recipient_id)
    cursor = decode_cursor(after, (datetime, uuid.UUID)) if after is not None else None
    conditions: list[ColumnElement[bool]] = [col(Notification.recipient_id) == recipient_id]
    if unread_only:
        conditions.append(col(Notification.read_at).is_(None))
    total = await session.scalar(
        select(func.count()).select_from(Notification).where(and_(*conditions))
    )
    items = await _newest(session, conditions, first=first, after=cursor)
    next_cursor = None
    if len(items) > first:
        items = items[:first]
        next_cursor = encode_cursor(items[-1].created_at, items[-1].id)
    return InboxPage(
        items=await _with_deliveries(session, items),
        next_cursor=next_cursor,
        total_count=int(total or 0),
    )


async def inbox_by_subject(
    session: AsyncSession, *, principal: Principal, subject_ids: Sequence[uuid.UUID]
) -> dict[str, list[InboxEntry]]:
    """The caller's own entries about each subject; subjects with none are absent."""
    me = access.caller_party(principal)
    rows = await session.execute(
        select(Notification)
        .where(
            col(Notification.recipient_id) == me,
            # A subject is an aggregate id (ce_subject), stored in its canonical text form.
            col(Notification.subject_id).in_([str(subject) for subject in subject_ids]),
        )
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
    )
    grouped: dict[str, list[InboxEntry]] = {}
    for entry in await _with_deliveries(session, list(rows.scalars())):
        grouped.setdefault(entry.notification.subject_id, []).append(entry)
    return grouped


async def inbox_by_recipient(
    session: AsyncSession,
    *,
    principal: Principal,
    recipient_ids: Sequence[uuid.UUID],
    unread_only: bool,
    first: int,
) -> dict[str, list[InboxEntry]]:
    """The newest `first` entries of each listed recipient the caller may read: itself only.

    The batched form the gateway's DataLoader calls; other parties' ids are simply absent.
    """
    access.caller_party(principal)  # a token whose subject is no party reads nothing
    readable = [r for r in recipient_ids if access.can_see_notification(principal, r)]
    if not readable:
        return {}
    page = await inbox_page(
        session,
        principal=principal,
        recipient_id=readable[0],
        unread_only=unread_only,
        first=first,
        after=None,
    )
    return {str(readable[0]): page.items}


async def _newest(
    session: AsyncSession,
    conditions: list[ColumnElement[bool]],
    *,
    first: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> list[Notification]:
    """Up to `first + 1` entries (one more tells whether a next page exists)."""
    if after is not None:
        created_at, last_id = after
        # Keyset pagination on (created_at, id): stable while new entries arrive.
        conditions = [
            *conditions,
            or_(
                col(Notification.created_at) < created_at,
                and_(col(Notification.created_at) == created_at, col(Notification.id) < last_id),
            ),
        ]
    rows = await session.execute(
        select(Notification)
        .where(and_(*conditions))
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(first + 1)
    )
    return list(rows.scalars())


async def _with_deliveries(
    session: AsyncSession, notifications: list[Notification]
) -> list[InboxEntry]:
    grouped: dict[uuid.UUID, list[Delivery]] = {n.id: [] for n in notifications}
    if notifications:
        rows = await session.execute(
            select(Delivery)
            .where(col(Delivery.notification_id).in_(list(grouped)))
            .order_by(col(Delivery.channel))
        )
        for delivery in rows.scalars():
            grouped[delivery.notification_id].append(delivery)
    return [InboxEntry(n, grouped[n.id]) for n in notifications]


# --- JSON ------------------------------------------------------------------------------------


def delivery_json(d: Delivery) -> Json:
    return {
        "id": str(d.id),
        "channel": d.channel,
        "status": d.status,
        "attempts": d.attempts,
        "last_error": d.last_error,
    }


def entry_json(entry: InboxEntry) -> Json:
    """The Notification JSON of docs/service-apis.md."""
    n = entry.notification
    return {
        "id": str(n.id),
        "recipient_id": str(n.recipient_id),
        "event_id": str(n.event_id),
        "event_type": n.event_type,
        "subject_id": n.subject_id,
        "title": n.title,
        "message": n.message,
        "created_at": _rfc3339(n.created_at),
        "read_at": _rfc3339(n.read_at) if n.read_at else None,
        "deliveries": [delivery_json(d) for d in entry.deliveries],
    }


def _rfc3339(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")
