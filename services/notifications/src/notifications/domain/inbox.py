"""What an event leaves behind here: each recipient's inbox entry and its email/webhook
deliveries (DOMAIN.md, "Notifications"), decided without I/O."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from contracts.enums import Channel
from contracts.envelope import DecodedEvent

from notifications.domain.contacts import ContactSettings
from notifications.domain.messages import EventFacts, compose
from notifications.domain.recipients import NamedParties, recipients


@dataclass(frozen=True)
class NewEntry:
    """One party's inbox entry for one event, before it is stored."""

    id: uuid.UUID
    recipient_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str  # the CloudEvents type, as the API shows it
    subject_id: str
    title: str
    message: str
    event_time: datetime

    @property
    def key(self) -> tuple[uuid.UUID, uuid.UUID]:
        """What makes an entry unique: one per (event, party)."""
        return (self.event_id, self.recipient_id)


@dataclass(frozen=True)
class NewDelivery:
    """Sending one new entry over one channel besides the inbox, pending its first try."""

    id: uuid.UUID
    notification_id: uuid.UUID
    recipient_id: uuid.UUID
    event_id: uuid.UUID
    channel: Channel


@dataclass(frozen=True)
class CreatedEntry:
    """An entry that did not exist yet, once stored: its id and what it was made from."""

    id: uuid.UUID
    recipient_id: uuid.UUID
    event_id: uuid.UUID


def entries_for(
    event: DecodedEvent,
    event_type: str,
    named: NamedParties,
    facts: EventFacts,
    *,
    societies: frozenset[uuid.UUID],
) -> list[NewEntry]:
    """The inbox entry of each party the event names (in id order), with its message."""
    parties = recipients(event_type, named, societies=societies)
    if not parties:
        return []
    # A message differs between recipients only by their own statement line: without lines,
    # one message serves every party.
    shared = None if facts.line_amounts else compose(event_type, facts, parties[0])
    entries = []
    for party in parties:
        message = shared or compose(event_type, facts, party)
        entries.append(
            NewEntry(
                id=uuid.uuid4(),
                recipient_id=party,
                event_id=event.id,
                event_type=event.type,
                subject_id=event.subject,
                title=message.subject,
                message=message.body,
                event_time=event.time,
            )
        )
    return entries


def channels_of(contact: ContactSettings | None) -> list[Channel]:
    """The channels besides the inbox a party can be reached on (DOMAIN.md, Notifications)."""
    if contact is None:
        return []
    channels = []
    if contact.email:
        channels.append(Channel.EMAIL)
    if contact.webhook_url and contact.has_webhook_secret:
        channels.append(Channel.WEBHOOK)
    return channels


def deliveries_for(
    created: Sequence[CreatedEntry | NewEntry], contacts: Mapping[uuid.UUID, ContactSettings]
) -> list[NewDelivery]:
    """The email/webhook deliveries of new inbox entries, in entry then channel order."""
    return [
        NewDelivery(
            id=uuid.uuid4(),
            notification_id=entry.id,
            recipient_id=entry.recipient_id,
            event_id=entry.event_id,
            channel=channel,
        )
        for entry in created
        for channel in channels_of(contacts.get(entry.recipient_id))
    ]
