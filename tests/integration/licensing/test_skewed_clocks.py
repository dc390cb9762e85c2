"""Nothing in the register's path compares one process's clock with another's: a filing
instance whose clock runs behind or ahead still reaches licensing's read model in order."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from contracts.enums import WorkStatus
from contracts.envelope import encode
from contracts.topics import FILING_WORKS
from licensing import repository
from licensing.domain.royalties import shares_at

from contracts import events

from .conftest import Register, Service, wait_for


async def test_a_later_version_wins_though_a_skewed_clock_stamped_it_earlier(
    service: Service, register: Register
) -> None:
    a, b, licensee = await register.party("A"), await register.party("B"), await register.party()
    work_id = uuid.uuid4()
    before, after = {a: "100.00"}, {a: "60.00", b: "40.00"}
    now = datetime.now(UTC)
    # Versions 1 and 2 from one filing instance, version 3 (a transfer, made later) from
    # another whose clock runs ten minutes behind: its event says it happened earlier.
    await register.publish(events.WorkFiled(
        occurred_at=now, version=1, work=register.state(work_id, before, WorkStatus.FILED)))
    await register.publish(events.WorkRegistered(
        occurred_at=now, version=2, work=register.state(work_id, before, WorkStatus.REGISTERED)))
    transfer_id = uuid.uuid4()
    await register.publish(
        events.WorkOwnershipTransferred(
            occurred_at=now - timedelta(minutes=10), version=3,
            work=register.state(work_id, after, WorkStatus.REGISTERED),
            from_party_id=a, to_party_id=b, share=Decimal("40.00"),
            previous_rights_holders=register.state(
                work_id, before, WorkStatus.REGISTERED).rights_holders,
        ),
        event_id=transfer_id,
    )
    await wait_for(lambda: service.processed(transfer_id))
    async with service.licensing.sessions() as session:
        view = await repository.work_view(session, work_id)
        history = await repository.share_history(session, work_id)
    assert view is not None and view.owners == frozenset({a, b})
    assert shares_at(history, datetime.now(UTC) + timedelta(days=1)) == {
        a: Decimal("60.00"), b: Decimal("40.00")
    }

    # The owner the transfer made can offer, and a period ending tomorrow splits 60/40.
    today = now.date()
    async with service.client(b) as client:
        offered = await client.post("/licences", json={
            "work_id": str(work_id), "licensee_id": str(licensee), "territories": ["LA"],
            "media": ["PRINT"], "exclusive": False,
            "start": (today - timedelta(days=30)).isoformat(),
            "royalty_rate": "10.00", "currency": "USD",
        })
    assert offered.status_code == 201, offered.text
    licence_id = offered.json()["id"]
    async with service.client(licensee) as client:
        assert (await client.post(f"/licences/{licence_id}/accept")).status_code == 200
        reported = await client.post(f"/licences/{licence_id}/usage-reports", json={
            "period_start": (today - timedelta(days=30)).isoformat(),
            "period_end": (today + timedelta(days=1)).isoformat(),
            "units": 10, "gross_revenue": "1000.00",
        })
    assert reported.status_code == 201, reported.text
    lines = {line["party_id"]: line["amount"] for line in reported.json()["statement"]["lines"]}
    assert lines == {str(a): "60.00", str(b): "40.00"}


async def test_an_older_version_never_rolls_the_state_back_though_stamped_later(
    service: Service, register: Register
) -> None:
    a = await register.party()
    work_id = uuid.uuid4()
    now = datetime.now(UTC)
    await register.publish(events.WorkDisputed(
        occurred_at=now, version=3, reason="contested",
        work=register.state(work_id, {a: "100.00"}, WorkStatus.DISPUTED)))
    # Version 2, replayed late by an instance whose clock runs an hour ahead.
    stale = uuid.uuid4()
    await register.publish(
        events.WorkRegistered(occurred_at=now + timedelta(hours=1), version=2,
                              work=register.state(work_id, {a: "100.00"}, WorkStatus.REGISTERED)),
        event_id=stale,
    )
    await wait_for(lambda: service.processed(stale))
    assert await service.knows_work(work_id, "DISPUTED")


async def test_a_producer_whose_clock_runs_ahead_can_still_publish(
    service: Service, register: Register
) -> None:
    owner = await register.party()
    work_id = uuid.uuid4()
    event = events.WorkRegistered(
        occurred_at=datetime.now(UTC), version=2,
        work=register.state(work_id, {owner: "100.00"}, WorkStatus.REGISTERED),
    )
    record = encode(event, event_id=uuid.uuid4(), time=event.occurred_at)
    ahead_ms = int((time.time() + 2 * 86_400) * 1000)  # this producer's clock: two days ahead
    sent: Any = await register.producer.send_and_wait(
        service.settings.topic(FILING_WORKS), value=record.value, key=record.key,
        headers=record.headers, timestamp_ms=ahead_ms,
    )
    # The broker stamped the record with its own clock (timestamp type 1: log append time).
    assert (sent.timestamp_type, sent.timestamp != ahead_ms) == (1, True)
    await wait_for(lambda: service.knows_work(work_id))
