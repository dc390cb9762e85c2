"""The register read model: snapshots in order, idempotent, poison to the DLQ, rebuildable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.enums import WorkStatus
from contracts.topics import FILING_WORKS, dlq
from licensing.app import build
from licensing.models import RegisterShares
from licensing.rebuild import rebuild_read_model
from runtime.consumer import ProcessedEvent
from sqlalchemy import func, select, text
from sqlmodel import col

from contracts import events

from .conftest import Register, Service, known_work, wait_for
from .kafka_reader import Record, read_raw_until

READ_MODEL_TABLES = {
    "register_party": "id",
    "register_work": "id",
    "register_holder": "work_id, party_id, role",
    "register_shares": "work_id, effective_from",
}


async def _dead_lettered(service: Service, key: uuid.UUID) -> Record:
    """The register consumer's dead letter of the record keyed `key`, once it is there."""
    records = await read_raw_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic(dlq(service.settings.register_group)),
        lambda rs: any(r.key == str(key).encode() for r in rs),
    )
    return next(r for r in records if r.key == str(key).encode())


async def test_older_snapshot_never_rolls_the_read_model_back(
    service: Service, register: Register
) -> None:
    owner = await register.party()
    work_id = await known_work(service, register, {owner: "100.00"})
    late = await register.stale_filing(work_id, {owner: "100.00"})
    await wait_for(lambda: service.processed(late))
    assert await service.knows_work(work_id, "REGISTERED")


async def test_redelivered_event_takes_effect_once(service: Service, register: Register) -> None:
    a, b = await register.party(), await register.party()
    work_id = await register.registered_work({a: "100.00"})
    for _ in range(2):
        # Two transfers leaving the same shares: only the first changes the share history.
        await register.transfer(work_id, {a: "100.00"}, {a: "50.00", b: "50.00"},
                                at=datetime.now(UTC), from_party=a, to_party=b, share="50.00")
    disputed_id = uuid.uuid4()
    disputed = events.WorkDisputed(
        occurred_at=datetime.now(UTC),
        work=register.state(work_id, {a: "50.00", b: "50.00"}, WorkStatus.DISPUTED),
        reason="contested",
    )
    await register.publish(disputed, event_id=disputed_id)
    await wait_for(lambda: service.knows_work(work_id, "DISPUTED"))
    holders = register.state(work_id, {a: "50.00", b: "50.00"}, WorkStatus.REGISTERED)
    await register.publish(
        events.WorkDisputeResolved(
            occurred_at=datetime.now(UTC), work=holders, keep_owners=True, reason="kept",
            previous_rights_holders=holders.rights_holders,
        )
    )
    await wait_for(lambda: service.knows_work(work_id, "REGISTERED"))
    # The same record again (same ce_id, same payload), as a producer retry would send it.
    await register.publish(disputed, event_id=disputed_id)
    # A stale event behind it on the same key: once it is tracked, the duplicate was seen.
    marker = await register.stale_filing(work_id, {a: "100.00"})
    await wait_for(lambda: service.processed(marker))
    assert await service.knows_work(work_id, "REGISTERED")
    async with service.licensing.sessions() as session:
        history = (
            await session.execute(
                select(func.count()).select_from(RegisterShares).where(
                    col(RegisterShares.work_id) == work_id
                )
            )
        ).scalar_one()
        tracked = (
            await session.execute(
                select(func.count()).select_from(ProcessedEvent).where(
                    col(ProcessedEvent.event_id) == disputed_id
                )
            )
        ).scalar_one()
    assert (history, tracked) == (2, 1)  # shares 100 then 50/50; the event tracked once


async def test_poison_record_goes_to_the_dlq_and_the_partition_moves_on(
    service: Service, register: Register
) -> None:
    owner = await register.party()
    work_key = uuid.uuid4()
    await register.producer.send_and_wait(
        service.settings.topic(FILING_WORKS),
        key=str(work_key).encode(),
        value=b"{not json",
        headers=[("ce_type", b"org.aseanip.filing.work.registered.v1")],
    )
    # A good event behind it on the same key (so the same partition) is still applied.
    await register.publish(
        events.WorkRegistered(
            occurred_at=datetime.now(UTC),
            work=register.state(work_key, {owner: "100.00"}, WorkStatus.REGISTERED),
        )
    )
    await wait_for(lambda: service.knows_work(work_key))
    poison = await _dead_lettered(service, work_key)
    headers = dict(poison.headers)
    assert poison.value == b"{not json"
    assert headers["dlq_error_type"] == b"MalformedRecord"
    assert headers["dlq_original_topic"] == service.settings.topic(FILING_WORKS).encode()


async def _snapshot(sessions: Any) -> dict[str, list[tuple[tuple[str, Any], ...]]]:
    tables = {}
    async with sessions() as session:
        for table, order in READ_MODEL_TABLES.items():
            rows = await session.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))
            # By column name: a rebuilt table has the models' column order, not the migrations'.
            tables[table] = [tuple(sorted(row._mapping.items())) for row in rows]
    return tables


async def test_rebuilt_read_model_equals_the_live_one(
    service: Service, register: Register, create_database: Any
) -> None:
    # Some history of its own, so the comparison never runs on an empty model.
    a, b = await register.party(), await register.party()
    work_id = await register.registered_work({a: "100.00"})
    await register.transfer(work_id, {a: "100.00"}, {a: "70.00", b: "30.00"},
                            at=datetime.now(UTC), from_party=a, to_party=b, share="30.00")
    await wait_for(lambda: _shares_known(service.licensing.sessions, work_id, 2))
    settings = service.settings.model_copy(
        update={
            "database_url": await create_database("licensing_rebuild"),
            "register_group": f"licensing-rebuild-{uuid.uuid4().hex[:8]}",
        }
    )

    async def same_as_live(sessions: Any) -> bool:
        live = await _snapshot(service.licensing.sessions)
        return live == await _snapshot(sessions)

    # A second instance replays the topics from the beginning into an empty database ...
    rebuilt, _ = build(settings)
    await rebuilt.start()
    try:
        await wait_for(lambda: same_as_live(rebuilt.sessions), timeout=30)
    finally:
        await rebuilt.stop()
    # ... and the rebuild command replays them again into fresh tables swapped in at its end.
    await rebuild_read_model(settings)
    again, _ = build(settings)
    assert await same_as_live(again.sessions)


async def _shares_known(sessions: Any, work_id: uuid.UUID, entries: int) -> bool:
    async with sessions() as session:
        count = (
            await session.execute(
                select(func.count()).select_from(RegisterShares).where(
                    col(RegisterShares.work_id) == work_id
                )
            )
        ).scalar_one()
    return bool(count == entries)


async def test_event_that_keeps_failing_is_dead_lettered_after_bounded_tries(
    service: Service, register: Register
) -> None:
    # A NUL character is valid JSON text but Postgres cannot store it: the handler fails on
    # every try, whatever happens.
    poisoned = uuid.uuid4()
    await register.publish(
        events.PartyRegistered(
            occurred_at=datetime.now(UTC),
            party=events.PartyState(id=poisoned, name="bad\x00name", kind="PERSON",
                                    country="TH"),
        )
    )
    after = await register.party("After the poison")
    await wait_for(lambda: service.knows_party(after))
    dead = await _dead_lettered(service, poisoned)
    headers = dict(dead.headers)
    assert headers["dlq_attempts"] == str(service.settings.consumer_max_attempts).encode()
    assert not await service.knows_party(poisoned)
