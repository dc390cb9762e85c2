"""The write side's SQL: the read model of other services' events, contacts, societies, inbox
entries and deliveries, loaded and saved in the caller's transaction.

The read model and the inbox are written set-based: one statement for a whole batch, with
arrays as parameters (unnest), so the statement and its parameter count stay the same size
however many rows there are.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from contracts.enums import Channel
from runtime.outbox import NOTIFY_CHANNEL
from sqlalchemy import TextClause, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications.domain.contacts import ContactSettings
from notifications.domain.inbox import NewDelivery, NewEntry
from notifications.domain.known import KnownLicenceState, KnownWorkState
from notifications.models import (
    Contact,
    Delivery,
    DeliveryStatus,
    Notification,
    Society,
)

# The delivery workers LISTEN here; NOTIFY is sent at commit, so they never see uncommitted rows.
DELIVERY_CHANNEL = "notification_delivery"


async def wake_delivery_workers(session: AsyncSession) -> None:
    """Wakes the delivery workers at commit (Postgres folds repeats in a transaction into one)."""
    await session.execute(text(f"SELECT pg_notify('{DELIVERY_CHANNEL}', '')"))


Params = dict[str, list[Any]]


# --- read model ------------------------------------------------------------------------------


async def works_by_id(
    session: AsyncSession, work_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, KnownWorkState]:
    rows = await _known(session, "known_work", _WORK_COLUMNS, work_ids)
    return {
        work: KnownWorkState(work, title, filing, registration, status, tuple(owners), disputant)
        for work, title, filing, registration, status, owners, disputant in rows
    }


async def licences_by_id(
    session: AsyncSession, licence_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, KnownLicenceState]:
    rows = await _known(session, "known_licence", _LICENCE_COLUMNS, licence_ids)
    return {row[0]: KnownLicenceState(*row) for row in rows}


async def _known(
    session: AsyncSession, table: str, columns: dict[str, str], ids: Collection[uuid.UUID]
) -> list[Any]:
    """The rows of `table` with `ids`, as tuples of `columns` (the state's fields, in order)."""
    if not ids:
        return []
    # Table and column names are this module's constants, never input.
    query = text(f"SELECT {', '.join(columns)} FROM {table} WHERE id = ANY(CAST(:ids AS uuid[]))")  # noqa: S608
    return list(await session.execute(query, {"ids": list(ids)}))


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
    """The parties' contact settings, those that have any: whether there is a secret, never
    the secret (the same as `Contact.settings`, read without building a row object)."""
    if not party_ids:
        return {}
    rows = await session.execute(_CONTACTS_OF, {"ids": list(party_ids)})
    return {
        party_id: ContactSettings(email=email, webhook_url=url, has_webhook_secret=has_secret)
        for party_id, email, url, has_secret in rows
    }


# One array parameter, however many parties (an IN list is compiled anew for each length).
_CONTACTS_OF = text(
    "SELECT party_id, email, webhook_url, webhook_secret_sealed IS NOT NULL FROM contact "
    "WHERE party_id = ANY(CAST(:ids AS uuid[]))"
)


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

# A batch's inbox entries, their deliveries and the `notification.delivered` of each entry in
# one statement: only the entries that did not exist yet (the unique key decides, even when two
# consumers race) get deliveries and outbox rows. The outbox rows are the records
# `contracts.envelope.encode` makes of `events.inbox_delivered` (same headers, same payload;
# the JSON's key order and spacing may differ), built from the stored rows (EVENTS.md,
# "Payloads"); `tests/integration/notifications/test_batch_handler.py` decodes them with the
# contracts' codec and compares. Every piece of it is a constant of this module, never input.
_STORE_ENTRIES = text(
    """
WITH x AS (
    SELECT * FROM unnest(
        CAST(:id AS uuid[]), CAST(:recipient_id AS uuid[]), CAST(:event_id AS uuid[]),
        CAST(:event_type AS text[]), CAST(:subject_id AS text[]), CAST(:title AS text[]),
        CAST(:message AS text[]), CAST(:event_time AS timestamptz[])
    ) WITH ORDINALITY AS x (id, recipient_id, event_id, event_type, subject_id, title, message,
                            event_time, ord)
), created AS (
    INSERT INTO notification (id, recipient_id, event_id, event_type, subject_id, title,
                              message, event_time)
    SELECT id, recipient_id, event_id, event_type, subject_id, title, message, event_time
    FROM x ORDER BY ord
    ON CONFLICT (event_id, recipient_id) DO NOTHING
    RETURNING id
), n AS (
    -- The event's time as `contracts.times.format_rfc3339` writes it (no fraction if 0 µs).
    SELECT x.*, gen_random_uuid() AS outbox_id,
           to_char(x.event_time AT TIME ZONE 'UTC',
                   CASE to_char(x.event_time AT TIME ZONE 'UTC', 'US') WHEN '000000'
                        THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
                        ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' END) AS at
    FROM x JOIN created USING (id)
), deliveries AS (
    INSERT INTO delivery (id, notification_id, recipient_id, event_id, channel, status,
                          attempts, event_data)
    SELECT d.id, n.id, n.recipient_id, n.event_id, d.channel, CAST(:pending AS text), 0,
           CAST(d.data AS jsonb)
    FROM unnest(CAST(:d_id AS uuid[]), CAST(:d_notification_id AS uuid[]),
                CAST(:d_channel AS text[]), CAST(:d_data AS text[]))
         WITH ORDINALITY AS d (id, notification_id, channel, data, ord)
    JOIN n ON n.id = d.notification_id
    ORDER BY d.ord
    ON CONFLICT (event_id, recipient_id, channel) DO NOTHING
    RETURNING id
), outbox_rows AS (
    INSERT INTO outbox (event_id, topic, key, value, headers, traceparent, created_at)
    SELECT n.outbox_id, CAST(:ob_topic AS text), convert_to(n.recipient_id::text, 'UTF8'),
           convert_to(json_build_object(
               'attempts', 1, 'channel', CAST(:ob_channel AS text), 'event_id', n.event_id,
               'event_type', n.event_type, 'notification_id', n.id, 'occurred_at', n.at,
               'recipient_id', n.recipient_id, 'subject_id', n.subject_id)::text, 'UTF8'),
           jsonb_build_array(
               jsonb_build_array('ce_specversion', CAST(:ob_specversion AS text)),
               jsonb_build_array('ce_id', n.outbox_id),
               jsonb_build_array('ce_source', CAST(:ob_source AS text)),
               jsonb_build_array('ce_type', CAST(:ob_type AS text)),
               jsonb_build_array('ce_time', n.at),
               jsonb_build_array('ce_subject', n.recipient_id),
               jsonb_build_array('ce_dataschema', CAST(:ob_dataschema AS text)),
               jsonb_build_array('content-type', CAST(:ob_content_type AS text))
           ) || CAST(:ob_trace_headers AS jsonb),
           CAST(:ob_traceparent AS text), now()
    FROM n ORDER BY n.ord
    RETURNING event_id
), woken AS (
    -- At commit, wakes the relay, and the delivery workers if there is something to send.
    SELECT (SELECT count(*) FROM outbox_rows) AS outbox_rows,
           pg_notify(CAST(:ob_notify AS text), ''),
           CASE WHEN EXISTS (SELECT FROM deliveries)
                THEN pg_notify(CAST(:delivery_notify AS text), '') END
)
SELECT outbox_rows FROM woken
"""
)


async def store_entries(
    session: AsyncSession,
    entries: Sequence[NewEntry],
    deliveries: Sequence[NewDelivery],
    *,
    event_data: Callable[[uuid.UUID], str],
    outbox: dict[str, object],
) -> int:
    """Stores the entries that do not exist yet, the deliveries of those (a WEBHOOK one with
    `event_data(event_id)`, the JSON its body sends) and each one's `notification.delivered`,
    in one statement; wakes the relay and, if a delivery was stored, the delivery workers.
    Returns how many entries were new (one `notification.delivered` each): the batch needs
    no more, so no row comes back per entry."""
    if not entries:
        return 0
    params: dict[str, Any] = _columns(entries, _ENTRY_COLUMNS)
    params |= {
        "d_id": [d.id for d in deliveries],
        "d_notification_id": [d.notification_id for d in deliveries],
        "d_channel": [d.channel.value for d in deliveries],
        "d_data": [
            event_data(d.event_id) if d.channel is Channel.WEBHOOK else None for d in deliveries
        ],
        "pending": DeliveryStatus.PENDING.value,
    }
    params |= outbox
    params |= {"ob_notify": NOTIFY_CHANNEL, "delivery_notify": DELIVERY_CHANNEL}
    return int((await session.execute(_STORE_ENTRIES, params)).scalar_one())


_ENTRY_COLUMNS = ("id", "recipient_id", "event_id", "event_type", "subject_id", "title",
                  "message", "event_time")  # fmt: skip


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
