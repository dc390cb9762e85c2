"""Hardened webhook calls against real HTTP servers: the host is resolved once and the checked
address is called, internal addresses are refused, one deadline bounds a call, an answer is
read only up to a cap, and `lastError` is a public category (issue 14)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import StreamingResponse
from notifications.channels import (
    ADDRESS_NOT_ALLOWED,
    CONNECTION_REFUSED,
    Address,
    WebhookChannel,
)
from notifications.settings import NotificationsSettings
from runtime.http import running_server

from .harness import Service, WebhookReceiver, eventually, running_service, work_registered

SECRET = "hardening-secret-0123456789"
LOOPBACK = ipaddress.ip_address("127.0.0.1")
MIB = 1 << 20
# Allocated once, before any measurement: the server sends this same object again and again.
CHUNK = b"x" * MIB
HUGE_CHUNKS = 200


def _receiver_app() -> FastAPI:
    """A receiver with a well-behaved, a trickling and a huge answer; it records what it saw."""
    app = FastAPI()
    app.state.hosts = []

    @app.post("/ok")
    async def ok(request: Request) -> Response:
        app.state.hosts.append(request.headers["host"])
        return Response(status_code=204)

    @app.post("/slow")
    async def slow() -> StreamingResponse:
        async def trickle() -> AsyncIterator[bytes]:
            for _ in range(60):  # 12 s in all, a byte at a time: no per-read timeout trips
                yield b"."
                await asyncio.sleep(0.2)

        return StreamingResponse(trickle())

    @app.post("/huge")
    async def huge() -> StreamingResponse:
        async def flood() -> AsyncIterator[bytes]:
            for _ in range(HUGE_CHUNKS):
                yield CHUNK

        return StreamingResponse(flood())

    return app


def _resolver(names: dict[str, list[Address]], asked: list[str]) -> Any:
    async def resolve(host: str, port: int) -> list[Address]:
        asked.append(host)
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "unknown name")
        return names[host]

    return resolve


def _channel(resolver: Any = None, **values: Any) -> WebhookChannel:
    settings = NotificationsSettings(**values)
    if resolver is None:
        return WebhookChannel(settings)
    return WebhookChannel(settings, resolver=resolver)


async def _send(channel: WebhookChannel, url: str) -> Any:
    return await channel.send(
        url=url, secret=SECRET, body=b"{}", delivery_id=str(uuid.uuid4()), event_id="e"
    )


async def test_name_resolving_to_loopback_is_refused_when_loopback_is_not_allowed() -> None:
    app = _receiver_app()
    asked: list[str] = []
    names: dict[str, list[Address]] = {
        "rebound.example.test": [LOOPBACK],
        # One public address does not make the loopback one among them acceptable.
        "mixed.example.test": [ipaddress.ip_address("93.184.216.34"), LOOPBACK],
    }
    channel = _channel(
        _resolver(names, asked), allow_loopback_webhooks=False, allow_private_webhooks=False
    )
    async with running_server(app) as base:
        port = base.rsplit(":", 1)[1]
        try:
            for name in names:
                outcome = await _send(channel, f"http://{name}:{port}/ok")
                assert (outcome.delivered, outcome.error, outcome.permanent) == (
                    False,
                    ADDRESS_NOT_ALLOWED,
                    True,
                )
        finally:
            await channel.close()
    assert app.state.hosts == []  # nothing reached the receiver on 127.0.0.1
    assert asked == list(names)


async def test_call_goes_to_the_checked_address_under_the_original_host_name() -> None:
    app = _receiver_app()
    asked: list[str] = []
    # The name exists only in this resolver: a second lookup by the HTTP client (the
    # rebinding window) would fail to resolve it, so a delivered call proves there was none.
    channel = _channel(
        _resolver({"receiver.example.test": [LOOPBACK]}, asked), allow_loopback_webhooks=True
    )
    async with running_server(app) as base:
        port = base.rsplit(":", 1)[1]
        try:
            outcome = await _send(channel, f"http://receiver.example.test:{port}/ok")
        finally:
            await channel.close()
    assert outcome.delivered, outcome
    assert app.state.hosts == [f"receiver.example.test:{port}"]
    assert asked == ["receiver.example.test"]


async def test_receiver_trickling_its_answer_is_cut_off_at_the_deadline() -> None:
    app = _receiver_app()
    channel = _channel(webhook_timeout_seconds=1.0, allow_loopback_webhooks=True)
    async with running_server(app) as base:
        started = time.monotonic()
        try:
            outcome = await _send(channel, f"{base}/slow")
        finally:
            await channel.close()
        took = time.monotonic() - started
    assert (outcome.delivered, outcome.error) == (False, "webhook timed out after 1 s")
    assert not outcome.permanent  # a slow receiver may be quick next time
    assert took < 3.0, took  # the trickle lasts 12 s


async def test_huge_answer_is_read_only_up_to_the_cap() -> None:
    app = _receiver_app()
    channel = _channel(
        webhook_max_response_bytes=64 * 1024,
        webhook_timeout_seconds=30.0,
        allow_loopback_webhooks=True,
    )
    async with running_server(app) as base:
        tracemalloc.start()
        try:
            outcome = await _send(channel, f"{base}/huge")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            await channel.close()
    assert outcome.delivered, outcome
    assert peak < 16 * MIB, f"peak {peak / MIB:.1f} MiB while a {HUGE_CHUNKS} MiB answer came"


async def test_slow_receiver_times_out_without_delaying_the_others_of_its_batch(
    create_database: Callable[[str], Awaitable[str]], auth: Callable[..., dict[str, str]]
) -> None:
    app = _receiver_app()
    slow_party, quick_party = uuid.uuid4(), uuid.uuid4()
    async with (
        running_service(
            create_database,
            "notifications_deadline",
            webhook_timeout_seconds=2.0,
            retry_max_attempts=1,
        ) as service,
        running_server(app) as base,
    ):
        with WebhookReceiver(secret=SECRET) as quick:
            for party, url in ((slow_party, f"{base}/slow"), (quick_party, quick.url)):
                answer = await service.client.put(
                    f"/contacts/{party}",
                    json={"webhook_url": url, "webhook_secret": SECRET},
                    headers=auth(party),
                )
                assert answer.status_code == 200, answer.text
            await service.publish(work_registered([slow_party, quick_party]))

            async def status(party: uuid.UUID) -> Any:
                return await service.scalar(
                    "SELECT status FROM delivery WHERE recipient_id = :p AND channel = 'WEBHOOK'",
                    p=party,
                )

            async def quick_delivered() -> bool:
                return bool(await status(quick_party) == "DELIVERED")

            await eventually(quick_delivered)
            # The slow call is still inside its deadline when the quick one is done.
            assert await status(slow_party) == "PENDING"
            assert len(quick.calls) == 1

            async def slow_failed() -> Any:
                rows = await service.query(
                    "SELECT last_error, finished_at - created_at FROM delivery "
                    "WHERE recipient_id = :p AND status = 'FAILED'",
                    p=slow_party,
                )
                return rows[0] if rows else None

            last_error, took = await eventually(slow_failed)
    assert last_error == "webhook timed out after 2 s"
    assert took.total_seconds() < 8, took  # the trickle would have lasted 12 s


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_last_error_is_a_public_category_without_internal_details(
    service: Service, auth: Callable[..., dict[str, str]]
) -> None:
    party = uuid.uuid4()
    url = f"http://127.0.0.1:{_closed_port()}/hooks"
    answer = await service.client.put(
        f"/contacts/{party}",
        json={"webhook_url": url, "webhook_secret": SECRET},
        headers=auth(party),
    )
    assert answer.status_code == 200, answer.text
    await service.publish(work_registered([party]))

    async def failed() -> Any:
        return await service.scalar(
            "SELECT last_error FROM delivery WHERE recipient_id = :p AND status = 'FAILED'",
            p=party,
        )

    assert await eventually(failed) == CONNECTION_REFUSED
    listed = await service.client.get(
        "/notifications", params={"recipient_id": str(party)}, headers=auth(party)
    )
    [delivery] = listed.json()["items"][0]["deliveries"]
    assert delivery["last_error"] == CONNECTION_REFUSED
    recorded = await service.query(
        "SELECT error FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id "
        "WHERE d.recipient_id = :p",
        p=party,
    )
    assert {row[0] for row in recorded} == {CONNECTION_REFUSED}


async def test_failed_delivery_redelivered_by_its_recipient_is_sent_once_more(
    service: Service, auth: Callable[..., dict[str, str]]
) -> None:
    party, stranger = uuid.uuid4(), uuid.uuid4()
    with WebhookReceiver(secret=SECRET, always_fail=True) as receiver:
        answer = await service.client.put(
            f"/contacts/{party}",
            json={"webhook_url": receiver.url, "webhook_secret": SECRET},
            headers=auth(party),
        )
        assert answer.status_code == 200, answer.text
        await service.publish(work_registered([party]))

        async def failed_id() -> Any:
            return await service.scalar(
                "SELECT id FROM delivery WHERE recipient_id = :p AND status = 'FAILED'", p=party
            )

        delivery_id = await eventually(failed_id)
        listed = await service.client.get(
            "/notifications", params={"recipient_id": str(party)}, headers=auth(party)
        )
        assert listed.json()["items"][0]["deliveries"][0]["id"] == str(delivery_id)
        tries = service.settings.retry_max_attempts
        assert len(receiver.calls) == tries

        route = f"/deliveries/{delivery_id}/redeliver"
        # Only the recipient may ask; to anybody else the delivery does not exist.
        refused = await service.client.post(route, headers=auth(stranger))
        assert refused.status_code == 404, refused.text
        missing = await service.client.post(
            f"/deliveries/{uuid.uuid4()}/redeliver", headers=auth(party)
        )
        assert missing.status_code == 404
        assert await failed_id() == delivery_id  # the refused request changed nothing

        receiver.always_fail = False
        first, again = await asyncio.gather(
            service.client.post(route, headers=auth(party)),
            service.client.post(route, headers=auth(party)),
        )
        assert (first.status_code, again.status_code) == (200, 200), (first.text, again.text)
        assert {first.json()["status"], again.json()["status"]} <= {"PENDING", "DELIVERED"}

        async def delivered() -> Any:
            return await service.scalar(
                "SELECT attempts FROM delivery WHERE id = :d AND status = 'DELIVERED'",
                d=delivery_id,
            )

        assert await eventually(delivered) == tries + 1
        # Asking once more after delivery changes nothing and sends nothing.
        late = await service.client.post(route, headers=auth(party))
        assert (late.status_code, late.json()["status"]) == (200, "DELIVERED")
        assert await delivered() == tries + 1
    assert [c.answered for c in receiver.calls] == [503] * tries + [204]
