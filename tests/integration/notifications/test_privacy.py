"""No contact detail (email, webhook URL, secret) in a log line or on an event."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import pytest
from contracts.topics import NOTIFICATIONS_DELIVERIES
from notifications.smtp_server import LocalSmtpServer

from .harness import Service, WebhookReceiver, work_registered

SECRET = "privacy-secret-0123456789"


async def test_delivering_by_email_and_webhook_logs_and_publishes_no_contact_detail(
    service: Service,
    smtp: LocalSmtpServer,
    auth: Callable[..., dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    party = uuid.uuid4()
    address = f"private-{party.hex[:8]}@example.com"
    with WebhookReceiver(secret=SECRET, fail_first=1) as receiver:
        await service.set_contacts(
            party, auth(party), email=address, webhook_url=receiver.url, webhook_secret=SECRET
        )
        await service.publish(work_registered([party]))

        await service.until_delivered(party, 2)
        url = receiver.url

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for private in (address, url, SECRET):
        assert private not in logged
    # The outcomes went out on Kafka; their records carry none of it either.
    record = await service.read_topic(
        NOTIFICATIONS_DELIVERIES, lambda r: str(party).encode() in r.value and b"WEBHOOK" in r.value
    )
    for private in (address, url, SECRET):
        assert private.encode() not in record.value
        assert all(private.encode() not in value for _, value in record.headers)
