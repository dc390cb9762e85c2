"""This service's outcomes as contract events: `notification.delivered` and
`notification.failed`. No event here implies side rows, so there is no `side_rows` hook."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from contracts.enums import Channel
from contracts.envelope import CONTENT_TYPE, SPECVERSION, DecodedEvent, dataschema_uri
from contracts.events import NotificationDelivered, NotificationFailed
from opentelemetry import propagate

from notifications.domain.inbox import CreatedEntry


@dataclass(frozen=True)
class Attempt:
    """One notification on one channel, as its outcome event tells of it."""

    notification_id: uuid.UUID
    recipient_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    subject_id: str
    channel: Channel
    attempts: int


    def fields(self) -> dict[str, object]:
        # By hand: `dataclasses.asdict` deep-copies every value (a third of a batch's time).
        return {
            "notification_id": self.notification_id,
            "recipient_id": self.recipient_id,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "subject_id": self.subject_id,
            "channel": self.channel,
            "attempts": self.attempts,
        }


def delivered(attempt: Attempt, *, at: datetime) -> NotificationDelivered:
    return NotificationDelivered(occurred_at=at, **attempt.fields())


def failed(attempt: Attempt, *, at: datetime, error: str | None) -> NotificationFailed:
    return NotificationFailed(occurred_at=at, error=error or "failed", **attempt.fields())


def inbox_delivered(event: DecodedEvent, entry: CreatedEntry) -> NotificationDelivered:
    """The inbox is delivered by being written: its outcome is known in the same transaction."""
    inbox = Attempt(
        notification_id=entry.id, recipient_id=entry.recipient_id, event_id=event.id,
        event_type=event.type, subject_id=event.subject, channel=Channel.INBOX, attempts=1,
    )  # fmt: skip
    return delivered(inbox, at=event.time)


def inbox_outbox() -> dict[str, object]:
    """What the `notification.delivered` records of a batch's inbox entries share, as
    `inbox_delivered` and `contracts.envelope.encode` make them, with the current trace
    context (as `runtime.outbox.outbox_rows` takes it): the parameters (`ob_…`) of the
    statement that builds them from the stored entries (`repository.store_entries`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    traceparent = carrier.get("traceparent")
    trace = [["traceparent", traceparent]] if traceparent else []
    if traceparent and carrier.get("tracestate"):
        trace.append(["tracestate", carrier["tracestate"]])
    kind = NotificationDelivered
    return {
        "ob_topic": kind.topic,
        "ob_channel": Channel.INBOX.value,
        "ob_specversion": SPECVERSION,
        "ob_source": kind.source,
        "ob_type": kind.ce_type,
        "ob_dataschema": dataschema_uri(kind.ce_type),
        "ob_content_type": CONTENT_TYPE,
        "ob_trace_headers": json.dumps(trace),
        "ob_traceparent": traceparent,
    }
