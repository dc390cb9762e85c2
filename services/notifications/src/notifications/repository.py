"""The write side's SQL: the read model of other services' events, contacts, societies, inbox
entries and deliveries, loaded and saved in the caller's transaction.

The read model and the inbox are written set-based: one statement for a whole batch, with
arrays as parameters (unnest), so the statement and its parameter count stay the same size
however many rows there are.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable, Sequence
from typing import Any, TypeVar

from contracts.attributes import from_attributes
from sqlalchemy import TextClause, any_, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications.domain.contacts import ContactSettings
from notifications.domain.inbox import CreatedEntry, NewDelivery, NewEntry
from notifications.domain.known import KnownLicenceState, KnownWorkState
from notifications.models import (
    Contact,
    Delivery,
    DeliveryStatus,
    KnownLicence,
    KnownWork,
    Notification,
    Society,
)

# The delivery workers LISTEN here; NOTIFY is sent at commit, so they never see uncommitted rows.
DELIVERY_CHANNEL = "notification_delivery"


async def wake_delivery_workers(session: AsyncSession) -> None:
    """Wakes the delivery workers at commit (Postgres folds repeats in a transaction into one)."""
    await session.execute(text(f"SELECT pg_notify('{DELIVERY_CHANNEL}', '')"))


def _uuids(ids: Collection[uuid.UUID]) -> BindParameter[Any]:
    """One array parameter, however many ids (an IN list takes a parameter per id)."""
    return bindparam(None, list(ids), type_=ARRAY(UUID(as_uuid=True)))


KnownRow = TypeVar("KnownRow", KnownWork, KnownLicence)
Params = dict[str, list[Any]]


# --- read model ------------------------------------------------------------------------------


async def works_by_id(
    session: AsyncSession, work_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, KnownWorkState]:
    return {
        work.id: from_attributes(KnownWorkState, work, owner_ids=tuple(work.owner_ids))
        for work in await _known(session, KnownWork, work_ids)
    }


async def licences_by_id(
    session: AsyncSession, licence_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, KnownLicenceState]:
    return {
        licence.id: from_attributes(KnownLicenceState, licence)
        for licence in await _known(session, KnownLicence, licence_ids)
    }


async def _known(
    session: AsyncSession, table: type[KnownRow], ids: Collection[uuid.UUID]
) -> list[KnownRow]:
    if not ids:
        return []
    rows = await session.execute(select(table).where(col(table.id) == any_(_uuids(ids))))
    return list(rows.scalars())


def _upsert(table: str, columns: dict[str, str]) -> TextClause:
    """One statement that stores any number of rows of `table`, keyed by `id`: each column
    (name: SQL type, the key first) travels as one array parameter of the same name."""
    names = ", ".join(columns)
    # A uuid[] per row travels as text: unnest would flatten a 2-d array.
    arrays = ", ".join(
        f"CAST(:{name} AS {'text' if kind.endswith('[]') else kind}[])"
        for name, kind in columns.items()
    )
    picked = ", ".join(
        f"CAST({name} AS {kind})" if kind.endswith("[]") else name
        for name, kind in columns.items()
    )
    updates = ", ".join(f"{name} = excluded.{name}" for name in list(columns)[1:])
    # Table and column names are this module's constants, never input.
    return text(
        f"INSERT INTO {table} ({names}) SELECT {picked} FROM unnest({arrays}) AS u({names}) "  # noqa: S608
        f"ON CONFLICT (id) DO UPDATE SET {updates}, updated_at = now()"
    )


_SAVE_PARTIES = _upsert("known_party", {"id": "uuid", "name": "text"})
_WORK_COLUMNS = {
    "id": "uuid",
    "title": "text",
    "filing_number": "text",
    "registration_number": "text",
    "status": "text",
    "owner_ids": "uuid[]",
    "disputant_id": "uuid",
}
_SAVE_WORKS = _upsert("known_work", _WORK_COLUMNS)
_LICENCE_COLUMNS = {
    "id": "uuid",
    "work_id": "uuid",
    "licensor_id": "uuid",
    "licensee_id": "uuid",
    "status": "text",
}
_SAVE_LICENCES = _upsert("known_licence", _LICENCE_COLUMNS)


def _columns(rows: Sequence[object], names: Iterable[str]) -> Params:
    """One array parameter per named attribute of the rows, in the rows' order."""
    return {name: [getattr(row, name) for row in rows] for name in names}


async def save_parties(session: AsyncSession, names: dict[uuid.UUID, str]) -> None:
    """Stores each party's public name (each id once)."""
    if names:
        await session.execute(_SAVE_PARTIES, {"id": list(names), "name": list(names.values())})


async def save_works(session: AsyncSession, works: Sequence[KnownWorkState]) -> None:
    """Stores each work's current state (each id once)."""
    if works:
        params = _columns(works, _WORK_COLUMNS)
        params["owner_ids"] = [_uuid_array_literal(w.owner_ids) for w in works]
        await session.execute(_SAVE_WORKS, params)


async def save_licences(session: AsyncSession, licences: Sequence[KnownLicenceState]) -> None:
    """Stores each licence's parties (each id once)."""
    if licences:
        await session.execute(_SAVE_LICENCES, _columns(licences, _LICENCE_COLUMNS))


