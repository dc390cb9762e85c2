"""Usage for the days a licence covered can still be reported after it expired or was
terminated, against the real service, Postgres and Kafka; a day it did not cover cannot."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from licensing.service import expire_due_licences

from .conftest import Deal, Service, offer_body
from .test_usage_api import _lines, _report


async def _accepted(service: Service, deal: Deal, start: date, end: date) -> str:
    async with service.client(deal.owner) as client:
        offered = await client.post(
            "/licences", json=offer_body(deal, start=start.isoformat(), end=end.isoformat())
        )
    assert offered.status_code == 201, offered.text
    licence_id: str = offered.json()["id"]
    async with service.client(deal.licensee) as client:
        assert (await client.post(f"/licences/{licence_id}/accept")).status_code == 200
    return licence_id


async def _reports(service: Service, deal: Deal, licence_id: str) -> list[Any]:
    async with service.client(deal.owner) as client:
        found = (await client.get("/usage-reports", params={"licence_ids": licence_id})).json()
    # A licence without reports is left out of the answer.
    items: list[Any] = found["items"].get(licence_id, [])
    return items


async def test_expired_licence_takes_usage_for_its_period_and_refuses_days_after_it(
    service: Service, deal: Deal
) -> None:
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=90), today - timedelta(days=1)
    licence_id = await _accepted(service, deal, start, end)
    await expire_due_licences(uow=service.licensing.uow, today=today)
    async with service.client(deal.licensee) as client:
        assert (await client.get(f"/licences/{licence_id}")).json()["status"] == "EXPIRED"

    last = await _report(service, deal.licensee, licence_id, period_start=start.isoformat(),
                         period_end=end.isoformat(), units=10, gross_revenue="1000.00")
    assert last.status_code == 201, last.text
    statement = last.json()["statement"]
    assert (statement["royalty"], statement["recouped"], statement["payable"]) == (
        "100.00", "0.00", "100.00")
    assert _lines(statement) == {str(deal.owner): "66.67", str(deal.co_owner): "33.33"}

    after = await _report(service, deal.licensee, licence_id, period_start=today.isoformat(),
                          period_end=today.isoformat(), units=1, gross_revenue="10.00")
    assert after.status_code == 400, after.text
    assert (after.json()["code"], after.json()["field"]) == ("USAGE_OUTSIDE_LICENCE", "period_end")
    overlap = await _report(service, deal.licensee, licence_id, period_start=end.isoformat(),
                            period_end=end.isoformat(), units=1, gross_revenue="10.00")
    assert (overlap.status_code, overlap.json()["code"]) == (409, "USAGE_OVERLAP")
    fix = await _report(service, deal.licensee, licence_id, units=0, gross_revenue="-100.00",
                        corrects_report_id=last.json()["report"]["id"])
    assert fix.status_code == 201, fix.text
    assert fix.json()["statement"]["payable"] == "-10.00"
    assert len(await _reports(service, deal, licence_id)) == 2


async def test_terminated_licence_takes_usage_up_to_the_termination_date_only(
    service: Service, deal: Deal
) -> None:
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=60), today + timedelta(days=60)
    licence_id = await _accepted(service, deal, start, end)
    async with service.client(deal.owner) as client:
        ended = await client.post(f"/licences/{licence_id}/terminate",
                                  json={"reason": "catalogue withdrawn"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "TERMINATED"
    # The termination's own UTC date, not the test's: the two differ across midnight.
    terminated_on = datetime.fromisoformat(ended.json()["updated_at"]).astimezone(UTC).date()

    covered = await _report(service, deal.licensee, licence_id, period_start=start.isoformat(),
                            period_end=terminated_on.isoformat(), units=3,
                            gross_revenue="300.00")
    assert covered.status_code == 201, covered.text
    statement = covered.json()["statement"]
    assert (statement["royalty"], statement["payable"]) == ("30.00", "30.00")
    assert _lines(statement) == {str(deal.owner): "20.00", str(deal.co_owner): "10.00"}

    # Still inside the licence's own period, but after the day it was terminated.
    after = await _report(service, deal.licensee, licence_id,
                          period_start=(terminated_on + timedelta(days=1)).isoformat(),
                          period_end=(terminated_on + timedelta(days=30)).isoformat(), units=1,
                          gross_revenue="10.00")
    assert after.status_code == 400, after.text
    assert (after.json()["code"], after.json()["field"]) == ("USAGE_OUTSIDE_LICENCE", "period_end")
    assert str(terminated_on) in after.json()["message"]
    by_owner = await _report(service, deal.owner, licence_id, period_start=start.isoformat(),
                             period_end=start.isoformat(), units=1, gross_revenue="1.00")
    assert (by_owner.status_code, by_owner.json()["code"]) == (403, "NOT_THE_LICENSEE")
    assert [r["period_end"] for r in await _reports(service, deal, licence_id)] == [
        terminated_on.isoformat()]


async def test_declined_or_withdrawn_licence_takes_no_usage(service: Service, deal: Deal) -> None:
    today = datetime.now(UTC).date()
    body = {"period_start": today.isoformat(), "period_end": today.isoformat(), "units": 1,
            "gross_revenue": "1.00"}
    async with service.client(deal.owner) as client:
        declined = (await client.post("/licences", json=offer_body(deal))).json()["id"]
        withdrawn = (await client.post("/licences", json=offer_body(deal))).json()["id"]
        assert (await client.post(f"/licences/{withdrawn}/withdraw")).status_code == 200
    async with service.client(deal.licensee) as client:
        assert (await client.post(f"/licences/{declined}/decline", json={})).status_code == 200
    for licence_id in (declined, withdrawn):
        refused = await _report(service, deal.licensee, licence_id, **body)
        assert refused.status_code == 409, refused.text
        assert (refused.json()["code"], refused.json()["field"]) == (
            "ILLEGAL_TRANSITION", "licence_id")
        assert await _reports(service, deal, licence_id) == []
