"""The queries the service needs, each a small function over an AsyncSession."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.errors import InvalidInput
from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications.models import (
    Contact,
    Delivery,
    KnownLicence,
    KnownParty,
    KnownWork,
    Notification,
    Society,
)

# Workers LISTEN here; NOTIFY is sent at commit, so they never see uncommitted deliveries.
DELIVERY_CHANNEL = "notification_delivery"


# --- read model ------------------------------------------------------------------------------


async def upsert_party(session: AsyncSession, *, party_id: uuid.UUID, name: str) -> None:
    stmt = insert(KnownParty).values(id=party_id, name=name)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[col(KnownParty.id)],
            set_={"name": stmt.excluded.name, "updated_at": func.now()},
        )
    )


async def party_names(
    session: AsyncSession, party_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    ids = list(party_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(col(KnownParty.id), col(KnownParty.name)).where(col(KnownParty.id).in_(ids))
    )
    return {row[0]: row[1] for row in rows}


async def get_work(session: AsyncSession, work_id: uuid.UUID) -> KnownWork | None:
    return await session.get(KnownWork, work_id)


async def upsert_work(session: AsyncSession, **values: Any) -> None:
    """Stores a work's current state: id, title, filing_number, registration_number, status,
    owner_ids, disputant_id."""
    stmt = insert(KnownWork).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[col(KnownWork.id)],
            set_={k: getattr(stmt.excluded, k) for k in values if k != "id"}
            | {"updated_at": func.now()},
        )
    )


async def get_licence(session: AsyncSession, licence_id: uuid.UUID) -> KnownLicence | None:
    return await session.get(KnownLicence, licence_id)


async def upsert_licence(session: AsyncSession, **values: Any) -> None:
    """Stores a licence's parties: id, work_id, licensor_id, licensee_id, status."""
    stmt = insert(KnownLicence).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[col(KnownLicence.id)],
            set_={k: getattr(stmt.excluded, k) for k in values if k != "id"}
            | {"updated_at": func.now()},
        )
    )


# --- societies and contacts ----------------------------------------------------------------


async def society_ids(session: AsyncSession) -> frozenset[uuid.UUID]:
    rows = await session.execute(select(col(Society.party_id)))
    return frozenset(row[0] for row in rows)


async def add_society(session: AsyncSession, *, party_id: uuid.UUID, by: str) -> None:
    await session.execute(
        insert(Society).values(party_id=party_id, subscribed_by=by).on_conflict_do_nothing()
    )


async def remove_society(session: AsyncSession, *, party_id: uuid.UUID) -> bool:
    result = await session.execute(text("DELETE FROM society WHERE party_id = :p"), {"p": party_id})
    return bool(getattr(result, "rowcount", 0))


async def get_contact(session: AsyncSession, party_id: uuid.UUID) -> Contact | None:
    return await session.get(Contact, party_id)


async def contacts_of(
    session: AsyncSession, party_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Contact]:
    ids = list(party_ids)
    if not ids:
        return {}
    rows = await session.execute(select(Contact).where(col(Contact.party_id).in_(ids)))
    return {contact.party_id: contact for contact in rows.scalars()}


async def save_contact(
    session: AsyncSession,
    *,
    party_id: uuid.UUID,
    email: str | None,
    webhook_url: str | None,
    sealed_secret: bytes | None,
    keep_secret: bool,
) -> None:
    values: dict[str, Any] = {"party_id": party_id, "email": email, "webhook_url": webhook_url}
    if not keep_secret:
        values["webhook_secret_sealed"] = sealed_secret
    stmt = insert(Contact).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[col(Contact.party_id)],
            set_={k: getattr(stmt.excluded, k) for k in values if k != "party_id"}
            | {"updated_at": func.now()},
        )
    )


# --- inbox -----------------------------------------------------------------------------------


async def insert_notifications(
    session: AsyncSession, rows: Sequence[dict[str, Any]]
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Inserts inbox entries; returns (id, recipient) of those that did not exist yet.

    The unique key (event_id, recipient_id) makes a redelivered event a no-op, even when two
    consumers race: no check-then-insert.
    """
    if not rows:
        return []
    result = await session.execute(
        insert(Notification)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["event_id", "recipient_id"])
        .returning(col(Notification.id), col(Notification.recipient_id))
    )
    return [(row[0], row[1]) for row in result]


async def insert_deliveries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    if not rows:
        return 0
    result = await session.execute(
        insert(Delivery)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["event_id", "recipient_id", "channel"])
        .returning(col(Delivery.id))
    )
    created = len(result.all())
    if created:
        await session.execute(text(f"SELECT pg_notify('{DELIVERY_CHANNEL}', '')"))
    return created


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            at, _, ident = raw.partition("|")
            return Cursor(created_at=datetime.fromisoformat(at), id=uuid.UUID(ident))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidInput("not a cursor this service issued", field="after") from exc


async def inbox_page(
    session: AsyncSession,
    *,
    recipient_id: uuid.UUID,
    unread_only: bool,
    first: int,
    after: Cursor | None,
) -> tuple[list[Notification], int, Cursor | None]:
    """A page of a recipient's inbox, newest first, with the total and the next cursor."""
    conditions: list[Any] = [col(Notification.recipient_id) == recipient_id]
    if unread_only:
        conditions.append(col(Notification.read_at).is_(None))
    total = await session.scalar(
        select(func.count()).select_from(Notification).where(and_(*conditions))
    )
    page_conditions = list(conditions)
    if after is not None:
        # Keyset pagination on (created_at, id): stable while new entries arrive.
        page_conditions.append(
            or_(
                col(Notification.created_at) < after.created_at,
                and_(
                    col(Notification.created_at) == after.created_at,
                    col(Notification.id) < after.id,
                ),
            )
        )
    rows = await session.execute(
        select(Notification)
        .where(and_(*page_conditions))
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(first + 1)
    )
    items = list(rows.scalars())
    next_cursor = None
    if len(items) > first:
        items = items[:first]
        last = items[-1]
        next_cursor = Cursor(created_at=last.created_at, id=last.id)
    return items, int(total or 0), next_cursor


async def notifications_by_subject(
    session: AsyncSession, *, recipient_id: uuid.UUID, subject_ids: Sequence[str]
) -> list[Notification]:
    rows = await session.execute(
        select(Notification)
        .where(
            col(Notification.recipient_id) == recipient_id,
            col(Notification.subject_id).in_(subject_ids),
        )
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
    )
    return list(rows.scalars())


async def deliveries_of(
    session: AsyncSession, notification_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Delivery]]:
    grouped: dict[uuid.UUID, list[Delivery]] = {n: [] for n in notification_ids}
    if not notification_ids:
        return grouped
    rows = await session.execute(
        select(Delivery)
        .where(col(Delivery.notification_id).in_(notification_ids))
        .order_by(col(Delivery.channel))
    )
    for delivery in rows.scalars():
        grouped[delivery.notification_id].append(delivery)
    return grouped


async def mark_read(
    session: AsyncSession, *, recipient_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> int:
    """Marks the recipient's own unread entries among `ids`; others' ids change nothing."""
    if not ids:
        return 0
    result = await session.execute(
        update(Notification)
        .where(
            col(Notification.id).in_(ids),
            col(Notification.recipient_id) == recipient_id,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=func.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)