def _uuid_array_literal(ids: Iterable[uuid.UUID]) -> str:
    return "{" + ",".join(str(i) for i in ids) + "}"


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


async def contact_for_update(session: AsyncSession, party_id: uuid.UUID) -> ContactSettings | None:
    """A party's contact settings, locked until the transaction ends (changes serialise)."""
    stored = await session.get(Contact, party_id, with_for_update=True)
    return stored.settings() if stored is not None else None


async def contacts_of(
    session: AsyncSession, party_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, ContactSettings]:
    if not party_ids:
        return {}
    rows = await session.execute(select(Contact).where(col(Contact.party_id).in_(party_ids)))
    return {contact.party_id: contact.settings() for contact in rows.scalars()}


async def save_contact(
    session: AsyncSession,
    *,
    party_id: uuid.UUID,
    email: str | None,
    webhook_url: str | None,
    sealed_secret: bytes | None,
    keep_secret: bool,
) -> None:
    values: dict[str, object] = {"party_id": party_id, "email": email, "webhook_url": webhook_url}
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


# --- inbox and deliveries --------------------------------------------------------------------

_ENTRY_COLUMNS = ("id", "recipient_id", "event_id", "event_type", "subject_id", "title",
                  "message", "event_time")  # fmt: skip
_INSERT_ENTRIES = text(
    "INSERT INTO notification (id, recipient_id, event_id, event_type, subject_id, "
    "title, message, event_time, event_data) "
    "SELECT i, r, e, t, s, ti, m, at, CAST(d AS jsonb) FROM unnest("
    "CAST(:id AS uuid[]), CAST(:recipient_id AS uuid[]), CAST(:event_id AS uuid[]), "
    "CAST(:event_type AS text[]), CAST(:subject_id AS text[]), CAST(:title AS text[]), "
    "CAST(:message AS text[]), CAST(:event_time AS timestamptz[]), CAST(:event_data AS text[])) "
    "AS u(i, r, e, t, s, ti, m, at, d) "
    # The unique key makes a redelivered event a no-op, even when two consumers race.
    "ON CONFLICT (event_id, recipient_id) DO NOTHING "
    "RETURNING id, event_id, recipient_id"
)


async def insert_entries(
    session: AsyncSession, entries: Sequence[NewEntry]
) -> list[CreatedEntry]:
    """Stores the entries that do not exist yet, in one statement; returns those, in the
    order of `entries` (not the order the database answered in)."""
    if not entries:
        return []
    serialised: dict[int, str] = {}  # an event's payload once, shared by its entries
    for entry in entries:
        if id(entry.event_data) not in serialised:
            serialised[id(entry.event_data)] = json.dumps(entry.event_data)
    params = _columns(entries, _ENTRY_COLUMNS)
    params["event_data"] = [serialised[id(e.event_data)] for e in entries]
    created = {(row[1], row[2]): row[0] for row in await session.execute(_INSERT_ENTRIES, params)}
    return [
        CreatedEntry(id=created[e.key], recipient_id=e.recipient_id, event_id=e.event_id)
        for e in entries
        if e.key in created
    ]


_DELIVERY_COLUMNS = ("id", "notification_id", "recipient_id", "event_id")
_INSERT_DELIVERIES = text(
    "INSERT INTO delivery (id, notification_id, recipient_id, event_id, channel, "
    "status, attempts) "
    "SELECT i, n, r, e, c, :pending, 0 FROM unnest(CAST(:id AS uuid[]), "
    "CAST(:notification_id AS uuid[]), CAST(:recipient_id AS uuid[]), "
    "CAST(:event_id AS uuid[]), CAST(:channel AS text[])) AS u(i, n, r, e, c) "
    "ON CONFLICT (event_id, recipient_id, channel) DO NOTHING "
    "RETURNING id"
)


async def insert_deliveries(session: AsyncSession, deliveries: Sequence[NewDelivery]) -> int:
    """Stores the deliveries that do not exist yet, in one statement, and wakes the workers."""
    if not deliveries:
        return 0
    params: dict[str, Any] = _columns(deliveries, _DELIVERY_COLUMNS)
    params["channel"] = [d.channel.value for d in deliveries]
    params["pending"] = DeliveryStatus.PENDING.value
    created = len((await session.execute(_INSERT_DELIVERIES, params)).all())
    if created:
        await wake_delivery_workers(session)
    return created


async def mark_read(
    session: AsyncSession, *, recipient_id: uuid.UUID, ids: Collection[uuid.UUID]
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


async def delivery_for_update(session: AsyncSession, delivery_id: uuid.UUID) -> Delivery | None:
    return await session.get(Delivery, delivery_id, with_for_update=True)


async def requeue_delivery(session: AsyncSession, delivery: Delivery) -> None:
    """Puts a finished delivery back to PENDING, due now, and wakes the workers."""
    await session.execute(
        update(Delivery)
        .where(col(Delivery.id) == delivery.id)
        .values(status=DeliveryStatus.PENDING.value, finished_at=None, next_attempt_at=func.now())
    )
    await session.refresh(delivery)
    await wake_delivery_workers(session)
