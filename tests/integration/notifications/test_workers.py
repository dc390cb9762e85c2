"""Any number of delivery workers share the due rows: each delivery is sent by one of them."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from notifications.delivery import DeliveryWorker
from notifications.secret_box import SecretBox

from .harness import Service, WebhookReceiver, eventually, work_registered

SECRET = "shared-workers-secret-0123"


async def test_two_workers_never_send_the_same_delivery_twice(
    service: Service, auth: Callable[..., dict[str, str]]
) -> None:
    runtime = service.app.state.runtime
    second = DeliveryWorker(
        engine=runtime.engine,
        uow=runtime.uow,
        settings=service.settings,
        box=SecretBox(service.settings.secret_key.encode() if service.settings.secret_key else b""),
    )
    await second.start()
    holders = [uuid.uuid4() for _ in range(20)]
    try:
        with WebhookReceiver(secret=SECRET) as receiver:
            for party in holders:
                answer = await service.client.put(
                    f"/contacts/{party}",
                    json={"webhook_url": receiver.url, "webhook_secret": SECRET},
                    headers=auth(party),
                )
                assert answer.status_code == 200
            await service.publish(work_registered(holders))

            async def all_delivered() -> bool:
                done = await service.scalar(
                    "SELECT count(*) FROM delivery WHERE recipient_id = ANY(:ps) "
                    "AND status = 'DELIVERED'",
                    ps=holders,
                )
                return bool(done == len(holders))

            await eventually(all_delivered)
            calls = list(receiver.calls)
    finally:
        await second.stop()

    delivery_ids = [call.headers["X-Rights-Delivery"] for call in calls]
    assert len(delivery_ids) == len(set(delivery_ids)) == len(holders)
    attempts = await service.scalar(
        "SELECT max(attempts) FROM delivery WHERE recipient_id = ANY(:ps)", ps=holders
    )
    assert attempts == 1
