"""The licensing service running for real (HTTP, Postgres, Kafka) and a stand-in for the
filing service's output: real filing events published on the real filing topics."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from contracts.enums import PartyKind, Role, WorkKind, WorkStatus
from contracts.envelope import encode
from devstack.kafka_access import admin_login
from devstack.polling import eventually as wait_for
from fastapi import FastAPI
from licensing.app import build, serve_http
from licensing.service import Licensing
from licensing.settings import LicensingSettings
from runtime.consumer import ProcessedEvent
from runtime.http import running_server
from runtime.kafka import reliable_producer
from runtime.service import ServiceRuntime
from sqlalchemy import select
from sqlmodel import col

from contracts import events

# Dates are laid in the current year (UTC), so no test depends on the calendar: licences
# ending on 31 December of it are in force on any day the suite runs.
THIS_YEAR = datetime.now(UTC).year


def today() -> date:
    """Read at each use: a run that crosses midnight UTC must not compare with yesterday."""
    return datetime.now(UTC).date()


@dataclass
class Register:
    """Publishes what the filing service would: party and work snapshots."""

    producer: Any
    settings: LicensingSettings
    filing_seq: int = 0
    works: dict[uuid.UUID, events.WorkState] = field(default_factory=dict)

    async def publish(self, event: events.EventData, *, event_id: uuid.UUID | None = None) -> None:
        record = encode(event, event_id=event_id or uuid.uuid4(), time=event.occurred_at)
        await self.producer.send_and_wait(
            self.settings.topic(record.topic), value=record.value, key=record.key,
            headers=record.headers,
        )

    async def party(self, name: str = "Party") -> uuid.UUID:
        party_id = uuid.uuid4()
        await self.publish(
            events.PartyRegistered(
                occurred_at=datetime.now(UTC),
                party=events.PartyState(id=party_id, name=name, kind=PartyKind.PERSON,
                                        country="TH"),
            )
        )
        return party_id

    def state(
        self,
        work_id: uuid.UUID,
        owners: dict[uuid.UUID, str],
        status: WorkStatus,
    ) -> events.WorkState:
        self.filing_seq += 1
        first = next(iter(owners))
        return events.WorkState(
            id=work_id,
            filing_number=f"F-{THIS_YEAR}-{self.filing_seq:06d}",
            registration_number=f"R-{THIS_YEAR}-{self.filing_seq:06d}"
            if status in (WorkStatus.REGISTERED, WorkStatus.DISPUTED) else None,
            title=f"Song {self.filing_seq}",
            kind=WorkKind.MUSICAL_WORK,
            status=status,
            country_of_origin="TH",
            rights_holders=[
                events.RightsHolder(party_id=p, role=Role.COMPOSER, share=Decimal(s))
                for p, s in owners.items()
            ],
            filed_by=first,
            filed_at=datetime(THIS_YEAR, 1, 1, tzinfo=UTC),
        )

    async def registered_work(
        self, owners: dict[uuid.UUID, str], *, at: datetime | None = None
    ) -> uuid.UUID:
        work_id = uuid.uuid4()
        at = at or datetime.now(UTC)
        await self.publish(
            events.WorkFiled(occurred_at=at, work=self.state(work_id, owners, WorkStatus.FILED))
        )
        await self.publish(
            events.WorkRegistered(
                occurred_at=at, work=self.state(work_id, owners, WorkStatus.REGISTERED)
            )
        )
        return work_id

    async def stale_filing(self, work_id: uuid.UUID, owners: dict[uuid.UUID, str]) -> uuid.UUID:
        """Publishes a day-old FILED snapshot of the work (which must never win); its event id."""
        event_id = uuid.uuid4()
        await self.publish(
            events.WorkFiled(
                occurred_at=datetime.now(UTC) - timedelta(days=1),
                work=self.state(work_id, owners, WorkStatus.FILED),
            ),
            event_id=event_id,
        )
        return event_id

    async def dispute(self, work_id: uuid.UUID, owners: dict[uuid.UUID, str]) -> None:
        await self.publish(
            events.WorkDisputed(
                occurred_at=datetime.now(UTC),
                work=self.state(work_id, owners, WorkStatus.DISPUTED),
                reason="contested",
            )
        )

    async def transfer(
        self,
        work_id: uuid.UUID,
        before: dict[uuid.UUID, str],
        after: dict[uuid.UUID, str],
        *,
        at: datetime,
        from_party: uuid.UUID,
        to_party: uuid.UUID,
        share: str,
    ) -> None:
        await self.publish(
            events.WorkOwnershipTransferred(
                occurred_at=at,
                work=self.state(work_id, after, WorkStatus.REGISTERED),
                from_party_id=from_party,
                to_party_id=to_party,
                share=Decimal(share),
                previous_rights_holders=self.state(
                    work_id, before, WorkStatus.REGISTERED
                ).rights_holders,
            )
        )


@dataclass
class Service:
    base_url: str
    app: FastAPI
    settings: LicensingSettings
    token_for: Callable[..., str]
    runtime: ServiceRuntime
    licensing: Licensing

    def client(self, party_id: uuid.UUID | None, *roles: str) -> httpx.AsyncClient:
        headers = {}
        if party_id is not None:
            headers["Authorization"] = f"Bearer {self.token_for(party_id, *roles)}"
        return httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=30)

    async def processed(self, event_id: uuid.UUID) -> bool:
        """Whether the register consumer has recorded the event (applied or skipped)."""
        async with self.licensing.sessions() as session:
            found = await session.execute(
                select(col(ProcessedEvent.event_id)).where(col(ProcessedEvent.event_id) == event_id)
            )
            return found.first() is not None

    async def knows_party(self, party_id: uuid.UUID) -> bool:
        from licensing import repository

        async with self.licensing.sessions() as session:
            return await repository.party_known(session, party_id)

    async def knows_work(self, work_id: uuid.UUID, status: str = "REGISTERED") -> bool:
        from licensing import repository

        async with self.licensing.sessions() as session:
            work = await repository.get_work(session, work_id)
            return work is not None and work.status == status


@pytest.fixture(scope="session")
async def service(
    create_database: Callable[[str], Awaitable[str]],
    token_for: Callable[..., str],
) -> AsyncIterator[Service]:
    url = await create_database("licensing_it")
    settings = LicensingSettings(
        database_url=url,
        read_model_wait_seconds=4.0,
        expiry_interval_seconds=3600,
        consumer_max_attempts=2,
        # Its own group: another licensing instance of this run (e2e) must not share partitions.
        register_group=f"licensing-it-{uuid.uuid4().hex[:8]}",
        # A group (and its dead-letter topic) of the test's own: the admin may use them.
        kafka_principal="admin",
    )
    runtime, licensing = build(settings)
    app = serve_http(runtime, licensing)
    async with running_server(app) as base_url:
        yield Service(base_url, app, settings, token_for, runtime, licensing)


@pytest.fixture(scope="session")
async def register(service: Service) -> AsyncIterator[Register]:
    producer = reliable_producer(
        service.settings.platform.kafka_bootstrap_servers, **admin_login()
    )
    await producer.start()
    try:
        yield Register(producer, service.settings)
    finally:
        await producer.stop()


@dataclass
class Deal:
    """A registered work with two owners and a licensee, all known to the read model. The
    `deal` fixture's owners gave each other a mandate for the work, so either offers an
    exclusive licence alone (test_owner_consent.py asks co-owners without one)."""

    work_id: uuid.UUID
    owner: uuid.UUID
    co_owner: uuid.UUID
    licensee: uuid.UUID
    owners: dict[uuid.UUID, str]


async def known_work(service: Service, register: Register, owners: dict[uuid.UUID, str]) -> uuid.UUID:
    """A work registered by `owners`, once the service's read model holds it."""
    work_id = await register.registered_work(owners)
    await wait_for(lambda: service.knows_work(work_id))
    return work_id


