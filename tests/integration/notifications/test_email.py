"""Email: a real SMTP server receives the notification with the right recipient and subject."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from unittest.mock import ANY

from notifications.smtp_server import LocalSmtpServer

from .harness import Service, eventually, running_service, work_registered


async def test_registered_work_is_emailed_to_each_holder_over_real_smtp(
    service: Service, smtp: LocalSmtpServer, auth: Callable[..., dict[str, str]]
) -> None:
    holder, other = uuid.uuid4(), uuid.uuid4()
    address = f"holder-{holder.hex[:8]}@example.com"
    answer = await service.client.put(
        f"/contacts/{holder}", json={"email": address}, headers=auth(holder)
    )
    assert answer.status_code == 200, answer.text
    title = f"Song {holder.hex[:6]}"

    await service.publish(work_registered([holder, other], title=title))

    mail = await smtp.store.wait_for(lambda m: address in m.rcpt_tos, within=20)
    assert mail.rcpt_tos == (address,)
    assert mail.to == address
    assert mail.subject == f"[Rights Register] Work registered: {title}"
    assert "is registered as R-2026-" in mail.body

    async def delivered() -> bool:
        page = (
            await service.client.get(
                "/notifications", params={"recipient_id": str(holder)}, headers=auth(holder)
            )
        ).json()
        return bool(page["items"]) and page["items"][0]["deliveries"] == [
            {
                "id": ANY,  # the delivery's own id, for a redelivery
                "channel": "EMAIL",
                "status": "DELIVERED",
                "attempts": 1,
                "last_error": None,
            }
        ]

    await eventually(delivered)


async def test_party_without_email_gets_only_the_inbox(
    service: Service, smtp: LocalSmtpServer, auth: Callable[..., dict[str, str]]
) -> None:
    holder = uuid.uuid4()
    await service.publish(work_registered([holder]))

    async def inbox() -> list[dict[str, object]]:
        answer = await service.client.get(
            "/notifications", params={"recipient_id": str(holder)}, headers=auth(holder)
        )
        items: list[dict[str, object]] = answer.json()["items"]
        return items

    items = await eventually(inbox)
    assert items[0]["deliveries"] == []


async def test_unreachable_smtp_server_fails_the_delivery_not_the_consumer(
    create_database: Callable[[str], Awaitable[str]], auth: Callable[..., dict[str, str]]
) -> None:
    # Port 9 (discard) on loopback has no SMTP server: every connection is refused.
    async with running_service(
        create_database, "notifications_nosmtp", smtp_port=9, smtp_timeout_seconds=2
    ) as svc:
        first, second = uuid.uuid4(), uuid.uuid4()
        for party in (first, second):
            answer = await svc.client.put(
                f"/contacts/{party}", json={"email": "x@example.com"}, headers=auth(party)
            )
            assert answer.status_code == 200

        await svc.publish(work_registered([first]))

        async def failed() -> object:
            return await svc.scalar(
                "SELECT last_error FROM delivery WHERE recipient_id = :p "
                "AND status = 'FAILED' AND attempts = 3",
                p=first,
            )

        error = await eventually(failed)
        assert "SMTP server unreachable" in error
        # The consumer went on: a later event is still turned into an inbox entry.
        await svc.publish(work_registered([second]))
        await eventually(
            lambda: svc.scalar(
                "SELECT count(*) FROM notification WHERE recipient_id = :p", p=second
            )
        )
