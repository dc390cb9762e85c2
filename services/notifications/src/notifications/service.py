"""The use cases: one function per command or query, each inside the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.enums import Channel
from contracts.envelope import DecodedEvent
from contracts.errors import InvalidInput, NotAllowed, NotFound
from contracts.events import NotificationDelivered
from runtime.auth import Principal
from runtime.id_lists import MAX_IDS
from runtime.outbox import stage
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import access
from notifications import repository
from notifications.domain.contacts import ContactSettings, change_contact_settings
from notifications.domain.messages import EventFacts, compose
from notifications.domain.recipients import RULES, Named, NamedParties, recipients
from notifications.domain.retry import redelivers
from notifications.models import Contact, Delivery, DeliveryStatus, Notification
from notifications.secret_box import SecretBox

MAX_BATCH_IDS = MAX_IDS


# --- notifying -------------------------------------------------------------------------------


async def notify(
    session: AsyncSession,
    *,
    event: DecodedEvent,
    event_type: str,
    named: NamedParties,
    facts: EventFacts,
) -> list[uuid.UUID]:
    """Creates each recipient's inbox entry and its email/webhook deliveries, once.

    Runs in the consumer's transaction: the entries, the deliveries, the INBOX delivery
    events and the processed-event row commit together. Returns the new entries' ids.
    """
    needs_societies = Named.SOCIETIES in RULES.get(event_type, frozenset())
    societies = await repository.society_ids(session) if needs_societies else frozenset()
    rows = notification_rows(event, event_type, named, facts, societies=societies)
    if not rows:
        return []
    created = await repository.insert_notifications(session, rows)
    if not created:
        return []
    contacts = await repository.contacts_of(session, [party for _, party in created])
    await repository.insert_deliveries(
        session,
        delivery_rows(
            [(notification_id, party, event.id) for notification_id, party in created], contacts
        ),
    )
    # The inbox is delivered by being written: its outcome is known in this transaction.
    await stage(
        session,
        [inbox_delivered(event, notification_id, party) for notification_id, party in created],
    )
    return [notification_id for notification_id, _ in created]


async def notify_many(
    session: AsyncSession,
    planned: Sequence[tuple[DecodedEvent, Sequence[dict[str, Any]]]],
) -> list[uuid.UUID]:
    """`notify` for many events at once: the same rows, in a few statements.

    `planned` holds each event (in record order) with its `notification_rows`. One insert
    of every inbox entry (the unique key still decides which are new), one read of their
    parties' contacts, one insert of their deliveries, and one `stage` of the INBOX
    delivery events, in the order the event-by-event path stages them.
    """
    rows: list[dict[str, Any]] = []
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for _, event_rows in planned:
        for row in event_rows:
            key = (row["event_id"], row["recipient_id"])
            # The same event twice in a batch: a key once, with the first copy's row, as
            # the unique key keeps it event by event.
            if key not in seen:
                seen.add(key)
                rows.append(row)
    created = await repository.insert_notifications_many(session, rows)
    if not created:
        return []
    events = {event.id: event for event, _ in planned}
    # Record order (event, then recipient), not the order the database answered in.
    new = [
        (created[(row["event_id"], row["recipient_id"])], row["recipient_id"], row["event_id"])
        for row in rows
        if (row["event_id"], row["recipient_id"]) in created
    ]
    contacts = await repository.contacts_of(session, {party for _, party, _ in new})
    await repository.insert_deliveries_many(session, delivery_rows(new, contacts))
    await stage(
        session,
        [
            inbox_delivered(events[event_id], notification_id, party)
            for notification_id, party, event_id in new
        ],
    )
    return [notification_id for notification_id, _, _ in new]


def notification_rows(
    event: DecodedEvent,
    event_type: str,
    named: NamedParties,
    facts: EventFacts,
    *,
    societies: frozenset[uuid.UUID],
) -> list[dict[str, Any]]:
    """The inbox entry of each party the event names (in id order), with its message."""
    parties = recipients(event_type, named, societies=societies)
    if not parties:
        return []
    event_data = event.data.model_dump(mode="json")
    rows: list[dict[str, Any]] = []
    for party in parties:
        message = compose(event_type, facts, party)
        rows.append(
            {
                "id": uuid.uuid4(),
                "recipient_id": party,
                "event_id": event.id,
                "event_type": event.type,
                "subject_id": event.subject,
                "title": message.subject,
                "message": message.body,
                "event_data": event_data,
                "event_time": event.time,
            }
        )
    return rows


def delivery_rows(
    created: Sequence[tuple[uuid.UUID, uuid.UUID, uuid.UUID]],
    contacts: dict[uuid.UUID, Contact],
) -> list[dict[str, Any]]:
    """The email/webhook deliveries of new inbox entries, given as (id, party, event id)."""
    deliveries: list[dict[str, Any]] = []
    for notification_id, party, event_id in created:
        for channel in channels_of(contacts.get(party)):
            deliveries.append(
                {
                    "id": uuid.uuid4(),
                    "notification_id": notification_id,
                    "recipient_id": party,
                    "event_id": event_id,
                    "channel": channel.value,
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                }
            )
    return deliveries


def inbox_delivered(
    event: DecodedEvent, notification_id: uuid.UUID, party: uuid.UUID
) -> NotificationDelivered:
    return NotificationDelivered(
        occurred_at=event.time,
        notification_id=notification_id,
        recipient_id=party,
        event_id=event.id,
        event_type=event.type,
        subject_id=event.subject,
        channel=Channel.INBOX,
        attempts=1,
    )


def channels_of(contact: Contact | None) -> list[Channel]:
    """The channels besides the inbox a party can be reached on (DOMAIN.md, Notifications)."""
    if contact is None:
        return []
    channels = []
    if contact.email:
        channels.append(Channel.EMAIL)
    if contact.webhook_url and contact.webhook_secret_sealed:
        channels.append(Channel.WEBHOOK)
    return channels


# --- contacts and societies ------------------------------------------------------------------


@dataclass(frozen=True)
class ContactView:
    """Contact settings as shown to their owner: never the secret, only whether there is one."""

    party_id: uuid.UUID
    email: str | None
    webhook_url: str | None
    has_webhook_secret: bool


def _own(principal: Principal, party_id: uuid.UUID) -> None:
    """A party's contact settings are its own (`contracts.access.may_manage_contacts`)."""
    caller = access.Caller(party_id=_principal_party(principal), roles=principal.roles)
    if not access.may_manage_contacts(caller, party_id):
        raise NotAllowed("only the party itself may do this", field="party_id")


