"""Who is told, end to end: events in on Kafka, inbox entries out (DOMAIN.md, Notifications)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from contracts.enums import Role, WorkStatus

from contracts import events as ev

from .harness import (
    Service,
    eventually,
    licence_offered,
    statement_issued,
    work_registered,
    work_state,
)

Auth = Callable[..., dict[str, str]]


async def _recipients(service: Service, event_id: uuid.UUID, expected: int) -> set[uuid.UUID]:
    async def found() -> set[uuid.UUID] | None:
        rows = await service.query(
            "SELECT recipient_id FROM notification WHERE event_id = :e", e=event_id
        )
        return {r[0] for r in rows} if len(rows) >= expected else None

    got: set[uuid.UUID] = await eventually(found)
    return got


async def _subscribe_society(service: Service, auth: Auth) -> uuid.UUID:
    society = uuid.uuid4()
    answer = await service.client.put(
        f"/societies/{society}", headers=auth(uuid.uuid4(), "operator")
    )
    assert answer.status_code == 200
    return society


async def test_registration_reaches_every_holder_and_every_subscribed_society(
    service: Service, auth: Auth
) -> None:
    society = await _subscribe_society(service, auth)
    a, b = uuid.uuid4(), uuid.uuid4()
    event_id = await service.publish(work_registered([a, b]))
    got = await _recipients(service, event_id, 3)
    assert {a, b, society} <= got


async def test_licence_offer_reaches_every_owner_and_the_licensee_but_no_society(
    service: Service, auth: Auth
) -> None:
    society = await _subscribe_society(service, auth)
    a, b, licensee = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    registered = work_registered([a, b], title="Offered Song")
    await service.publish(registered)
    event_id = await service.publish(licence_offered(registered.work.id, [a, b], licensee))
    got = await _recipients(service, event_id, 3)
    assert got == {a, b, licensee}
    assert society not in got
    message = await service.scalar(
        "SELECT message FROM notification WHERE event_id = :e AND recipient_id = :p",
        e=event_id,
        p=licensee,
    )
    assert "Offered Song" in message


async def test_statement_reaches_owners_licensee_and_societies_with_each_owners_amount(
    service: Service, auth: Auth
) -> None:
    society = await _subscribe_society(service, auth)
    a, b, licensee = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    registered = work_registered([a, b])
    await service.publish(registered)
    event_id = await service.publish(
        statement_issued(registered.work.id, {a: "60.01", b: "60.00"}, licensee)
    )
    got = await _recipients(service, event_id, 4)
    assert {a, b, licensee, society} <= got
    message = await service.scalar(
        "SELECT message FROM notification WHERE event_id = :e AND recipient_id = :p",
        e=event_id,
        p=a,
    )
    assert "Your share: 60.01 THB" in message


async def test_transfer_reaches_the_owner_who_gave_away_the_whole_share(service: Service) -> None:
    giver, keeper, taker = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    registered = work_registered([giver, keeper])
    await service.publish(registered)
    after = work_state([keeper, taker], work_id=registered.work.id)
    transfer = ev.WorkOwnershipTransferred(
        occurred_at=datetime.now(UTC),
        work=after,
        actor_id=giver,
        from_party_id=giver,
        to_party_id=taker,
        share=Decimal("50.00"),
        previous_rights_holders=registered.work.rights_holders,
    )
    event_id = await service.publish(transfer)
    assert await _recipients(service, event_id, 3) == {giver, keeper, taker}


async def test_dispute_resolution_reaches_the_disputant_known_from_the_dispute(
    service: Service,
) -> None:
    owner, disputant, examiner, new_owner = (uuid.uuid4() for _ in range(4))
    registered = work_registered([owner])
    await service.publish(registered)
    disputed_state = registered.work.model_copy(update={"status": WorkStatus.DISPUTED})
    await service.publish(
        ev.WorkDisputed(
            occurred_at=datetime.now(UTC), work=disputed_state, actor_id=disputant, reason="mine"
        )
    )
    resolved_state = registered.work.model_copy(
        update={
            "rights_holders": [
                ev.RightsHolder(party_id=new_owner, role=Role.COMPOSER, share=Decimal(100))
            ],
        }
    )
    event_id = await service.publish(
        ev.WorkDisputeResolved(
            occurred_at=datetime.now(UTC),
            work=resolved_state,
            actor_id=examiner,
            keep_owners=False,
            reason="evidence",
            previous_rights_holders=registered.work.rights_holders,
        )
    )
    assert await _recipients(service, event_id, 3) == {owner, disputant, new_owner}


async def test_usage_report_reaches_the_owners_it_names_and_the_licensee(service: Service) -> None:
    a, b, licensee = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    registered = work_registered([a, b], title="Reported Song")
    await service.publish(registered)
    offered = licence_offered(registered.work.id, [a, b], licensee)
    await service.publish(offered)
    report = ev.UsageReport(
        id=uuid.uuid4(),
        licence_id=offered.licence.id,
        work_id=registered.work.id,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        units=1000,
        gross_revenue=Decimal("500.00"),
        currency="THB",
        created_at=datetime.now(UTC),
    )
    event_id = await service.publish(
        ev.UsageReported(
            occurred_at=datetime.now(UTC),
            report=report,
            licensee_id=licensee,
            work_owner_ids=[a, b],
        )
    )
    assert await _recipients(service, event_id, 3) == {a, b, licensee}
    message = await service.scalar(
        "SELECT message FROM notification WHERE event_id = :e AND recipient_id = :p",
        e=event_id,
        p=a,
    )
    assert "Reported Song" in message and "2026-01-01 to 2026-01-31" in message


async def test_a_release_reaches_the_new_owners_and_those_whose_lines_were_held(
    service: Service, auth: Auth
) -> None:
    society = await _subscribe_society(service, auth)
    old, kept, new, licensee = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    registered = work_registered([old, kept], title="Disputed Song")
    await service.publish(registered)
    held = statement_issued(registered.work.id, {old: "30.00", kept: "20.00"}, licensee)
    held = held.model_copy(update={"statement": held.statement.model_copy(update={
        "held": True,
        "lines": [line.model_copy(update={"held": True}) for line in held.statement.lines],
    })})  # fmt: skip
    held_id = await service.publish(held)
    await _recipients(service, held_id, 4)
    told_held = await service.scalar(
        "SELECT message FROM notification WHERE event_id = :e AND recipient_id = :p",
        e=held_id, p=old,
    )  # fmt: skip
    assert "held in suspense" in told_held

    release = ev.RoyaltyStatementReleased(
        occurred_at=datetime.now(UTC),
        statement=ev.ReleaseStatement(
            id=uuid.uuid4(), licence_id=held.statement.licence_id, work_id=registered.work.id,
            period_start=date(2026, 1, 1), period_end=date(2026, 1, 31), payable="50.00",
            currency="THB", releases=[held.statement.id], issued_at=datetime.now(UTC),
            lines=[ev.StatementLine(party_id=new, share=Decimal("60.00"), amount="30.00"),
                   ev.StatementLine(party_id=kept, share=Decimal("40.00"), amount="20.00")],
        ),
        licensee_id=licensee,
        held_party_ids=[old, kept],
    )  # fmt: skip
    event_id = await service.publish(release)
    got = await _recipients(service, event_id, 5)
    assert {old, kept, new, licensee, society} <= got

    async def told(party: uuid.UUID) -> str:
        message: str = await service.scalar(
            "SELECT message FROM notification WHERE event_id = :e AND recipient_id = :p",
            e=event_id, p=party,
        )  # fmt: skip
        return message

    assert "Your share: 30.00 THB" in await told(new)
    assert "not among the owners" in await told(old)
