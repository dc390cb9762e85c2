"""This service's outcomes as contract events: `notification.delivered` and
`notification.failed`. No event here implies side rows, so there is no `side_rows` hook."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from contracts.enums import Channel
from contracts.envelope import CONTENT_TYPE, SPECVERSION, DecodedEvent, dataschema_uri
from contracts.events import NotificationDelivered, NotificationFailed
from contracts.times import format_rfc3339
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


@dataclass(frozen=True)
class InboxOutbox:
    """What the `notification.delivered` records of a batch's inbox entries share, as the
    parameters (`ob_…`) of the statement that builds them from the stored entries
    (`repository.store_entries`), and each event's time as its `occurred_at` and `ce_time`."""

    params: dict[str, object]
    times: dict[uuid.UUID, str]


def inbox_outbox(events: Sequence[DecodedEvent]) -> InboxOutbox:
    """As `inbox_delivered` and `contracts.envelope.encode` make them, with the current trace
    context (as `runtime.outbox.outbox_rows` takes it)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    traceparent = carrier.get("traceparent")
    trace = [["traceparent", traceparent]] if traceparent else []
    if traceparent and carrier.get("tracestate"):
        trace.append(["tracestate", carrier["tracestate"]])
    kind = NotificationDelivered
    return InboxOutbox(
        params={
            "ob_topic": kind.topic,
            "ob_channel": Channel.INBOX.value,
            "ob_specversion": SPECVERSION,
            "ob_source": kind.source,
            "ob_type": kind.ce_type,
            "ob_dataschema": dataschema_uri(kind.ce_type),
            "ob_content_type": CONTENT_TYPE,
            "ob_trace_headers": json.dumps(trace),
            "ob_traceparent": traceparent,
        },
        times={event.id: format_rfc3339(event.time) for event in events},
    )
