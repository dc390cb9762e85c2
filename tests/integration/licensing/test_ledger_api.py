"""The payee ledger over HTTP against real Postgres (DOMAIN.md, "The payee ledger, payments and
conversion"): a statement's payment and status, the balances, exchange rates and conversion."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from licensing.models import StatementRow
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from .conftest import THIS_YEAR, Deal, Service, offer_body, today
from .kafka_reader import read_until


async def _statement(service: Service, deal: Deal, currency: str, gross: str) -> dict[str, Any]:
    """A royalty statement of a fresh licence: 10% of `gross`, split 66.67/33.33."""
    async with service.client(deal.owner) as client:
        offered = await client.post("/licences", json=offer_body(deal, currency=currency))
    assert offered.status_code == 201, offered.text
    licence_id = offered.json()["id"]
    async with service.client(deal.licensee) as client:
        assert (await client.post(f"/licences/{licence_id}/accept")).status_code == 200
        reported = await client.post(
            f"/licences/{licence_id}/usage-reports",
            json={"period_start": f"{THIS_YEAR}-01-01", "period_end": f"{THIS_YEAR}-01-31",
                  "units": 10, "gross_revenue": gross},
        )  # fmt: skip
    assert reported.status_code == 201, reported.text
    statement: dict[str, Any] = reported.json()["statement"]
    return statement


async def _balances(service: Service, party: uuid.UUID, **params: str) -> list[dict[str, Any]]:
    async with service.client(party) as client:
        found = await client.get("/balances", params=params)
    assert found.status_code == 200, found.text
    ledgers: list[dict[str, Any]] = found.json()["ledgers"]
    return ledgers


def _closing_identity(ledger: dict[str, Any]) -> Decimal:
    d = {k: Decimal(v) for k, v in ledger.items() if k not in ("currency", "from", "to")}
    return (d["opening"] + d["earnings"] + d["advances"] + d["true_ups"] + d["releases"]
            - d["holds"] - d["payments"])  # fmt: skip


async def test_the_licensee_pays_a_statement_once_and_the_payees_ledger_follows(
    service: Service, deal: Deal
) -> None:
    statement = await _statement(service, deal, "USD", "1000.00")
    assert statement["payment"] == {
        "status": "UNPAID", "paid_on": None, "reference": None, "amount": None,
    }  # fmt: skip
    (before,) = await _balances(service, deal.owner)
    assert (before["currency"], before["earnings"], before["payments"], before["closing"]) == (
        "USD",
        "66.67",
        "0.00",
        "66.67",
    )

    path = f"/statements/{statement['id']}/payment"
    issued = datetime.fromisoformat(statement["issued_at"]).astimezone(UTC).date()
    body = {"paid_on": issued.isoformat(), "reference": "WIRE 2024/117"}
    async with service.client(deal.owner) as client:
        refused = await client.post(path, json=body)
    assert (refused.status_code, refused.json()["code"]) == (403, "NOT_THE_LICENSEE")
    async with service.client(deal.licensee) as client:
        early = await client.post(path, json={**body, "paid_on": str(issued - timedelta(days=1))})
        key = {"Idempotency-Key": str(uuid.uuid4())}
        paid = await client.post(path, json=body, headers=key)
        replayed = await client.post(path, json=body, headers=key)
        again = await client.post(path, json=body)
    assert (early.status_code, early.json()["field"]) == (400, "paid_on")
    assert paid.status_code == 200, paid.text
    assert paid.json()["payment"] == {
        "status": "PAID", "paid_on": issued.isoformat(), "reference": "WIRE 2024/117",
        "amount": "100.00",
    }  # fmt: skip
    assert replayed.json() == paid.json()
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert (again.status_code, again.json()["code"]) == (409, "STATEMENT_ALREADY_PAID")

    for party, share in ((deal.owner, "66.67"), (deal.co_owner, "33.33")):
        (after,) = await _balances(service, party)
        assert (after["earnings"], after["payments"], after["closing"]) == (share, share, "0.00")
        assert _closing_identity(after) == Decimal(after["closing"])
    # The statement as its licence shows it carries the payment too.
    async with service.client(deal.co_owner) as client:
        listed = await client.get("/statements", params={"licence_ids": statement["licence_id"]})
        mine = await client.get("/payee-statements", params={"status": "PAID"})
        unpaid = await client.get("/payee-statements", params={"status": "UNPAID"})
    assert listed.json()["items"][statement["licence_id"]][0]["payment"]["status"] == "PAID"
    assert statement["id"] in [s["id"] for s in mine.json()["items"]]
    assert statement["id"] not in [s["id"] for s in unpaid.json()["items"]]
    async with service.client(deal.licensee) as client:
        owed = await client.get("/payee-statements", params={"as_payer": "true"})
    assert statement["id"] in [s["id"] for s in owed.json()["items"]]

    # One `royalty.statement_paid` on the licence's key names the payees and their amounts
    # (not the reference), and the licence's timeline records it.
    def paid_event(events: list[Any]) -> bool:
        return any(e.type.endswith("royalty.statement_paid.v1") and e.subject ==
                   statement["licence_id"] for e in events)  # fmt: skip

    seen = await read_until(service.settings.platform.kafka_bootstrap_servers,
                            service.settings.topic("licensing.royalties.v1"), paid_event)  # fmt: skip
    (event,) = [e.data for e in seen if e.type.endswith("royalty.statement_paid.v1")
                and e.subject == statement["licence_id"]]  # fmt: skip
    assert (str(event.statement_id), event.amount, event.paid_on) == (  # type: ignore[attr-defined]
        statement["id"], Decimal("100.00"), issued)
    assert {str(x.party_id): str(x.amount) for x in event.lines} == {  # type: ignore[attr-defined]
        str(deal.owner): "66.67", str(deal.co_owner): "33.33"}
    assert "WIRE" not in event.model_dump_json()
    async with service.client(deal.owner) as client:
        timeline = await client.get("/licence-events",
                                    params={"licence_ids": statement["licence_id"]})  # fmt: skip
    assert [e["type"] for e in timeline.json()["items"][statement["licence_id"]]][-1].endswith(
        "royalty.statement_paid.v1")

    # The payment is a fact: the database refuses to change it.
    async with service.licensing.sessions() as session:
        with pytest.raises(DBAPIError, match="immutable"):
            await session.execute(
                text("UPDATE statement_payment SET reference = 'x' WHERE statement_id = :id"),
                {"id": statement["id"]},
            )


async def test_a_statement_converts_at_the_recorded_rate_of_its_issue_date(
    service: Service, deal: Deal
) -> None:
    statement = await _statement(service, deal, "NZD", "1234.50")  # payable 123.45
    examiner = service.client(uuid.uuid4(), "examiner")
    rate = {"base": "NZD", "quote": "JPY", "rate": "88.123456", "source": "test fixing",
            "effective_on": (today() - timedelta(days=2)).isoformat()}  # fmt: skip
    async with examiner as client:
        later = await client.post(
            "/exchange-rates",
            json={**rate, "rate": "99", "effective_on": (today() + timedelta(days=1)).isoformat()},
        )
        recorded = await client.post("/exchange-rates", json=rate)
        twice = await client.post("/exchange-rates", json=rate)
        floated = await client.post("/exchange-rates", json={**rate, "rate": 88.5})
        negative = await client.post("/exchange-rates", json={**rate, "rate": "-1"})
    assert later.status_code == 201 and recorded.status_code == 201, recorded.text
    assert recorded.json()["rate"] == "88.123456"
    assert (twice.status_code, twice.json()["code"]) == (409, "RATE_ALREADY_RECORDED")
    assert (floated.status_code, floated.json()["field"]) == (400, "rate")
    assert (negative.status_code, negative.json()["code"]) == (400, "INVALID_EXCHANGE_RATE")
    async with service.client(deal.owner) as client:
        by_party = await client.post("/exchange-rates", json={**rate, "quote": "KRW"})
    assert by_party.status_code == 403

    # The owner's 82.31 (66.67% of 123.45, the spare cent to the larger share) in yen, whole.
    owner_line = next(x for x in statement["lines"] if x["party_id"] == str(deal.owner))
    in_yen = (Decimal(owner_line["amount"]) * Decimal("88.123456")).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    (ledger,) = await _balances(service, deal.owner, currency="JPY")
    assert ledger["currency"] == "JPY"
    assert (ledger["earnings"], ledger["closing"]) == (str(in_yen), str(in_yen))
    async with service.client(deal.owner) as client:
        page = await client.get(
            "/payee-statements", params={"currency": "NZD", "convert_to": "JPY"}
        )
        missing = await client.get("/balances", params={"currency": "CHF"})
    converted = next(s for s in page.json()["items"] if s["id"] == statement["id"])["converted"]
    assert converted["rate"] == {**rate, "rate": "88.123456"}  # not the later one
    assert converted["payable"] == str(
        (Decimal("123.45") * Decimal("88.123456")).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    assert str(in_yen) in [line["amount"] for line in converted["lines"]]
    assert (missing.status_code, missing.json()["code"]) == (400, "NO_EXCHANGE_RATE")
    assert "->CHF" in missing.json()["message"]


async def test_the_ledger_reads_every_kind_and_held_lines(service: Service, deal: Deal) -> None:
    """Advances, true-ups, releases and held lines, as the other rules of issue 20 write them:
    written here straight into the table, as those rules' statements would be."""
    royalty = await _statement(service, deal, "EUR", "100.00")  # owner 6.67, co-owner 3.33
    owner = str(deal.owner)
    now = datetime.now(UTC)

    def row(kind: str, lines: list[dict[str, Any]]) -> StatementRow:
        payable = sum((Decimal(x["amount"]) for x in lines), Decimal(0))
        return StatementRow(
            id=uuid.uuid4(), licence_id=uuid.UUID(royalty["licence_id"]), work_id=deal.work_id,
            kind=kind, report_id=None, period_start=today(), period_end=today(), gross=Decimal(0),
            royalty=Decimal(0), recouped=Decimal(0), payable=payable, currency="EUR",
            lines=lines, issued_at=now,
        )  # fmt: skip

    async with service.licensing.sessions() as session:
        session.add_all([
            row("ADVANCE", [{"party_id": owner, "share": "100", "amount": "500.00"}]),
            row("ROYALTY", [{"party_id": owner, "share": "100", "amount": "12.34",
                             "held": True}]),
            row("TRUE_UP", [{"party_id": owner, "share": "100", "amount": "0.05"}]),
            row("RELEASE", [{"party_id": owner, "share": "100", "amount": "12.34"}]),
        ])  # fmt: skip
        await session.commit()
    (ledger,) = await _balances(service, deal.owner, currency="EUR")
    assert {k: ledger[k] for k in ("earnings", "advances", "true_ups", "releases", "holds")} == {
        "earnings": "19.01", "advances": "500.00", "true_ups": "0.05", "releases": "12.34",
        "holds": "12.34",
    }  # fmt: skip
    assert ledger["closing"] == "519.06"
    assert _closing_identity(ledger) == Decimal("519.06")


async def test_a_party_sees_only_its_own_ledger(service: Service, deal: Deal) -> None:
    await _statement(service, deal, "USD", "10.00")
    async with service.client(deal.licensee) as client:
        other = await client.get("/balances", params={"party_id": str(deal.owner)})
    assert other.status_code == 403
    async with service.client(uuid.uuid4(), "society") as client:
        society = await client.get("/balances", params={"party_id": str(deal.owner)})
    assert society.status_code == 200
    assert society.json()["party_id"] == str(deal.owner)
