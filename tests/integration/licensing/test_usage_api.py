"""Usage reports and royalty statements through the HTTP API, against real Postgres and Kafka."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

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


async def _report(service: Service, who: uuid.UUID, licence_id: str, **body: Any) -> Any:
    async with service.client(who) as client:
        return await client.post(f"/licences/{licence_id}/usage-reports", json=body)


def _lines(statement: dict[str, Any]) -> dict[str, str]:
    return {line["party_id"]: line["amount"] for line in statement["lines"]}


async def test_advance_is_recouped_first_and_payable_is_split_to_the_cent(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active_licence(service, deal, advance="150.00")
    jan = await _report(service, deal.licensee, licence_id, period_start=f"{THIS_YEAR}-01-01",
                        period_end=f"{THIS_YEAR}-01-31", units=1000, gross_revenue="1000.00")
    assert jan.status_code == 201, jan.text
    statement = jan.json()["statement"]
    assert (statement["royalty"], statement["recouped"], statement["payable"]) == (
        "100.00", "100.00", "0.00")
    feb = (await _report(service, deal.licensee, licence_id, period_start=f"{THIS_YEAR}-02-01",
                         period_end=f"{THIS_YEAR}-02-28", units=1000, gross_revenue="1000.00")).json()
    statement = feb["statement"]
    assert (statement["royalty"], statement["recouped"], statement["payable"]) == (
        "100.00", "50.00", "50.00")
    # 66.67% and 33.33% of 50.00 are 33.335 and 16.665: the spare cent goes to the larger share.
    assert _lines(statement) == {str(deal.owner): "33.34", str(deal.co_owner): "16.66"}
    assert feb["report"]["gross_revenue"] == "1000.00"

    async with service.client(deal.co_owner) as client:
        reports = (await client.get("/usage-reports", params={"licence_ids": licence_id})).json()
        statements = (await client.get("/statements", params={"licence_ids": licence_id})).json()
    assert len(reports["items"][licence_id]) == 2
    assert [s["payable"] for s in statements["items"][licence_id]] == ["0.00", "50.00"]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"period_start": f"{THIS_YEAR}-02-15", "period_end": f"{THIS_YEAR}-03-15"}, 409, "USAGE_OVERLAP",
         "period_start"),
        ({"period_start": f"{THIS_YEAR - 1}-12-01", "period_end": f"{THIS_YEAR - 1}-12-31"}, 400,
         "USAGE_OUTSIDE_LICENCE", "period_start"),
        ({"period_start": f"{THIS_YEAR}-12-01", "period_end": f"{THIS_YEAR + 1}-01-31"}, 400,
         "USAGE_OUTSIDE_LICENCE", "period_end"),
        ({"period_start": f"{THIS_YEAR}-05-31", "period_end": f"{THIS_YEAR}-05-01"}, 400, "INVALID_PERIOD",
         "period_end"),
        ({"currency": "EUR"}, 400, "WRONG_CURRENCY", "currency"),
        ({"currency": "EURO"}, 400, "INVALID_MONEY", "currency"),
        ({"gross_revenue": "-1.00"}, 400, "INVALID_INPUT", "gross_revenue"),
        ({"gross_revenue": 12.5}, 400, "INVALID_MONEY", "gross_revenue"),
        ({"gross_revenue": "1.001"}, 400, "INVALID_MONEY", "gross_revenue"),
        ({"units": -3}, 400, "INVALID_INPUT", "units"),
        ({"corrects_report_id": str(uuid.UUID(int=5))}, 404, "UNKNOWN_REPORT",
         "corrects_report_id"),
    ],
)
async def test_bad_usage_report_is_refused_and_nothing_is_written(
    service: Service, deal: Deal, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    licence_id = await _active_licence(service, deal)
    ok = await _report(service, deal.licensee, licence_id, period_start=f"{THIS_YEAR}-02-01",
                       period_end=f"{THIS_YEAR}-02-28", units=1, gross_revenue="10.00")
    assert ok.status_code == 201
    raw = {"period_start": f"{THIS_YEAR}-06-01", "period_end": f"{THIS_YEAR}-06-30", "units": 1,
           "gross_revenue": "10.00", **body}
    response = await _report(service, deal.licensee, licence_id, **raw)
    assert response.status_code == status, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    async with service.client(deal.owner) as client:
        reports = (await client.get("/usage-reports", params={"licence_ids": licence_id})).json()
    assert len(reports["items"][licence_id]) == 1


async def test_only_the_licensee_of_an_active_licence_reports_usage(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active_licence(service, deal)
    body = {"period_start": f"{THIS_YEAR}-01-01", "period_end": f"{THIS_YEAR}-01-31", "units": 1,
            "gross_revenue": "1.00"}
    by_owner = await _report(service, deal.owner, licence_id, **body)
    assert (by_owner.status_code, by_owner.json()["code"]) == (403, "NOT_THE_LICENSEE")
    async with service.client(deal.owner) as client:
        offered = (await client.post("/licences", json=offer_body(deal, exclusive=False,
                                                                   territories=["JP"]))).json()
    on_offer = await _report(service, deal.licensee, offered["id"], **body)
    assert (on_offer.status_code, on_offer.json()["code"]) == (409, "ILLEGAL_TRANSITION")


async def test_correction_is_a_new_report_with_negative_adjustment_lines(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active_licence(service, deal, advance="50.00")
    original = (await _report(service, deal.licensee, licence_id, period_start=f"{THIS_YEAR}-03-01",
                              period_end=f"{THIS_YEAR}-03-31", units=10,
                              gross_revenue="2000.00")).json()
    assert original["statement"]["payable"] == "150.00"
    fix = await _report(service, deal.licensee, licence_id, units=0, gross_revenue="-500.00",
                        corrects_report_id=original["report"]["id"])
    assert fix.status_code == 201, fix.text
    report, statement = fix.json()["report"], fix.json()["statement"]
    assert (report["period_start"], report["period_end"]) == (f"{THIS_YEAR}-03-01", f"{THIS_YEAR}-03-31")
    assert report["corrects_report_id"] == original["report"]["id"]
    assert (statement["royalty"], statement["recouped"], statement["payable"]) == (
        "-50.00", "0.00", "-50.00")
    assert _lines(statement) == {str(deal.owner): "-33.34", str(deal.co_owner): "-16.66"}
    too_far = await _report(service, deal.licensee, licence_id, units=0,
                            gross_revenue="-1500.01", corrects_report_id=original["report"]["id"])
    assert (too_far.status_code, too_far.json()["field"]) == (400, "gross_revenue")
    # The original statement is untouched: statements are immutable, even to the database.
    async with service.licensing.sessions() as session:
        with pytest.raises(DBAPIError, match="immutable"):
            await session.execute(
                text("UPDATE royalty_statement SET payable = 0 WHERE id = :id"),
                {"id": original["statement"]["id"]},
            )
        await session.rollback()
        with pytest.raises(DBAPIError, match="immutable"):
            await session.execute(
                text("DELETE FROM usage_report WHERE id = :id"), {"id": original["report"]["id"]}
            )


async def test_statement_splits_by_the_shares_at_the_end_of_the_period(
    service: Service, register: Register
) -> None:
    a = await register.party("A")
    b = await register.party("B")
    licensee = await register.party("Licensee")
    work_id = await register.registered_work({a: "100.00"},
                                             at=datetime(THIS_YEAR, 1, 1, tzinfo=UTC))
    await register.transfer(work_id, {a: "100.00"}, {a: "60.00", b: "40.00"},
                            at=datetime(THIS_YEAR, 3, 1, 12, tzinfo=UTC), from_party=a, to_party=b,
                            share="40.00")

    async def transferred() -> bool:
        async with service.client(b) as client:
            response = await client.post(
                "/licences",
                json={"work_id": str(work_id), "licensee_id": str(licensee),
                      "territories": ["ID"], "media": ["SYNC"], "exclusive": False,
                      "start": f"{THIS_YEAR}-01-01", "royalty_rate": "50.00", "currency": "IDR"},
            )
        if response.status_code == 201:
            transferred.licence_id = response.json()["id"]  # type: ignore[attr-defined]
        return response.status_code == 201

    await wait_for(transferred)
    licence_id: str = transferred.licence_id  # type: ignore[attr-defined]
    async with service.client(licensee) as client:
        await client.post(f"/licences/{licence_id}/accept")
    feb = (await _report(service, licensee, licence_id, period_start=f"{THIS_YEAR}-02-01",
                         period_end=f"{THIS_YEAR}-02-28", units=1, gross_revenue="1000")).json()
    mar = (await _report(service, licensee, licence_id, period_start=f"{THIS_YEAR}-03-01",
                         period_end=f"{THIS_YEAR}-03-31", units=1, gross_revenue="1000")).json()
    assert _lines(feb["statement"]) == {str(a): "500.00"}
    assert _lines(mar["statement"]) == {str(a): "300.00", str(b): "200.00"}


async def test_usage_and_statement_events_are_published_on_the_royalties_topic(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active_licence(service, deal)
    created = (await _report(service, deal.licensee, licence_id, period_start=f"{THIS_YEAR}-01-01",
                             period_end=f"{THIS_YEAR}-01-31", units=7, gross_revenue="70.00")).json()
    wanted = {"org.aseanip.licensing.usage.reported.v1",
              "org.aseanip.licensing.royalty.statement_issued.v1"}

    def both(events: list[Any]) -> bool:
        return wanted <= {e.type for e in events if e.subject == licence_id}

    seen = await read_until(service.settings.platform.kafka_bootstrap_servers,
                            service.settings.topic("licensing.royalties.v1"), both)
    statement = next(e.data for e in seen
                     if e.subject == licence_id and e.type.endswith("statement_issued.v1"))
    assert str(statement.statement.id) == created["statement"]["id"]  # type: ignore[attr-defined]
    assert statement.statement.payable == Decimal("7.00")  # type: ignore[attr-defined]
    licence_events = await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic("licensing.licences.v1"),
        lambda events: sum(e.subject == licence_id for e in events) >= 2,
    )
    assert [e.type for e in licence_events if e.subject == licence_id] == [
        "org.aseanip.licensing.licence.offered.v1",
        "org.aseanip.licensing.licence.activated.v1",
    ]


async def test_usage_and_statements_are_visible_only_to_licensee_owners_examiners_and_societies(
    service: Service, deal: Deal
) -> None:
    """DOMAIN (Access): a licence's usage and statements are visible to its licensee, the
    work's owners, examiners and collecting societies: nobody else."""
    licence_id = await _active_licence(service, deal)
    reported = await _report(service, deal.licensee, licence_id, period_start=f"{THIS_YEAR}-01-01",
                             period_end=f"{THIS_YEAR}-01-31", units=10, gross_revenue="100.00")
    assert reported.status_code == 201, reported.text
    params = {"licence_ids": licence_id}
    for who, roles in ((deal.licensee, ()), (deal.owner, ()), (deal.co_owner, ()),
                       (uuid.uuid4(), ("examiner",)), (uuid.uuid4(), ("society",))):
        async with service.client(who, *roles) as client:
            reports = (await client.get("/usage-reports", params=params)).json()
            statements = (await client.get("/statements", params=params)).json()
        assert len(reports["items"][licence_id]) == 1, (who, roles)
        assert len(statements["items"][licence_id]) == 1, (who, roles)
    async with service.client(uuid.uuid4()) as stranger:
        reports = await stranger.get("/usage-reports", params=params)
        statements = await stranger.get("/statements", params=params)
    assert reports.status_code == 200 and reports.json() == {"items": {}}
    assert statements.status_code == 200 and statements.json() == {"items": {}}
