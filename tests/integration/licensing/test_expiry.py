"""The scheduled job expires ACTIVE licences after their end date, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from licensing.expiry import expire_now
from licensing.service import expire_due_licences

from .conftest import Deal, Service, offer_body
from .kafka_reader import read_until


async def _accepted(service: Service, deal: Deal, **overrides: object) -> str:
    async with service.client(deal.owner) as client:
        offered = (await client.post("/licences", json=offer_body(deal, **overrides))).json()
    async with service.client(deal.licensee) as client:
        assert (await client.post(f"/licences/{offered['id']}/accept")).status_code == 200
    licence_id: str = offered["id"]
    return licence_id


async def _status(service: Service, deal: Deal, licence_id: str) -> str:
    async with service.client(deal.licensee) as client:
        status: str = (await client.get(f"/licences/{licence_id}")).json()["status"]
    return status


async def test_licence_expires_the_day_after_its_end_date(service: Service, deal: Deal) -> None:
    today = datetime.now(UTC).date()
    last_day = today - timedelta(days=1)
    ended = await _accepted(
        service, deal, start=(today - timedelta(days=365)).isoformat(), end=last_day.isoformat()
    )
    running = await _accepted(
        service, deal, start=(today - timedelta(days=30)).isoformat(), end=None,
        territories=["PH"],
    )
    uow = service.licensing.uow
    # On its end date a licence is still in force; the day after, it expires.
    assert await expire_due_licences(uow=uow, today=last_day) == 0
    assert await _status(service, deal, ended) == "ACTIVE"
    assert await expire_now(uow) >= 1
    assert await _status(service, deal, ended) == "EXPIRED"
    assert await _status(service, deal, running) == "ACTIVE"
    assert await expire_now(uow) == 0  # nothing left to expire: it happens once
    seen = await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic("licensing.licences.v1"),
        lambda events: any(e.subject == ended and e.type.endswith("expired.v1") for e in events),
    )
    expired = [e for e in seen if e.subject == ended and e.type.endswith("expired.v1")]
    assert len(expired) == 1
    assert expired[0].data.actor_id is None  # type: ignore[attr-defined]
