"""This service's domain outcomes as contract events: `notification.delivered` and
`notification.failed`. No event here implies side rows, so there is no `side_rows` hook."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from contracts.enums import Channel
from contracts.envelope import DecodedEvent
from contracts.events import NotificationDelivered, NotificationFailed

from notifications.domain.inbox import CreatedEntry


def inbox_delivered(event: DecodedEvent, entry: CreatedEntry) -> NotificationDelivered:
    """The inbox is delivered by being written: its outcome is known in the same transaction."""
    return NotificationDelivered(
        occurred_at=event.time,
        notification_id=entry.id,
        recipient_id=entry.recipient_id,
        event_id=event.id,
        event_type=event.type,
        subject_id=event.subject,
        channel=Channel.INBOX,
        attempts=1,
    )


@dataclass(frozen=True)
class FinishedDelivery:
    """An email or webhook delivery that ended, delivered or given up, at its last attempt."""

    notification_id: uuid.UUID
    recipient_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    subject_id: str
    channel: Channel
    attempts: int
    delivered: bool
    error: str | None


def delivery_outcome(
    finished: FinishedDelivery, *, at: datetime
) -> NotificationDelivered | NotificationFailed:
    delivered = NotificationDelivered(
        occurred_at=at,
        notification_id=finished.notification_id,
        recipient_id=finished.recipient_id,
        event_id=finished.event_id,
        event_type=finished.event_type,
        subject_id=finished.subject_id,
        channel=finished.channel,
        attempts=finished.attempts,
    )
    if finished.delivered:
        return delivered
    return NotificationFailed(**delivered.model_dump(), error=finished.error or "failed")
