"""The delivery worker: sends due email and webhook deliveries, retries them, records outcomes.

Deliveries are rows (status, attempts, next_attempt_at) written with the inbox entry. The
worker claims due rows with FOR UPDATE SKIP LOCKED, counts the attempt and leases the row
(next_attempt_at moves past the send's time limit) in one short transaction, then sends
outside any transaction and records the outcome in another. Any number of workers share the
rows; a worker killed mid-send leaves a leased row that becomes due again when the lease
ends, so a restart resumes every pending retry and the bound on attempts still holds.
Outcomes go out as notification.delivered / notification.failed, emitted in the unit of work
that records them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from contracts.enums import Channel
from runtime.uow import UnitOfWorkFactory
from runtime.wakeup import NotifiedLoop
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from notifications.channels import EmailChannel, Outcome, WebhookChannel
from notifications.domain.retry import Verdict, next_step
from notifications.events import Attempt, delivered, failed
from notifications.repository import DELIVERY_CHANNEL
from notifications.secret_box import SecretBox
from notifications.settings import NotificationsSettings

log = logging.getLogger(__name__)

_CLAIM = text(
    """
    WITH due AS (
        SELECT id FROM delivery
        WHERE status = 'PENDING' AND next_attempt_at <= now()
        ORDER BY next_attempt_at
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    )
    UPDATE delivery AS d
    SET attempts = d.attempts + 1,
        next_attempt_at = now() + make_interval(secs => :lease)
    FROM due
    WHERE d.id = due.id
    RETURNING d.id
    """
)

_LOAD = text(
    """
    SELECT d.id, d.channel, d.attempts, d.recipient_id, d.event_id,
           n.id AS notification_id, n.event_type, n.subject_id, n.title, n.message,
           d.event_data, n.event_time,
           c.email, c.webhook_url, c.webhook_secret_sealed
    FROM delivery d
    JOIN notification n ON n.id = d.notification_id
    LEFT JOIN contact c ON c.party_id = d.recipient_id
    WHERE d.id = ANY(:ids)
    """
)


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery with what sending it needs."""

    id: uuid.UUID
    channel: Channel
    attempts: int  # counting the one this claim is for
    recipient_id: uuid.UUID
    event_id: uuid.UUID
    notification_id: uuid.UUID
    event_type: str
    subject_id: str
    title: str
    message: str
    event_data: dict[str, Any] | None  # a WEBHOOK delivery's only
    event_time: datetime
    email: str | None
    webhook_url: str | None
    webhook_secret_sealed: bytes | None


