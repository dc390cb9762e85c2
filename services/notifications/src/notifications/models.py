"""The service's tables: read model of other services' events, contacts, inbox and deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from runtime.columns import serial_key, utc_column
from runtime.consumer import ProcessedEvent
from runtime.outbox import OutboxMessage
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlmodel import Field, SQLModel

from notifications.domain.contacts import ContactSettings

__all__ = [
    "Contact",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryStatus",
    "KnownLicence",
    "KnownParty",
    "KnownWork",
    "Notification",
    "OutboxMessage",
    "ProcessedEvent",
    "Society",
]


# --- read model, from events only ----------------------------------------------------------


class _Known(SQLModel):
    """What every read-model row has: the id of the thing an event told of, and when the
    last event about it was stored. Declared by type, so each table gets columns of its own."""

    id: uuid.UUID = Field(primary_key=True)
    updated_at: datetime = Field(
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": text("now()")},
        nullable=False,
    )


class KnownParty(_Known, table=True):
    """A party's public name, from filing.parties.v1."""

    __tablename__ = "known_party"

    name: str


class KnownWork(_Known, table=True):
    """What recipient resolution and messages need of a work, from filing.works.v1."""

    __tablename__ = "known_work"

    title: str
    filing_number: str
    registration_number: str | None = None
    status: str
    owner_ids: list[uuid.UUID] = Field(sa_column=Column(ARRAY(UUID(as_uuid=True)), nullable=False))
    # Who opened the current dispute, so its resolution reaches them too.
    disputant_id: uuid.UUID | None = None


class KnownLicence(_Known, table=True):
    """A licence's parties, from licensing.licences.v1."""

    __tablename__ = "known_licence"

    work_id: uuid.UUID
    licensor_id: uuid.UUID
    licensee_id: uuid.UUID
    status: str


# --- this service's own data ---------------------------------------------------------------


class Contact(SQLModel, table=True):
    """A party's private contact settings, set through this service's API only."""

    __tablename__ = "contact"

    party_id: uuid.UUID = Field(primary_key=True)
    email: str | None = None
    webhook_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Fernet-encrypted (see secret_box.py); no route ever returns it.
    webhook_secret_sealed: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    updated_at: datetime = Field(sa_column=utc_column(default_now=True))

    def settings(self) -> ContactSettings:
        """As the domain sees them: whether there is a secret, never the secret."""
        return ContactSettings(
            email=self.email,
            webhook_url=self.webhook_url,
            has_webhook_secret=self.webhook_secret_sealed is not None,
        )


class Society(SQLModel, table=True):
    """A party subscribed as a collecting society (by an operator)."""

    __tablename__ = "society"

    party_id: uuid.UUID = Field(primary_key=True)
    subscribed_by: str
    subscribed_at: datetime = Field(sa_column=utc_column(default_now=True))


class Notification(SQLModel, table=True):
    """One inbox entry: what one party learns of one event."""

    __tablename__ = "notification"
    __table_args__ = (
        # Exactly once per (event, party) in the inbox: a key, not a check-then-insert.
        UniqueConstraint("event_id", "recipient_id", name="uq_notification_event_recipient"),
        Index("ix_notification_inbox", "recipient_id", text("created_at DESC"), text("id DESC")),
        Index("ix_notification_subject", "recipient_id", "subject_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    recipient_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str = Field(sa_column=Column(String(200), nullable=False))
    subject_id: str = Field(sa_column=Column(String(200), nullable=False))
    title: str = Field(sa_column=Column(Text, nullable=False))
    message: str = Field(sa_column=Column(Text, nullable=False))
    event_time: datetime = Field(sa_column=utc_column())
    created_at: datetime = Field(sa_column=utc_column(default_now=True))
    read_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


class Delivery(SQLModel, table=True):
    """Sending one notification over one channel (EMAIL or WEBHOOK), with its retries.

    Created in the same transaction as the inbox entry; workers claim due rows with
    FOR UPDATE SKIP LOCKED, so any number of workers share them and a restart resumes them.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        # Exactly once per (event, party, channel).
        UniqueConstraint(
            "event_id", "recipient_id", "channel", name="uq_delivery_event_recipient_channel"
        ),
        Index(
            "ix_delivery_due",
            "next_attempt_at",
            postgresql_where=text("status = 'PENDING'"),
        ),
        Index("ix_delivery_notification", "notification_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    notification_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("notification.id"), nullable=False)
    )
    recipient_id: uuid.UUID
    event_id: uuid.UUID
    channel: str = Field(sa_column=Column(String(16), nullable=False))
    # The event's public data, sent along in the webhook body (WEBHOOK deliveries only).
    event_data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    status: str = Field(
        default=DeliveryStatus.PENDING, sa_column=Column(String(16), nullable=False)
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=utc_column(default_now=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(sa_column=utc_column(default_now=True))
    finished_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class DeliveryAttempt(SQLModel, table=True):
    """One try of a delivery and its outcome, kept for the record."""

    __tablename__ = "delivery_attempt"
    __table_args__ = (UniqueConstraint("delivery_id", "attempt", name="uq_delivery_attempt"),)

    id: int | None = Field(default=None, sa_column=serial_key())
    delivery_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("delivery.id"), nullable=False)
    )
    attempt: int
    succeeded: bool
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    at: datetime = Field(sa_column=utc_column(default_now=True))
