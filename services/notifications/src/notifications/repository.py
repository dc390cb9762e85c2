"""The queries the service needs, each a small function over an AsyncSession."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from runtime.cursors import decode_cursor, encode_cursor
from sqlalchemy import and_, any_, bindparam, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications.models import (
    Contact,
    Delivery,
    DeliveryStatus,
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
    # populate_existing: the upserts below bypass the identity map, so an object it still
    # holds from an earlier read in this transaction would be stale.
    return await session.get(KnownWork, work_id, populate_existing=True)


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
    return await session.get(KnownLicence, licence_id, populate_existing=True)


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


# The set-based forms (handlers.handle_batch): one statement each for a whole batch, with
# arrays as parameters (unnest) so the statement and its parameter count stay the same size
# however many rows there are.


def _uuids(ids: list[uuid.UUID]) -> Any:
    """One array parameter, however many ids (an IN list takes a parameter per id)."""
    return bindparam(None, ids, type_=ARRAY(UUID(as_uuid=True)))


async def works_by_id(
    session: AsyncSession, work_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, KnownWork]:
    ids = list(work_ids)
    if not ids:
        return {}
    rows = await session.execute(select(KnownWork).where(col(KnownWork.id) == any_(_uuids(ids))))
    return {work.id: work for work in rows.scalars()}


async def licences_by_id(
    session: AsyncSession, licence_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, KnownLicence]:
    ids = list(licence_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(KnownLicence).where(col(KnownLicence.id) == any_(_uuids(ids)))
    )
    return {licence.id: licence for licence in rows.scalars()}


async def upsert_parties(session: AsyncSession, names: dict[uuid.UUID, str]) -> None:
    """`upsert_party` for many parties (each id once)."""
    if not names:
        return
    await session.execute(
        text(
            "INSERT INTO known_party (id, name) "
            "SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:names AS text[])) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = now()"
        ),
        {"ids": list(names), "names": list(names.values())},
    )


def _uuid_array_literal(ids: Sequence[uuid.UUID]) -> str:
    return "{" + ",".join(str(i) for i in ids) + "}"


async def upsert_works(session: AsyncSession, works: Sequence[dict[str, Any]]) -> None:
    """`upsert_work` for many works (each id once; the values `upsert_work` takes)."""
    if not works:
        return
    await session.execute(
        text(
            "INSERT INTO known_work (id, title, filing_number, registration_number, status, "
            "owner_ids, disputant_id) "
            "SELECT i, t, f, r, s, CAST(o AS uuid[]), d FROM unnest(CAST(:ids AS uuid[]), "
            "CAST(:titles AS text[]), CAST(:fnums AS text[]), CAST(:rnums AS text[]), "
            "CAST(:statuses AS text[]), CAST(:owners AS text[]), CAST(:disputants AS uuid[])) "
            "AS u(i, t, f, r, s, o, d) "
            "ON CONFLICT (id) DO UPDATE SET title = excluded.title, "
            "filing_number = excluded.filing_number, "
            "registration_number = excluded.registration_number, status = excluded.status, "
            "owner_ids = excluded.owner_ids, disputant_id = excluded.disputant_id, "
            "updated_at = now()"
        ),
        {
            "ids": [w["id"] for w in works],
            "titles": [w["title"] for w in works],
            "fnums": [w["filing_number"] for w in works],
            "rnums": [w["registration_number"] for w in works],
            "statuses": [w["status"] for w in works],
            # A uuid[] per row: unnest would flatten a 2-d array, so each travels as text.
            "owners": [_uuid_array_literal(w["owner_ids"]) for w in works],
            "disputants": [w["disputant_id"] for w in works],
        },
    )


async def upsert_licences(session: AsyncSession, licences: Sequence[dict[str, Any]]) -> None:
    """`upsert_licence` for many licences (each id once; the values `upsert_licence` takes)."""
    if not licences:
        return
    await session.execute(
        text(
            "INSERT INTO known_licence (id, work_id, licensor_id, licensee_id, status) "
            "SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:works AS uuid[]), "
            "CAST(:licensors AS uuid[]), CAST(:licensees AS uuid[]), CAST(:statuses AS text[])) "
            "ON CONFLICT (id) DO UPDATE SET work_id = excluded.work_id, "
            "licensor_id = excluded.licensor_id, licensee_id = excluded.licensee_id, "
            "status = excluded.status, updated_at = now()"
        ),
        {
            "ids": [lic["id"] for lic in licences],
            "works": [lic["work_id"] for lic in licences],
            "licensors": [lic["licensor_id"] for lic in licences],
            "licensees": [lic["licensee_id"] for lic in licences],
            "statuses": [lic["status"] for lic in licences],
        },
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


async def insert_notifications_many(
    session: AsyncSession, rows: Sequence[dict[str, Any]]
) -> dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID]:
    """`insert_notifications` in one statement for any number of events: returns the id of
    each entry that did not exist yet, keyed by (event_id, recipient_id)."""
    if not rows:
        return {}
    serialised: dict[int, str] = {}  # an event's payload once, shared by its rows' dicts
    for row in rows:
        if id(row["event_data"]) not in serialised:
            serialised[id(row["event_data"])] = json.dumps(row["event_data"])
    result = await session.execute(
        text(
            "INSERT INTO notification (id, recipient_id, event_id, event_type, subject_id, "
            "title, message, event_data, event_time) "
            "SELECT i, r, e, t, s, ti, m, CAST(d AS jsonb), at FROM unnest("
            "CAST(:ids AS uuid[]), CAST(:recipients AS uuid[]), CAST(:events AS uuid[]), "
            "CAST(:types AS text[]), CAST(:subjects AS text[]), CAST(:titles AS text[]), "
            "CAST(:messages AS text[]), CAST(:data AS text[]), CAST(:times AS timestamptz[])) "
            "AS u(i, r, e, t, s, ti, m, d, at) "
            "ON CONFLICT (event_id, recipient_id) DO NOTHING "
            "RETURNING id, event_id, recipient_id"
        ),
        {
            "ids": [row["id"] for row in rows],
            "recipients": [row["recipient_id"] for row in rows],
            "events": [row["event_id"] for row in rows],
            "types": [row["event_type"] for row in rows],
            "subjects": [row["subject_id"] for row in rows],
            "titles": [row["title"] for row in rows],
            "messages": [row["message"] for row in rows],
            "data": [serialised[id(row["event_data"])] for row in rows],
            "times": [row["event_time"] for row in rows],
        },
    )
    return {(row[1], row[2]): row[0] for row in result}


async def insert_deliveries_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """`insert_deliveries` in one statement for any number of events; one NOTIFY."""
    if not rows:
        return 0
    result = await session.execute(
        text(
            "INSERT INTO delivery (id, notification_id, recipient_id, event_id, channel, "
            "status, attempts) "
            "SELECT i, n, r, e, c, s, a FROM unnest(CAST(:ids AS uuid[]), "
            "CAST(:notifications AS uuid[]), CAST(:recipients AS uuid[]), "
            "CAST(:events AS uuid[]), CAST(:channels AS text[]), CAST(:statuses AS text[]), "
            "CAST(:attempts AS integer[])) AS u(i, n, r, e, c, s, a) "
            "ON CONFLICT (event_id, recipient_id, channel) DO NOTHING "
            "RETURNING id"
        ),
        {
            "ids": [row["id"] for row in rows],
            "notifications": [row["notification_id"] for row in rows],
            "recipients": [row["recipient_id"] for row in rows],
            "events": [row["event_id"] for row in rows],
            "channels": [row["channel"] for row in rows],
            "statuses": [row["status"] for row in rows],
            "attempts": [row["attempts"] for row in rows],
        },
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
        return encode_cursor(self.created_at, self.id)

    @staticmethod
    def decode(token: str) -> Cursor:
        created_at, ident = decode_cursor(token, (datetime, uuid.UUID), field="after")
        return Cursor(created_at=created_at, id=ident)


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


async def requeue_delivery(session: AsyncSession, delivery: Delivery) -> None:
    """Puts a finished delivery back to PENDING, due now, and wakes the workers."""
    await session.execute(
        update(Delivery)
        .where(col(Delivery.id) == delivery.id)
        .values(status=DeliveryStatus.PENDING.value, finished_at=None, next_attempt_at=func.now())
    )
    await session.refresh(delivery)
    await session.execute(text(f"SELECT pg_notify('{DELIVERY_CHANNEL}', '')"))