def _view(party_id: uuid.UUID, contact: Contact | None) -> ContactView:
    if contact is None:
        return ContactView(
            party_id=party_id, email=None, webhook_url=None, has_webhook_secret=False
        )
    return ContactView(
        party_id=party_id,
        email=contact.email,
        webhook_url=contact.webhook_url,
        has_webhook_secret=contact.webhook_secret_sealed is not None,
    )


async def set_contacts(
    session: AsyncSession,
    *,
    principal: Principal,
    party_id: uuid.UUID,
    changes: dict[str, str | None],
    box: SecretBox,
    allow_loopback: bool,
    allow_private: bool = False,
) -> ContactView:
    _own(principal, party_id)
    stored = await session.get(Contact, party_id, with_for_update=True)
    current = _view(party_id, stored)
    change = change_contact_settings(
        ContactSettings(
            email=current.email,
            webhook_url=current.webhook_url,
            has_webhook_secret=current.has_webhook_secret,
        ),
        changes,
        allow_loopback=allow_loopback,
        allow_private=allow_private,
    )
    keep = change.new_secret is None and not change.drop_secret
    await repository.save_contact(
        session,
        party_id=party_id,
        email=change.email,
        webhook_url=change.webhook_url,
        sealed_secret=box.seal(change.new_secret) if change.new_secret else None,
        keep_secret=keep,
    )
    has_secret = change.new_secret is not None or (keep and current.has_webhook_secret)
    return ContactView(
        party_id=party_id,
        email=change.email,
        webhook_url=change.webhook_url,
        has_webhook_secret=has_secret and change.webhook_url is not None,
    )


async def get_contacts(
    session: AsyncSession, *, principal: Principal, party_id: uuid.UUID
) -> ContactView:
    _own(principal, party_id)
    return _view(party_id, await repository.get_contact(session, party_id))


