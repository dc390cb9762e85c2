"""Advances paid and split, minimum-guarantee true-ups and cross-collateralised deals
(DOMAIN.md, "Advances and minimum guarantees") against real Postgres and Kafka."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from licensing.service import expire_due_licences
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from contracts import events

from .conftest import (
    THIS_YEAR,
    Deal,
    Register,
    Service,
    known_work,
    mutual_mandate,
    offer_body,
    today,
)
from .kafka_reader import read_until
from .test_usage_lines import _iswc, _work


async def _active(service: Service, deal: Deal, **overrides: Any) -> str:
    async with service.client(deal.owner) as client:
        offered = await client.post("/licences", json=offer_body(deal, **overrides))
    assert offered.status_code == 201, offered.text
    licence_id: str = offered.json()["id"]
    async with service.client(deal.licensee) as client:
        accepted = await client.post(f"/licences/{licence_id}/accept")
    assert accepted.status_code == 200, accepted.text
    return licence_id


async def _post(service: Service, who: uuid.UUID, path: str, body: dict[str, Any]) -> Any:
    async with service.client(who) as client:
        return await client.post(path, json=body)


async def _statements(service: Service, deal: Deal, licence_id: str) -> list[dict[str, Any]]:
    async with service.client(deal.owner) as client:
        found = await client.get("/statements", params={"licence_ids": licence_id})
    items: list[dict[str, Any]] = found.json()["items"][licence_id]
    return items


def _lines(statement: dict[str, Any]) -> dict[str, str]:
    return {line["party_id"]: line["amount"] for line in statement["lines"]}


async def test_an_advance_is_recorded_paid_once_and_split_among_the_owners(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active(service, deal, advance="1000.01", minimum_guarantee="1500.00")
    path = f"/licences/{licence_id}/advance-payment"
    body = {"paid_on": today().isoformat(), "reference": " TT-7781 "}
    assert (await _post(service, deal.owner, path, body)).status_code == 403
    ahead = await _post(service, deal.licensee, path, body | {
        "paid_on": (today() + timedelta(days=1)).isoformat()})  # fmt: skip
    assert (ahead.status_code, ahead.json()["field"]) == (400, "paid_on")
    paid = await _post(service, deal.licensee, path, body)
    assert paid.status_code == 201, paid.text
    statement = paid.json()
    assert (statement["kind"], statement["report_id"], statement["payable"]) == (
        "ADVANCE", None, "1000.01")
    assert statement["period_start"] == statement["period_end"] == today().isoformat()
    # 66.67% and 33.33% of 1000.01 are 666.706667 and 333.303333: 666.71 and 333.30.
    assert _lines(statement) == {str(deal.owner): "666.71", str(deal.co_owner): "333.30"}
    # Paid as it is issued, and answered so (DOMAIN.md, "The payee ledger").
    assert statement["payment"] == {
        "status": "PAID", "paid_on": today().isoformat(), "reference": "TT-7781",
        "amount": "1000.01"}  # fmt: skip
    again = await _post(service, deal.licensee, path, body | {"reference": "TT-7782"})
    assert (again.status_code, again.json()["code"]) == (409, "ADVANCE_ALREADY_PAID")
    listed = await _statements(service, deal, licence_id)
    assert [(s["kind"], s["advance_payment"]) for s in listed] == [
        ("ADVANCE", {"paid_on": today().isoformat(), "reference": "TT-7781"})]
    assert statement["advance_payment"] == listed[0]["advance_payment"]
    # The advance statement is not a royalty: the first report still recoups the advance.
    report = await _post(service, deal.licensee, f"/licences/{licence_id}/usage-reports", {
        "period_start": f"{THIS_YEAR}-01-01", "period_end": f"{THIS_YEAR}-01-31",
        "units": 10, "gross_revenue": "12000.00"})  # fmt: skip
    royalty = report.json()["statement"]
    assert (royalty["kind"], royalty["recouped"], royalty["payable"]) == (
        "ROYALTY", "1000.01", "199.99")

    seen = await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic("licensing.royalties.v1"),
        lambda seen_events: any(e.subject == licence_id and e.type.endswith("advance_paid.v1")
                           for e in seen_events),
    )  # fmt: skip
    issued = [e.data for e in seen
              if e.subject == licence_id and e.type.endswith("advance_paid.v1")]  # fmt: skip
    assert len(issued) == 1
    assert isinstance(issued[0], events.AdvancePaid)
    assert (issued[0].statement.reference, issued[0].statement.payable) == (
        "TT-7781", Decimal("1000.01"))
    assert issued[0].statement.id == uuid.UUID(statement["id"])


async def test_a_shortfall_is_trued_up_once_at_expiry_and_recouped_by_late_royalties(
    service: Service, deal: Deal
) -> None:
    start, last_day = today() - timedelta(days=200), today() - timedelta(days=1)
    licence_id = await _active(
        service, deal, advance="100.00", minimum_guarantee="500.00",
        start=start.isoformat(), end=last_day.isoformat(), territories=["MY"],
    )  # fmt: skip
    usage = f"/licences/{licence_id}/usage-reports"
    first = {"period_start": start.isoformat(),
             "period_end": (start + timedelta(days=9)).isoformat(), "units": 1}
    assert (await _post(service, deal.licensee, usage, first | {
        "gross_revenue": "400.00"})).status_code == 201  # fmt: skip
    # The job dies and reruns, twice: one expiry, one true-up.
    for _ in range(2):
        await expire_due_licences(uow=service.licensing.uow, today=today())
    true_ups = [s for s in await _statements(service, deal, licence_id) if s["kind"] == "TRUE_UP"]
    assert len(true_ups) == 1
    # MG 500 - max(advance 100, royalties 40) = 400.00, split 66.67 / 33.33.
    assert true_ups[0]["payable"] == "400.00"
    assert _lines(true_ups[0]) == {str(deal.owner): "266.68", str(deal.co_owner): "133.32"}
    assert (true_ups[0]["period_start"], true_ups[0]["period_end"]) == (
        start.isoformat(), last_day.isoformat())
    # The last period reported after the end: 520 more royalties, 560 in all, against
    # credits of 500 (advance 100 + true-up 400): 60 is payable, so the owners have 560 in
    # all (100 + 400 + 60), the royalties, above the guarantee.
    late = {"period_start": (start + timedelta(days=10)).isoformat(),
            "period_end": last_day.isoformat(), "units": 1}
    stated = (await _post(service, deal.licensee, usage, late | {
        "gross_revenue": "5200.00"})).json()["statement"]  # fmt: skip
    assert (stated["royalty"], stated["recouped"], stated["payable"]) == (
        "520.00", "460.00", "60.00")
    # The database itself refuses a second true-up of the licence.
    with pytest.raises(IntegrityError):
        async with service.licensing.sessions() as session:
            await session.execute(text(
                "INSERT INTO royalty_statement (id, licence_id, work_id, kind, period_start,"
                " period_end, gross, royalty, recouped, payable, currency, lines, issued_at)"
                " SELECT gen_random_uuid(), licence_id, work_id, kind, period_start,"
                " period_end, gross, royalty, recouped, payable, currency, lines, now()"
                " FROM royalty_statement WHERE licence_id = :licence AND kind = 'TRUE_UP'"
            ), {"licence": licence_id})  # fmt: skip


async def test_a_termination_trues_up_the_whole_guarantee(service: Service, deal: Deal) -> None:
    licence_id = await _active(
        service, deal, advance="0", minimum_guarantee="250.00", territories=["SG"]
    )
    ended = await _post(service, deal.licensee, f"/licences/{licence_id}/terminate",
                        {"reason": "catalogue withdrawn"})  # fmt: skip
    assert ended.status_code == 200, ended.text
    true_ups = [s for s in await _statements(service, deal, licence_id) if s["kind"] == "TRUE_UP"]
    assert [s["payable"] for s in true_ups] == ["250.00"]
    assert true_ups[0]["period_end"] == today().isoformat()
    seen = await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic("licensing.royalties.v1"),
        lambda seen_events: any(e.subject == licence_id and e.type.endswith("trued_up.v1")
                           for e in seen_events),
    )  # fmt: skip
    issued = [e.data for e in seen if e.subject == licence_id]
    assert len(issued) == 1 and isinstance(issued[0], events.GuaranteeTruedUp)
    assert (issued[0].statement.minimum_guarantee, issued[0].statement.payable) == (
        Decimal("250.00"), Decimal("250.00"))


async def _deal_royalty(
    service: Service, deal: Deal, register: Register, *, cross: bool
) -> tuple[str, str]:
    """Licence A (advance 300.00) and licence B (no advance) of two works of the same owners
    in one deal; B reports royalties of 200.00: its (recouped, payable)."""
    deal_id = str(uuid.uuid4())
    terms = {"deal_id": deal_id, "cross_collateralised": cross,
             "territories": ["KH"] if cross else ["BN"]}
    await _active(service, deal, advance="300.00", **terms)
    other = Deal(await known_work(service, register, deal.owners), deal.owner, deal.co_owner,
                 deal.licensee, deal.owners)  # fmt: skip
    await mutual_mandate(service, deal.co_owner, deal.owner, other.work_id)
    b = await _active(service, other, **terms)
    async with service.client(deal.licensee) as client:
        shown = (await client.get(f"/licences/{b}")).json()
    assert shown["deal"] == {"id": deal_id, "cross_collateralised": cross}
    report = await _post(service, deal.licensee, f"/licences/{b}/usage-reports", {
        "period_start": f"{THIS_YEAR}-01-01", "period_end": f"{THIS_YEAR}-01-31",
        "units": 1, "gross_revenue": "2000.00"})  # fmt: skip
    statement = report.json()["statement"]
    return statement["recouped"], statement["payable"]


async def test_royalties_recoup_another_licences_advance_only_in_a_cross_collateralised_deal(
    service: Service, deal: Deal, register: Register
) -> None:
    assert await _deal_royalty(service, deal, register, cross=True) == ("200.00", "0.00")
    assert await _deal_royalty(service, deal, register, cross=False) == ("0.00", "200.00")


async def test_an_offer_joins_a_deal_only_on_its_terms(
    service: Service, deal: Deal, register: Register
) -> None:
    deal_id = str(uuid.uuid4())
    await _active(service, deal, deal_id=deal_id, cross_collateralised=True, territories=["LA"])
    implied = await _post(service, deal.owner, "/licences", offer_body(
        deal, deal_id=deal_id, territories=["MM"]))  # fmt: skip
    assert (implied.status_code, implied.json()["code"], implied.json()["field"]) == (
        400, "DEAL_MISMATCH", "cross_collateralised")
    stranger = await register.party("Stranger")
    elsewhere = await known_work(service, register, {deal.owner: "50.00", stranger: "50.00"})
    other_owners = Deal(elsewhere, deal.owner, stranger, deal.licensee, {})
    refused = await _post(service, deal.owner, "/licences", offer_body(
        other_owners, deal_id=deal_id, cross_collateralised=True))  # fmt: skip
    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (
        400, "DEAL_MISMATCH", "deal_id")


async def test_line_reports_of_one_chunk_recoup_a_cross_collateralised_pool_in_turn(
    service: Service, deal: Deal, register: Register
) -> None:
    # Two works of the same owners, licensed in one cross-collateralised deal with advances
    # of 100.00 and 50.00; one batch of lines earns 100.00 on each: 200.00 against 150.00,
    # so exactly 50.00 is payable over the two statements, whichever is stated first.
    deal_id = str(uuid.uuid4())
    works, licences = [], []
    for advance in ("100.00", "50.00"):
        iswc = _iswc()
        work = await _work(service, register, deal.owners, f"Pool {uuid.uuid4().hex[:8]}",
                           iswc=iswc)  # fmt: skip
        licences.append(await _active(
            service, Deal(work, deal.owner, deal.co_owner, deal.licensee, deal.owners),
            advance=advance, deal_id=deal_id, cross_collateralised=True, exclusive=False,
        ))  # fmt: skip
        works.append(iswc)
    lines = [
        {"line_key": f"p{i}", "iswc": iswc, "title": "Pool", "units": 1, "revenue": "1000.00",
         "currency": "USD", "territory": "TH", "period_start": f"{THIS_YEAR}-01-01",
         "period_end": f"{THIS_YEAR}-01-31"}
        for i, iswc in enumerate(works)
    ]  # fmt: skip
    sent = await _post(service, deal.licensee, "/usage-lines",
                       {"usage_file": f"pool-{uuid.uuid4().hex[:8]}", "lines": lines})  # fmt: skip
    assert sent.status_code == 201, sent.text
    stated = [s for lid in licences for s in await _statements(service, deal, lid)]
    assert sorted(s["royalty"] for s in stated) == ["100.00", "100.00"]
    assert sum(Decimal(s["payable"]) for s in stated) == Decimal("50.00")
    assert sum(Decimal(s["recouped"]) for s in stated) == Decimal("150.00")
