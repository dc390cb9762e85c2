"""Notifications' events: the outcome of delivering a notification on one channel."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts import topics
from contracts.enums import Channel
from contracts.events.base import (
    EventData,
    NonEmptyText,
)

# --- notifications -------------------------------------------------------------------------


class NotificationEvent(EventData):
    """A delivery outcome; it names the channel, never the address it went to."""

    topic: ClassVar[str] = topics.NOTIFICATIONS_DELIVERIES
    source: ClassVar[str] = topics.NOTIFICATIONS_SOURCE

    notification_id: UUID
    recipient_id: UUID
    event_id: UUID = Field(description="ce_id of the event the notification is about")
    event_type: NonEmptyText = Field(description="ce_type of that event")
    subject_id: NonEmptyText = Field(description="ce_subject of that event")
    channel: Channel
    attempts: int = Field(ge=1)

    def aggregate_id(self) -> str:
        return str(self.recipient_id)


class NotificationDelivered(NotificationEvent):
    """A notification reached a party on one channel."""

    ce_type: ClassVar[str] = topics.NOTIFICATION_DELIVERED


class NotificationFailed(NotificationEvent):
    """A notification could not be delivered on one channel; retries are over."""

    ce_type: ClassVar[str] = topics.NOTIFICATION_FAILED

    error: NonEmptyText = Field(description="why the last attempt failed (no secrets, no URL)")
