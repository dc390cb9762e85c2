"""Exactly once per (event, party, channel), however often the event is delivered."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from contracts.envelope import decode, encode
from notifications.domain.inbox import entries_for
from notifications.domain.messages import EventFacts
from notifications.domain.recipients import NamedParties
from notifications.handlers import notify
from notifications.smtp_server import LocalSmtpServer

from .harness import Service, WebhookReceiver, eventually, work_registered

SECRET = "exactly-once-secret-0123"


async def test_same_event_delivered_five_times_yields_one_notification_per_channel(
    service: Service, smtp: LocalSmtpServer, auth: Callable[..., dict[str, str]]
) -> None:
    party = uuid.uuid4()
    address = f"once-{party.hex[:8]}@example.com"
    with WebhookReceiver(secret=SECRET) as receiver:
        await service.set_contacts(
            party, auth(party), email=address, webhook_url=receiver.url, webhook_secret=SECRET
        )
        event = work_registered([party])
        event_id = uuid.uuid4()
        for _ in range(5):
            await service.publish(event, event_id=event_id)

        await service.until_delivered(party, 2)
        # A marker event published after the five copies: once it is in, all five were consumed.
        marker = uuid.uuid4()
        await service.publish(work_registered([marker]))
        await eventually(
            lambda: service.scalar(
                "SELECT count(*) FROM notification WHERE recipient_id = :p", p=marker
            )
        )

        assert (
            await service.scalar(
                "SELECT count(*) FROM notification WHERE recipient_id = :p", p=party
            )
            == 1
        )
        channels = await service.query(
            "SELECT channel, count(*) FROM delivery WHERE recipient_id = :p "
            "GROUP BY channel ORDER BY channel",
            p=party,
        )
        assert [tuple(r) for r in channels] == [("EMAIL", 1), ("WEBHOOK", 1)]
        assert len([m for m in smtp.store.messages if address in m.rcpt_tos]) == 1
        assert len(receiver.calls) == 1


async def test_unique_key_keeps_one_notification_even_past_the_consumer_dedup(
    service: Service,
) -> None:
    """The (event, party[, channel]) keys hold on their own: notifying twice in two
    transactions (as two racing consumers would) still leaves one entry per channel."""
    party = uuid.uuid4()
    record = encode(work_registered([party]), event_id=uuid.uuid4())
    event = decode(record.value, record.headers, key=record.key)
    uow = service.app.state.runtime.uow
    created = []
    for _ in range(2):
        entries = entries_for(
            event,
            "work.registered",
            NamedParties(rights_holders=frozenset({party})),
            EventFacts(work_title="T"),
            societies=frozenset(),
        )
        async with uow() as u:
            created.append(await notify(u, [event], entries))
    assert created == [1, 0]
    assert (
        await service.scalar("SELECT count(*) FROM notification WHERE recipient_id = :p", p=party)
        == 1
    )
