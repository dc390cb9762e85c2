"""Webhooks: signed calls a real receiver verifies, retried with backoff, bounded, recorded."""

from __future__ import annotations

import json
import uuid

from contracts.enums import Channel
from contracts.envelope import decode
from contracts.events import NotificationFailed
from contracts.topics import NOTIFICATION_FAILED, NOTIFICATIONS_DELIVERIES

from .harness import Auth, Service, WebhookReceiver, eventually, work_registered

SECRET = "a-secret-the-party-chose"


async def _subscribe(
    service: Service,
    party: uuid.UUID,
    receiver: WebhookReceiver,
    auth: Auth,
) -> None:
    answer = await service.client.put(
        f"/contacts/{party}",
        json={"webhook_url": receiver.url, "webhook_secret": receiver.secret},
        headers=auth(party),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "party_id": str(party),
        "email": None,
        "webhook_url": receiver.url,
        "has_webhook_secret": True,
    }


async def _delivery(service: Service, party: uuid.UUID, status: str) -> list[object] | None:
    rows = await service.query(
        "SELECT id, attempts, last_error FROM delivery "
        "WHERE recipient_id = :p AND channel = 'WEBHOOK' AND status = :s",
        p=party,
        s=status,
    )
    return list(rows[0]) if rows else None


async def test_webhook_call_is_signed_so_the_receiver_verifies_it(
    service: Service, auth: Auth
) -> None:
    party = uuid.uuid4()
    with WebhookReceiver(secret=SECRET) as receiver:
        await _subscribe(service, party, receiver, auth)
        event_id = await service.publish(work_registered([party], title="Signed"))
        await eventually(lambda: _delivery(service, party, "DELIVERED"))

    assert len(receiver.calls) == 1
    call = receiver.calls[0]
    assert call.authentic
    assert call.headers["X-Rights-Signature"].startswith("sha256=")
    assert call.headers["X-Rights-Timestamp"].isdigit()
    body = call.json()
    assert body["event_id"] == str(event_id)
    assert body["recipient_id"] == str(party)
    assert body["event_type"] == "org.aseanip.filing.work.registered.v1"
    assert body["data"]["work"]["title"] == "Signed"


async def test_receiver_with_another_secret_sees_a_forgery(service: Service, auth: Auth) -> None:
    party = uuid.uuid4()
    with WebhookReceiver(secret=SECRET) as receiver:
        await _subscribe(service, party, receiver, auth)
        receiver.secret = "not-the-secret-registered"
        await service.publish(work_registered([party]))
        await eventually(lambda: receiver.calls)
    assert not receiver.calls[0].authentic


async def test_endpoint_failing_twice_then_succeeding_shows_three_attempts_and_one_delivery(
    service: Service, auth: Auth
) -> None:
    party = uuid.uuid4()
    with WebhookReceiver(secret=SECRET, fail_first=2) as receiver:
        await _subscribe(service, party, receiver, auth)
        await service.publish(work_registered([party]))
        delivery_id, attempts, last_error = await eventually(
            lambda: _delivery(service, party, "DELIVERED")
        )

    assert attempts == 3
    assert last_error is None
    assert [c.answered for c in receiver.calls] == [503, 503, 204]
    assert all(c.authentic for c in receiver.calls)
    # Each retry is re-signed at its own time but carries the same body.
    assert len({c.body for c in receiver.calls}) == 1
    recorded = await service.query(
        "SELECT attempt, succeeded, error FROM delivery_attempt "
        "WHERE delivery_id = :d ORDER BY attempt",
        d=delivery_id,
    )
    assert [tuple(r) for r in recorded] == [
        (1, False, "webhook answered HTTP 503"),
        (2, False, "webhook answered HTTP 503"),
        (3, True, None),
    ]
    published = await service.scalar(
        "SELECT count(*) FROM outbox WHERE headers::text LIKE '%notification.delivered%' "
        "AND convert_from(value, 'UTF8')::jsonb ->> 'recipient_id' = :p "
        "AND convert_from(value, 'UTF8')::jsonb ->> 'channel' = :c",
        p=str(party),
        c=Channel.WEBHOOK.value,
    )
    assert published == 1


async def test_endpoint_that_always_fails_ends_failed_after_the_bounded_tries(
    service: Service, auth: Auth
) -> None:
    party = uuid.uuid4()
    with WebhookReceiver(secret=SECRET, always_fail=True) as receiver:
        await _subscribe(service, party, receiver, auth)
        await service.publish(work_registered([party]))
        _, attempts, last_error = await eventually(lambda: _delivery(service, party, "FAILED"))
        calls = len(receiver.calls)

    assert attempts == service.settings.retry_max_attempts == 3
    assert calls == 3
    assert last_error == "webhook answered HTTP 503"
    record = await service.read_topic(
        NOTIFICATIONS_DELIVERIES,
        lambda r: (
            dict(r.headers)["ce_type"] == NOTIFICATION_FAILED.encode()
            and json.loads(r.value)["recipient_id"] == str(party)
        ),
    )
    failed = decode(record.value, record.headers, key=record.key).data
    assert isinstance(failed, NotificationFailed)
    assert (failed.channel, failed.attempts) == (Channel.WEBHOOK, 3)
    assert failed.error == "webhook answered HTTP 503"
    assert b"127.0.0.1" not in record.value  # the URL never travels on an event
