"""What the notifications integration tests share: a running service, real SMTP and webhook
receivers, event builders and a Kafka publisher. No mocks: every part here is real."""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from contracts.enums import LicenceStatus, Medium, PartyKind, Role, WorkKind, WorkStatus
from contracts.envelope import encode
from cryptography.fernet import Fernet
from devstack.kafka_access import admin_login
from notifications.app import create_app
from notifications.domain.signing import verify
from notifications.settings import NotificationsSettings
from runtime.http import running_server
from runtime.kafka import reliable_producer
from runtime.settings import PlatformSettings
from sqlalchemy import text

from contracts import events as ev

# The `auth` fixture: bearer headers for a party (`auth(party, roles=...)`).
Auth = Callable[..., dict[str, str]]


async def eventually(
    check: Callable[[], Any], *, within: float = 20.0, interval: float = 0.05
) -> Any:
    """Polls `check` (sync or async) until it returns something truthy; fails after `within`."""
    deadline = time.monotonic() + within
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if inspect.isawaitable(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {within}s (last value {last!r})")


# --- a running service -----------------------------------------------------------------------


@dataclass
class Service:
    base_url: str
    settings: NotificationsSettings
    app: Any
    client: httpx.AsyncClient
    producer: Any

    async def publish(self, event: ev.EventData, *, event_id: uuid.UUID | None = None) -> uuid.UUID:
        event_id = event_id or uuid.uuid4()
        record = encode(event, event_id=event_id)
        await self.producer.send_and_wait(
            self.settings.topic(record.topic),
            value=record.value,
            key=record.key,
            headers=record.headers,
        )
        return event_id

    async def publish_raw(
        self, topic: str, *, key: bytes, value: bytes, headers: list[tuple[str, bytes]]
    ) -> None:
        await self.producer.send_and_wait(
            self.settings.topic(topic), value=value, key=key, headers=headers
        )

    async def read_topic(
        self, topic: str, match: Callable[[Any], bool], *, within: float = 30.0
    ) -> Any:
        """The first record on `topic` (this service's prefix) that `match`es, read from Kafka."""
        consumer = AIOKafkaConsumer(
            self.settings.topic(topic),
            bootstrap_servers=self.settings.platform.kafka_bootstrap_servers,
            **admin_login(),
            group_id=f"test-reader-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:

            async def next_match() -> Any:
                batch = await consumer.getmany(timeout_ms=300)
                return next((r for rs in batch.values() for r in rs if match(r)), None)

            return await eventually(next_match, within=within)
        finally:
            await consumer.stop()

    async def set_contacts(
        self, party: uuid.UUID, headers: dict[str, str], **contacts: str
    ) -> None:
        """Gives `party` its contact settings through the API, as the party itself."""
        answer = await self.client.put(f"/contacts/{party}", json=contacts, headers=headers)
        assert answer.status_code == 200, answer.text

    async def until_delivered(self, party: uuid.UUID, count: int) -> None:
        """Waits until `count` of the party's email/webhook deliveries are DELIVERED."""

        async def done() -> bool:
            delivered = await self.scalar(
                "SELECT count(*) FROM delivery WHERE recipient_id = :p AND status = 'DELIVERED'",
                p=party,
            )
            return bool(delivered == count)

        await eventually(done)

    async def query(self, sql: str, **params: Any) -> list[Any]:
        async with self.app.state.runtime.sessions() as session:
            return list((await session.execute(text(sql), params)).all())

    async def scalar(self, sql: str, **params: Any) -> Any:
        rows = await self.query(sql, **params)
        return rows[0][0] if rows else None


def test_settings(database_url: str, **overrides: Any) -> NotificationsSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "retry_max_attempts": 3,
        "retry_base_seconds": 0.05,
        "retry_cap_seconds": 0.5,
        "delivery_poll_seconds": 0.2,
        "allow_loopback_webhooks": True,
        "secret_key": Fernet.generate_key().decode(),
        "consumer_batch_size": 100,
        # Each test's service has topics of its own prefix: the admin may use them all.
        "kafka_principal": "admin",
    }
    values.update(overrides)
    return NotificationsSettings(**values)


@asynccontextmanager
async def running_service(
    create_database: Callable[[str], Awaitable[str]], name: str, **overrides: Any
) -> AsyncIterator[Service]:
    """A whole notifications service (API, consumers, worker) on its own database and topics."""
    url = await create_database(name)
    base = PlatformSettings()
    # Topics and group of their own, so services started by different tests never share.
    platform = base.model_copy(update={"rights_topic_prefix": f"{base.rights_topic_prefix}{name}."})
    settings = test_settings(url, platform=platform, **overrides)
    app = create_app(settings)
    producer = reliable_producer(settings.platform.kafka_bootstrap_servers, **admin_login())
    await producer.start()
    try:
        async with (
            running_server(app) as base_url,
            httpx.AsyncClient(base_url=base_url, timeout=30) as client,
        ):
            # No wait for the group to join: a new group starts from the earliest offset, so
            # events published before it is assigned are still consumed.
            yield Service(
                base_url=base_url, settings=settings, app=app, client=client, producer=producer
            )
    finally:
        await producer.stop()


# --- a real webhook receiver -----------------------------------------------------------------


@dataclass
class ReceivedCall:
    headers: dict[str, str]
    body: bytes
    authentic: bool
    answered: int

    def json(self) -> Any:
        return json.loads(self.body)


class _Server(ThreadingHTTPServer):
    # The default listen backlog of 5 drops connections when many deliveries arrive at once.
    request_queue_size = 128
    daemon_threads = True


@dataclass
class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that checks every call's signature like a party would."""

    secret: str
    fail_first: int = 0
    always_fail: bool = False
    # Hold the first call open without answering until `release` is set (a send in flight).
    hold_first: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    calls: list[ReceivedCall] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/rights"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k: v for k, v in self.headers.items()}
                authentic = verify(receiver.secret, headers, body, now=int(time.time()))
                if receiver.hold_first and not receiver.calls:
                    receiver.calls.append(ReceivedCall(headers, body, authentic, 0))
                    receiver.release.wait(60)
                    return
                failing = receiver.always_fail or len(receiver.calls) < receiver.fail_first
                status = 503 if failing else (204 if authentic else 401)
                receiver.calls.append(ReceivedCall(headers, body, authentic, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


# --- events ----------------------------------------------------------------------------------

_counter = iter(range(1, 10**6))


def now() -> datetime:
    return datetime.now(UTC)


def work_state(
    holders: list[uuid.UUID],
    *,
    status: WorkStatus = WorkStatus.REGISTERED,
    title: str = "Bengawan Solo",
    work_id: uuid.UUID | None = None,
) -> ev.WorkState:
    n = next(_counter)
    share = (Decimal(100) / len(holders)).quantize(Decimal("0.01"))
    shares = [share] * len(holders)
    shares[0] += Decimal(100) - sum(shares)
    return ev.WorkState(
        id=work_id or uuid.uuid4(),
        filing_number=f"F-2026-{n:06d}",
        registration_number=f"R-2026-{n:06d}" if status == WorkStatus.REGISTERED else None,
        title=title,
        kind=WorkKind.MUSICAL_WORK,
        status=status,
        country_of_origin="ID",
        rights_holders=[
            ev.RightsHolder(party_id=p, role=Role.COMPOSER, share=s)
            for p, s in zip(holders, shares, strict=True)
        ],
        filed_by=holders[0],
        filed_at=now(),
    )


def work_registered(holders: list[uuid.UUID], *, title: str = "Bengawan Solo") -> ev.WorkRegistered:
    return ev.WorkRegistered(
        occurred_at=now(), work=work_state(holders, title=title), actor_id=None
    )


def party_registered(party_id: uuid.UUID, name: str = "Gesang") -> ev.PartyRegistered:
    return ev.PartyRegistered(
        occurred_at=now(),
        party=ev.PartyState(id=party_id, name=name, kind=PartyKind.PERSON, country="ID"),
    )


def licence_offered(
    work_id: uuid.UUID, owners: list[uuid.UUID], licensee: uuid.UUID
) -> ev.LicenceOffered:
    return ev.LicenceOffered(
        occurred_at=now(),
        licence=ev.LicenceState(
            id=uuid.uuid4(),
            work_id=work_id,
            licensor_id=owners[0],
            licensee_id=licensee,
            status=LicenceStatus.OFFERED,
            terms=ev.LicenceTerms(
                territories=["TH", "VN"],
                media=[Medium.STREAMING],
                exclusive=False,
                start=date(2026, 1, 1),
                end=None,
                royalty_rate=Decimal("10.00"),
                advance=Decimal("0"),
                currency="THB",
            ),
        ),
        work_owner_ids=owners,
        actor_id=owners[0],
    )


def statement_issued(
    work_id: uuid.UUID,
    lines: dict[uuid.UUID, str],
    licensee: uuid.UUID,
    *,
    licence_id: uuid.UUID | None = None,
    at: datetime | None = None,
    gross: Decimal | None = None,
    share: Decimal = Decimal("50.00"),
) -> ev.RoyaltyStatementIssued:
    """A statement paying each party of `lines` its amount (gross ten times the payable
    unless given), issued `at` (now unless given)."""
    payable = sum((Decimal(a) for a in lines.values()), Decimal(0))
    issued = at or now()
    return ev.RoyaltyStatementIssued(
        occurred_at=issued,
        statement=ev.RoyaltyStatement(
            id=uuid.uuid4(),
            licence_id=licence_id or uuid.uuid4(),
            work_id=work_id,
            report_id=uuid.uuid4(),
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 31),
            gross=payable * 10 if gross is None else gross,
            royalty=payable,
            recouped=Decimal("0.00"),
            payable=payable,
            currency="THB",
            lines=[
                ev.StatementLine(party_id=p, share=share, amount=Decimal(a))
                for p, a in lines.items()
            ],
            issued_at=issued,
        ),
        licensee_id=licensee,
    )
