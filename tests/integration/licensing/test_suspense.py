"""Suspense while a work is disputed (DOMAIN.md), against real Postgres and Kafka: filing's
`work.disputed` and `work.dispute_resolved` published on the real topic, statements held
while the register shows the work disputed, and released once to the resolution's owners."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from contracts.enums import WorkStatus
from contracts.identifiers import iswc_check_digit
from sqlalchemy import text

from contracts import events

from .conftest import THIS_YEAR, Deal, Register, Service, offer_body, wait_for
from .kafka_reader import read_until


async def _active_licence(service: Service, deal: Deal, **overrides: Any) -> str:
    async with service.client(deal.owner) as client:
        offered = await client.post("/licences", json=offer_body(deal, **overrides))
    assert offered.status_code == 201, offered.text
    licence_id: str = offered.json()["id"]
    async with service.client(deal.licensee) as client:
        accepted = await client.post(f"/licences/{licence_id}/accept")
    assert accepted.status_code == 200, accepted.text
    return licence_id


async def _report(service: Service, deal: Deal, licence_id: str, month: int, gross: str) -> Any:
    body = {"period_start": f"{THIS_YEAR}-{month:02d}-01",
            "period_end": f"{THIS_YEAR}-{month:02d}-28", "units": 10, "gross_revenue": gross}
    async with service.client(deal.licensee) as client:
        response = await client.post(f"/licences/{licence_id}/usage-reports", json=body)
    assert response.status_code == 201, response.text
    return response.json()["statement"]


async def _dispute(register: Register, deal: Deal, *, version: int) -> None:
    await register.publish(
        events.WorkDisputed(
            occurred_at=datetime.now(UTC), version=version, reason="contested",
            work=register.state(deal.work_id, deal.owners, WorkStatus.DISPUTED),
        )
    )  # fmt: skip


async def _resolve(
    register: Register, deal: Deal, owners: dict[uuid.UUID, str], *, version: int,
    event_id: uuid.UUID | None = None,
) -> None:
    await register.publish(
        events.WorkDisputeResolved(
            occurred_at=datetime.now(UTC), version=version, keep_owners=False,
            reason="the claimant's evidence holds",
            work=register.state(deal.work_id, owners, WorkStatus.REGISTERED),
            previous_rights_holders=register.state(
                deal.work_id, deal.owners, WorkStatus.DISPUTED
            ).rights_holders,
        ),
        event_id=event_id,
    )  # fmt: skip


async def _statements(service: Service, who: uuid.UUID, licence_id: str) -> list[dict[str, Any]]:
    async with service.client(who) as client:
        found = await client.get("/statements", params={"licence_ids": licence_id})
    assert found.status_code == 200, found.text
    return list(found.json()["items"].get(licence_id, []))


async def _suspense(service: Service, who: uuid.UUID, work_id: uuid.UUID) -> dict[str, Any]:
    async with service.client(who) as client:
        found = await client.get("/suspense", params={"work_ids": str(work_id)})
    assert found.status_code == 200, found.text
    [work] = found.json()["items"]
    assert work["id"] == str(work_id)
    return dict(work)


async def _in_suspense(service: Service, who: uuid.UUID, work_id: uuid.UUID) -> list[Any]:
    return list((await _suspense(service, who, work_id))["amounts"])


def _lines(statement: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    return {line["party_id"]: (line["amount"], bool(line.get("held"))) for line in statement["lines"]}


async def test_a_disputed_works_statements_are_held_then_released_to_the_resolutions_owners(
    service: Service, register: Register, deal: Deal
) -> None:
    licence_id = await _active_licence(service, deal, advance="150.00")
    jan = await _report(service, deal, licence_id, 1, "1000.00")
    assert (jan["payable"], jan["held"]) == ("0.00", False)

    assert (await _suspense(service, deal.owner, deal.work_id))["holding"] is False
    await _dispute(register, deal, version=3)
    await wait_for(lambda: service.knows_work(deal.work_id, "DISPUTED"))
    assert (await _suspense(service, deal.owner, deal.work_id))["holding"] is True
    feb = await _report(service, deal, licence_id, 2, "1000.10")
    # Figures as ever (100.01 royalty, 50.00 recouped); the lines split by the registered
    # shares, 66.67% and 33.33% of 50.01, are held.
    assert (feb["royalty"], feb["recouped"], feb["payable"], feb["held"]) == (
        "100.01", "50.00", "50.01", True)
    assert _lines(feb) == {str(deal.owner): ("33.34", True), str(deal.co_owner): ("16.67", True)}
    assert await _in_suspense(service, deal.owner, deal.work_id) == [
        {"currency": "USD", "amount": "50.01"}]
    # A party that sees none of the work's licences sees nothing held.
    stranger = await register.party("Stranger")
    assert await _in_suspense(service, stranger, deal.work_id) == []

    claimant = await register.party("Claimant")
    await wait_for(lambda: service.knows_party(claimant))
    new_owners = {claimant: "60.00", deal.co_owner: "40.00"}
    await _resolve(register, deal, new_owners, version=4)

    async def released() -> bool:
        return any(s["kind"] == "RELEASE" for s in await _statements(service, claimant, licence_id))

    await wait_for(released)
    statements = {s["id"]: s for s in await _statements(service, claimant, licence_id)}
    [release] = [s for s in statements.values() if s["kind"] == "RELEASE"]
    # 60% and 40% of 50.01: 30.006 and 20.004, to the cent 30.01 and 20.00.
    assert (release["payable"], release["report_id"], release["held"]) == ("50.01", None, False)
    assert (release["royalty"], release["recouped"], release["gross"]) == ("0", "0", "0")
    assert _lines(release) == {str(claimant): ("30.01", False), str(deal.co_owner): ("20.00", False)}
    assert release["releases"] == [feb["id"]]
    assert (release["period_start"], release["period_end"]) == (feb["period_start"], feb["period_end"])
    # The held statement is unchanged (immutable), and now names its release.
    assert {k: v for k, v in statements[feb["id"]].items() if k != "released_by"} == {
        k: v for k, v in feb.items() if k != "released_by"}
    assert statements[feb["id"]]["released_by"] == release["id"]
    assert statements[jan["id"]]["released_by"] is None
    assert await _suspense(service, deal.owner, deal.work_id) == {
        "id": str(deal.work_id), "holding": False, "amounts": []}

    # The release moves money already stated: the advance's recoupment does not count it
    # (counted, April would pay 100.00 - 50.01 = 49.99).
    apr = await _report(service, deal, licence_id, 4, "1000.00")
    assert (apr["payable"], apr["held"]) == ("100.00", False)
    # April ended before the resolution was recorded: split by the shares then (a change of
    # owners is not backdated), while the release went to the resolution's owners.
    assert _lines(apr) == {str(deal.owner): ("66.67", False), str(deal.co_owner): ("33.33", False)}

    seen = await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic("licensing.royalties.v1"),
        lambda found: any(
            isinstance(e.data, events.RoyaltyStatementReleased)
            and str(e.data.statement.id) == release["id"]
            for e in found
        ),
    )
    issued = next(e.data for e in seen if isinstance(e.data, events.RoyaltyStatementIssued)
                  and str(e.data.statement.id) == feb["id"])
    assert issued.statement.held and all(line.held for line in issued.statement.lines)
    published = next(e.data for e in seen if isinstance(e.data, events.RoyaltyStatementReleased)
                     and str(e.data.statement.id) == release["id"])
    assert [str(s) for s in published.statement.releases] == [feb["id"]]
    assert published.statement.payable == Decimal("50.01")
    assert set(published.held_party_ids) == {deal.owner, deal.co_owner}
    assert str(published.licensee_id) == str(deal.licensee)


async def test_a_resolution_delivered_again_releases_nothing_more(
    service: Service, register: Register, deal: Deal
) -> None:
    licence_id = await _active_licence(service, deal)
    await _dispute(register, deal, version=3)
    await wait_for(lambda: service.knows_work(deal.work_id, "DISPUTED"))
    held = await _report(service, deal, licence_id, 1, "10.00")
    assert held["held"]
    first, again = uuid.uuid4(), uuid.uuid4()
    await _resolve(register, deal, deal.owners, version=4, event_id=first)
    await wait_for(lambda: service.processed(first))
    # The same resolution published again under a new id (a producer's retry), and once more
    # under the same id (a redelivery): neither releases a second time.
    await _resolve(register, deal, deal.owners, version=4, event_id=again)
    await _resolve(register, deal, deal.owners, version=4, event_id=first)
    await wait_for(lambda: service.processed(again))
    statements = await _statements(service, deal.owner, licence_id)
    releases = [s for s in statements if s["kind"] == "RELEASE"]
    assert [r["releases"] for r in releases] == [[held["id"]]]
    # Kept owners: the held 1.00 goes to them, by their shares at the resolution.
    assert _lines(releases[0]) == {str(deal.owner): ("0.67", False), str(deal.co_owner): ("0.33", False)}


async def test_a_statement_issued_after_the_resolution_is_not_held(
    service: Service, register: Register, deal: Deal
) -> None:
    licence_id = await _active_licence(service, deal)
    await _dispute(register, deal, version=3)
    await wait_for(lambda: service.knows_work(deal.work_id, "DISPUTED"))
    resolution = uuid.uuid4()
    await _resolve(register, deal, deal.owners, version=4, event_id=resolution)
    await wait_for(lambda: service.processed(resolution))
    after = await _report(service, deal, licence_id, 1, "10.00")
    assert after["held"] is False
    assert [s["kind"] for s in await _statements(service, deal.owner, licence_id)] == ["ROYALTY"]


async def test_a_line_reports_statement_is_held_the_same_way(
    service: Service, register: Register, deal: Deal
) -> None:
    licence_id = await _active_licence(service, deal)
    nine = f"{uuid.uuid4().int % 10**9:09d}"
    iswc = f"T-{nine[:3]}.{nine[3:6]}.{nine[6:]}-{iswc_check_digit(nine)}"
    disputed = register.state(deal.work_id, deal.owners, WorkStatus.DISPUTED)
    disputed = disputed.model_copy(update={"identifiers": events.Identifiers(iswc=iswc)})
    await register.publish(
        events.WorkDisputed(occurred_at=datetime.now(UTC), version=3, reason="contested",
                            work=disputed)
    )  # fmt: skip
    await wait_for(lambda: service.knows_work(deal.work_id, "DISPUTED"))
    csv = (
        "line_key,isrc,iswc,title,writers,units,revenue,currency,territory,period_start,"
        f"period_end\nk1,,{iswc},Any Title,,5,30.00,USD,TH,{THIS_YEAR}-01-01,{THIS_YEAR}-01-31\n"
        f"k2,,{iswc},Any Title,,5,0.05,USD,VN,{THIS_YEAR}-01-01,{THIS_YEAR}-01-31\n"
    )
    async with service.client(deal.licensee) as client:
        answer = await client.post("/usage-files", params={"format": "CSV"}, content=csv.encode())
    assert answer.status_code == 201, answer.text
    assert answer.json()["statuses"] == {"STATED": 2}
    [statement] = await _statements(service, deal.owner, licence_id)
    # 3.00 + 0.01 (0.005 rounded half-up) = 3.01, split 66.67/33.33: 2.01 and 1.00, held.
    assert (statement["royalty"], statement["payable"], statement["held"]) == ("3.01", "3.01", True)
    assert _lines(statement) == {str(deal.owner): ("2.01", True), str(deal.co_owner): ("1.00", True)}
    assert [u["line_key"] for u in statement["usage_lines"]] == ["k1", "k2"]
    assert await _in_suspense(service, deal.owner, deal.work_id) == [
        {"currency": "USD", "amount": "3.01"}]


async def test_a_release_that_fails_mid_way_is_made_once_on_the_retry(
    service: Service, register: Register, deal: Deal
) -> None:
    licence_id = await _active_licence(service, deal)
    await _dispute(register, deal, version=3)
    await wait_for(lambda: service.knows_work(deal.work_id, "DISPUTED"))
    held = await _report(service, deal, licence_id, 1, "10.00")
    # A real failure inside the consumer's unit of work, after the RELEASE statement is
    # written and before its holds are linked: the first linking of this work's holds fails
    # as a transient database error would (a sequence counts outside the transaction).
    fault = f"suspense_fault_{uuid.uuid4().hex[:8]}"
    async with service.licensing.sessions() as session, session.begin():
        await session.execute(text(f"CREATE SEQUENCE {fault}"))
        await session.execute(text(
            f"CREATE FUNCTION {fault}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.work_id = '{deal.work_id}' AND nextval('{fault}') = 1 THEN "
            "RAISE EXCEPTION 'injected fault' USING ERRCODE = '40001'; END IF; "
            "RETURN NEW; END $$"
        ))
        await session.execute(text(
            f"CREATE TRIGGER {fault} BEFORE UPDATE ON statement_hold "
            f"FOR EACH ROW EXECUTE FUNCTION {fault}()"
        ))  # fmt: skip
    try:
        resolution = uuid.uuid4()
        await _resolve(register, deal, deal.owners, version=4, event_id=resolution)
        await wait_for(lambda: service.processed(resolution))
        async with service.licensing.sessions() as session:
            tries = (await session.execute(text(f"SELECT last_value FROM {fault}"))).scalar_one()
    finally:
        async with service.licensing.sessions() as session, session.begin():
            await session.execute(text(f"DROP TRIGGER {fault} ON statement_hold"))
            await session.execute(text(f"DROP FUNCTION {fault}()"))
            await session.execute(text(f"DROP SEQUENCE {fault}"))
    assert tries >= 2  # the first attempt failed, a later one succeeded
    releases = [s for s in await _statements(service, deal.owner, licence_id) if s["kind"] == "RELEASE"]
    assert [(r["payable"], r["releases"]) for r in releases] == [("1.00", [held["id"]])]
    async with service.client(deal.owner) as client:
        timeline = (await client.get("/licence-events", params={"licence_ids": licence_id})).json()
    released = [e for e in timeline["items"][licence_id] if e["type"].endswith("statement_released.v1")]
    assert len(released) == 1