def webhook_body(item: Claimed) -> bytes:
    """The JSON a receiver gets: the notification and the event's public data."""
    body = {
        "notification_id": str(item.notification_id),
        "delivery_id": str(item.id),
        "recipient_id": str(item.recipient_id),
        "event_id": str(item.event_id),
        "event_type": item.event_type,
        "subject_id": item.subject_id,
        "occurred_at": item.event_time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "title": item.title,
        "message": item.message,
        "data": item.event_data,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class DeliveryWorker(NotifiedLoop):
    """Sends deliveries as they fall due; a `runtime.service.Component`."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        uow: UnitOfWorkFactory,
        settings: NotificationsSettings,
        box: SecretBox,
        email: EmailChannel | None = None,
        webhook: WebhookChannel | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        super().__init__(
            engine=engine,
            channel=DELIVERY_CHANNEL,
            name="notification-delivery",
            poll_seconds=settings.delivery_poll_seconds,
        )
        self.uow = uow
        self.settings = settings
        self.policy = settings.retry_policy
        self.box = box
        self.email = email or EmailChannel(settings)
        self.webhook = webhook or WebhookChannel(settings)
        self.rand = rand

    async def stop(self) -> None:
        await super().stop()
        await self.webhook.close()

    async def round(self) -> bool:
        return await self.run_once() >= self.settings.delivery_batch_size

    async def idle_seconds(self) -> float:
        return await self._seconds_until_next_due()

    async def _seconds_until_next_due(self) -> float:
        async with self.engine.connect() as conn:
            seconds = await conn.scalar(
                text(
                    "SELECT EXTRACT(EPOCH FROM min(next_attempt_at) - now()) "
                    "FROM delivery WHERE status = 'PENDING'"
                )
            )
        poll = self.settings.delivery_poll_seconds
        return poll if seconds is None else max(0.0, min(poll, float(seconds)))

    # -- one round --------------------------------------------------------------------------
    async def run_once(self) -> int:
        """Claims the due deliveries, sends them and records the outcomes; returns how many."""
        claimed = await self._claim()
        if claimed:
            # Side by side, at most a batch at a time: each call ends by its own deadline
            # (webhook_timeout_seconds), so one slow receiver delays none of the others.
            await asyncio.gather(*(self._deliver(item) for item in claimed))
        return len(claimed)

    async def _claim(self) -> list[Claimed]:
        lease = self.settings.delivery_lease_seconds
        async with self.uow() as uow:
            ids = [
                row[0]
                for row in await uow.session.execute(
                    _CLAIM, {"limit": self.settings.delivery_batch_size, "lease": lease}
                )
            ]
            if not ids:
                return []
            rows = (await uow.session.execute(_LOAD, {"ids": ids})).mappings().all()
        return [Claimed(**{**row, "channel": Channel(row["channel"])}) for row in rows]

    async def _deliver(self, item: Claimed) -> None:
        try:
            outcome = await self._send(item)
        except Exception:
            log.exception("delivery %s crashed while sending", item.id)
            outcome = Outcome(False, "internal error")
        await self._record(item, outcome)

    async def _send(self, item: Claimed) -> Outcome:
        if item.channel is Channel.EMAIL:
            if not item.email:
                return Outcome(False, "the party no longer has an email address", permanent=True)
            return await self.email.send(
                to=item.email, subject=item.title, body=item.message, message_id=str(item.id)
            )
        if item.channel is Channel.WEBHOOK:
            if not item.webhook_url or item.webhook_secret_sealed is None:
                return Outcome(False, "the party no longer has a webhook", permanent=True)
            return await self.webhook.send(
                url=item.webhook_url,
                secret=self.box.open(item.webhook_secret_sealed),
                body=webhook_body(item),
                delivery_id=str(item.id),
                event_id=str(item.event_id),
            )
        return Outcome(False, f"unknown channel {item.channel}", permanent=True)

    async def _record(self, item: Claimed, outcome: Outcome) -> None:
        step = next_step(
            self.policy,
            item.attempts,
            delivered=outcome.delivered,
            permanent=outcome.permanent,
            rand=self.rand,
        )
        final = step.verdict is not Verdict.RETRY
        status = "PENDING" if step.verdict is Verdict.RETRY else step.verdict.value
        delay = step.wait.total_seconds()
        async with self.uow() as uow:
            # Guarded by the attempt number: if this worker's lease ran out and another one
            # claimed the row again, only the later attempt's outcome counts.
            updated = await uow.session.execute(
                text(
                    "UPDATE delivery SET status = :status, last_error = :error, "
                    "next_attempt_at = now() + make_interval(secs => :delay), "
                    "finished_at = CASE WHEN :final THEN now() END "
                    "WHERE id = :id AND attempts = :attempt AND status = 'PENDING' RETURNING id"
                ),
                {
                    "status": status,
                    "error": outcome.error,
                    "delay": delay,
                    "final": final,
                    "id": item.id,
                    "attempt": item.attempts,
                },
            )
            if updated.first() is None:
                return
            await uow.session.execute(
                text(
                    "INSERT INTO delivery_attempt (delivery_id, attempt, succeeded, error) "
                    "VALUES (:id, :attempt, :ok, :error) ON CONFLICT DO NOTHING"
                ),
                {
                    "id": item.id,
                    "attempt": item.attempts,
                    "ok": outcome.delivered,
                    "error": outcome.error,
                },
            )
            if final:
                at = datetime.now(UTC)
                uow.emit(
                    delivered(_attempt(item), at=at)
                    if outcome.delivered
                    else failed(_attempt(item), at=at, error=outcome.error)
                )
        log.info(
            "delivery %s (%s) attempt %d: %s",
            item.id,
            item.channel.value,
            item.attempts,
            status if final else f"retry in {delay:.2f}s ({outcome.error})",
        )


def _attempt(item: Claimed) -> Attempt:
    return Attempt(**{f.name: getattr(item, f.name) for f in fields(Attempt)})