@pytest.fixture
async def deal(service: Service, register: Register) -> Deal:
    owner = await register.party("Owner")
    co_owner = await register.party("Co-owner")
    licensee = await register.party("Licensee")
    owners = {owner: "66.67", co_owner: "33.33"}
    work_id = await known_work(service, register, owners)
    for grantor, agent in ((owner, co_owner), (co_owner, owner)):
        await mutual_mandate(service, grantor, agent, work_id)
    return Deal(work_id, owner, co_owner, licensee, owners)


async def mutual_mandate(
    service: Service, grantor: uuid.UUID, agent: uuid.UUID, work_id: uuid.UUID
) -> None:
    """`grantor` consents in advance to every exclusive licence `agent` offers of the work."""
    body = {"agent_id": str(agent), "work_id": str(work_id), "valid_from": f"{THIS_YEAR}-01-01"}
    async with service.client(grantor) as client:
        response = await client.post("/mandates", json=body)
    assert response.status_code == 201, response.text


def offer_body(deal: Deal, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "work_id": str(deal.work_id),
        "licensee_id": str(deal.licensee),
        "territories": ["TH", "VN"],
        "media": ["STREAMING"],
        "exclusive": True,
        "start": f"{THIS_YEAR}-01-01",
        "end": f"{THIS_YEAR}-12-31",
        "royalty_rate": "10.00",
        "advance": "0",
        "currency": "USD",
    }
    body.update(overrides)
    return body