def _operator(principal: Principal) -> None:
    if not principal.is_operator:
        raise NotAllowed("only an operator may subscribe collecting societies", code="NOT_OPERATOR")


async def subscribe_society(
    session: AsyncSession, *, principal: Principal, party_id: uuid.UUID
) -> None:
    _operator(principal)
    await repository.add_society(session, party_id=party_id, by=principal.party_id)


async def unsubscribe_society(
    session: AsyncSession, *, principal: Principal, party_id: uuid.UUID
) -> bool:
    _operator(principal)
    return await repository.remove_society(session, party_id=party_id)


# --- inbox -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxEntry:
    notification: Notification
    deliveries: list[Delivery]


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxEntry]
    next_cursor: str | None
    total_count: int


async def _with_deliveries(
    session: AsyncSession, notifications: list[Notification]
) -> list[InboxEntry]:
    deliveries = await repository.deliveries_of(session, [n.id for n in notifications])
    return [InboxEntry(n, deliveries.get(n.id, [])) for n in notifications]


async def list_inbox(
    session: AsyncSession,
    *,
    principal: Principal,
    recipient_id: uuid.UUID,
    unread_only: bool,
    first: int,
    after: str | None,
) -> InboxPage:
    caller = access.Caller(party_id=_principal_party(principal), roles=principal.roles)
    if not access.may_see_notification(caller, recipient_id):
        raise NotAllowed("a party reads only its own notifications", field="recipient_id")
    if not 1 <= first <= 100:
        raise InvalidInput("first is 1..100", field="first")
    cursor = repository.Cursor.decode(after) if after is not None else None
    items, total, next_cursor = await repository.inbox_page(
        session, recipient_id=recipient_id, unread_only=unread_only, first=first, after=cursor
    )
    return InboxPage(
        items=await _with_deliveries(session, items),
        next_cursor=next_cursor.encode() if next_cursor else None,
        total_count=total,
    )


async def inbox_by_subject(
    session: AsyncSession, *, principal: Principal, subject_ids: Sequence[uuid.UUID]
) -> dict[str, list[InboxEntry]]:
    """The caller's own entries about each subject; subjects with none are absent."""
    me = _principal_party(principal)
    # A subject is an aggregate id (ce_subject), stored in its canonical text form.
    found = await repository.notifications_by_subject(
        session, recipient_id=me, subject_ids=[str(subject) for subject in subject_ids]
    )
    grouped: dict[str, list[InboxEntry]] = {}
    for entry in await _with_deliveries(session, found):
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
    me = _principal_party(principal)
    if me not in recipient_ids:
        return {}
    items, _, _ = await repository.inbox_page(
        session, recipient_id=me, unread_only=unread_only, first=first, after=None
    )
    return {str(me): await _with_deliveries(session, items)}


async def mark_read(
    session: AsyncSession, *, principal: Principal, ids: Sequence[uuid.UUID]
) -> int:
    if len(ids) > MAX_BATCH_IDS:
        raise InvalidInput(f"at most {MAX_BATCH_IDS} ids", field="ids")
    return await repository.mark_read(session, recipient_id=_principal_party(principal), ids=ids)


async def redeliver(
    session: AsyncSession, *, principal: Principal, delivery_id: uuid.UUID
) -> Delivery:
    """Puts the caller's own FAILED delivery back in the queue, due now (domain/retry.py)."""
    delivery = await session.get(Delivery, delivery_id, with_for_update=True)
    # Another party's delivery answers as an unknown one: ids are not a way to probe.
    caller = access.Caller(party_id=_principal_party(principal), roles=principal.roles)
    if delivery is None or not access.may_see_notification(caller, delivery.recipient_id):
        raise NotFound("no such delivery of yours", field="delivery_id")
    if redelivers(delivery.status):
        await repository.requeue_delivery(session, delivery)
    return delivery


def _principal_party(principal: Principal) -> uuid.UUID:
    try:
        return uuid.UUID(principal.party_id)
    except ValueError as exc:
        raise NotAllowed("the token's subject is not a party id", field="Authorization") from exc


def delivery_json(d: Delivery) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "channel": d.channel,
        "status": d.status,
        "attempts": d.attempts,
        "last_error": d.last_error,
    }


def entry_json(entry: InboxEntry) -> dict[str, Any]:
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
