"""Amendments, renewals and availability as of a date and a recorded time, over real HTTP
against real Postgres and Kafka (DOMAIN.md, "Licence history" and "Amendments and
renewals")."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from .conftest import THIS_YEAR, Deal, Service, offer_body
from .kafka_reader import read_until

YEAR = f"{THIS_YEAR}-01-01", f"{THIS_YEAR}-12-31"


async def _active(service: Service, deal: Deal, **overrides: Any) -> str:
    async with service.client(deal.owner) as owner:
        offered = await owner.post("/licences", json=offer_body(deal, **overrides))
    assert offered.status_code == 201, offered.text
    async with service.client(deal.licensee) as licensee:
        accepted = await licensee.post(f"/licences/{offered.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    licence_id: str = accepted.json()["id"]
    return licence_id


async def _availability(
    service: Service, deal: Deal, territories: str = "TH", start: str = YEAR[0],
    end: str | None = YEAR[1], **when: str,
) -> Any:  # fmt: skip
    params = {"territories": territories, "media": "STREAMING", "start": start,
              "exclusive": "true", **({"end": end} if end else {}), **when}  # fmt: skip
    async with service.client(deal.licensee) as client:
        response = await client.get(f"/works/{deal.work_id}/availability", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _amendment(effective_from: str, territories: list[str], **more: Any) -> dict[str, Any]:
    return {"effective_from": effective_from, "end": YEAR[1], "territories": territories,
            "media": ["STREAMING"], "exclusive": True, "royalty_rate": "10.00", **more}  # fmt: skip


async def test_an_amendment_accepted_by_the_other_side_changes_terms_from_its_date(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active(service, deal, territories=["TH"])
    async with service.client(deal.licensee) as licensee:
        proposed = await licensee.post(
            f"/licences/{licence_id}/amendments",
            json=_amendment(f"{THIS_YEAR}-03-01", ["TH", "VN"], royalty_rate="12.00"),
        )
        assert proposed.status_code == 201, proposed.text
        version = proposed.json()
        assert (version["number"], version["state"], version["side"]) == (2, "PENDING", "LICENSEE")
        # One proposal at a time; and the proposer's side cannot accept its own.
        again = await licensee.post(f"/licences/{licence_id}/renewals",
                                    json={"end": f"{THIS_YEAR + 1}-06-30"})
        assert (again.status_code, again.json()["code"]) == (409, "AMENDMENT_PENDING")
        own = await licensee.post(f"/licences/{licence_id}/amendments/2/accept")
        assert (own.status_code, own.json()["code"]) == (403, "NOT_THE_OTHER_SIDE")
    before_acceptance = datetime.now(UTC)
    # VN in April: free before the amendment is accepted.
    assert (await _availability(service, deal, "VN", f"{THIS_YEAR}-04-01"))["available"]
    async with service.client(deal.co_owner) as co_owner:  # any owner answers for the licensor
        accepted = await co_owner.post(f"/licences/{licence_id}/amendments/2/accept")
    assert accepted.status_code == 200, accepted.text
    licence = accepted.json()
    assert licence["id"] == licence_id and licence["status"] == "ACTIVE"
    assert licence["terms"]["territories"] == ["TH", "VN"]
    assert licence["terms"]["royalty_rate"] == "12.00"
    assert licence["terms"]["start"] == YEAR[0]  # the licence keeps its start
    # VN from March is taken now; February is not (the amendment runs from March).
    taken = await _availability(service, deal, "VN", f"{THIS_YEAR}-04-01")
    assert not taken["available"]
    assert taken["conflicts"][0]["start"] == f"{THIS_YEAR}-04-01"
    assert (await _availability(service, deal, "VN", YEAR[0], f"{THIS_YEAR}-02-28"))["available"]
    # As the register knew it before the acceptance: VN was free.
    known = before_acceptance.isoformat()
    assert (await _availability(service, deal, "VN", f"{THIS_YEAR}-04-01", known_at=known))[
        "available"
    ]
    # Statements use the terms of the reported period; a period across the change is refused.
    async with service.client(deal.licensee) as licensee:
        january = await licensee.post(
            f"/licences/{licence_id}/usage-reports",
            json={"period_start": YEAR[0], "period_end": f"{THIS_YEAR}-01-31", "units": 10,
                  "gross_revenue": "100.00"},
        )  # fmt: skip
        assert january.status_code == 201, january.text
        assert january.json()["statement"]["royalty"] == "10.00"
        april = await licensee.post(
            f"/licences/{licence_id}/usage-reports",
            json={"period_start": f"{THIS_YEAR}-04-01", "period_end": f"{THIS_YEAR}-04-30",
                  "units": 10, "gross_revenue": "100.00"},
        )  # fmt: skip
        assert april.json()["statement"]["royalty"] == "12.00"
        across = await licensee.post(
            f"/licences/{licence_id}/usage-reports",
            json={"period_start": f"{THIS_YEAR}-02-01", "period_end": f"{THIS_YEAR}-03-31",
                  "units": 10, "gross_revenue": "100.00"},
        )  # fmt: skip
        assert across.status_code == 400
        assert across.json()["code"] == "SPANS_AMENDMENT"
        assert f"{THIS_YEAR}-03-01" in across.json()["message"]
        versions = await licensee.get("/licence-versions", params={"licence_ids": licence_id})
        history = await licensee.get("/licence-history", params={"licence_ids": licence_id})
    assert [(v["number"], v["kind"], v["state"]) for v in versions.json()["items"][licence_id]] == [
        (1, "ORIGINAL", "ACCEPTED"), (2, "AMENDMENT", "ACCEPTED"),
    ]  # fmt: skip
    rows = history.json()["items"][licence_id]
    assert [r["status"] for r in rows] == ["OFFERED", "ACTIVE", "ACTIVE"]
    assert [(s["start"], s["end"], s["territories"]) for s in rows[-1]["segments"]] == [
        (YEAR[0], f"{THIS_YEAR}-02-28" if THIS_YEAR % 4 else f"{THIS_YEAR}-02-29", ["TH"]),
        (f"{THIS_YEAR}-03-01", YEAR[1], ["TH", "VN"]),
    ]
    seen = await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic("licensing.licences.v1"),
        lambda found: any(e.subject == licence_id and e.type.endswith("amended.v1") for e in found),
    )
    kinds = [e.type.split(".")[-2] for e in seen if e.subject == licence_id]
    assert kinds[-2:] == ["amendment_proposed", "amended"]
    amended = [e for e in seen if e.subject == licence_id][-1].data
    assert amended.version.number == 2 and amended.actor_id == deal.co_owner  # type: ignore[attr-defined]


async def test_accepting_checks_only_what_the_change_adds(service: Service, deal: Deal) -> None:
    # Two non-exclusive licences share TH; one of them becoming exclusive conflicts with the
    # other, while widening its media over VN (held by nobody) does not.
    first = await _active(service, deal, territories=["TH"], exclusive=False)
    await _active(service, deal, territories=["TH"], exclusive=False)
    async with service.client(deal.owner) as owner:
        exclusive = await owner.post(
            f"/licences/{first}/amendments", json=_amendment(f"{THIS_YEAR}-06-01", ["TH"])
        )
        assert exclusive.status_code == 201, exclusive.text
    async with service.client(deal.licensee) as licensee:
        refused = await licensee.post(f"/licences/{first}/amendments/2/accept")
        assert refused.status_code == 409
        assert refused.json()["code"] == "LICENCE_CONFLICT"
        assert f"{THIS_YEAR}-06-01..{YEAR[1]}" in refused.json()["message"]
        # Nothing changed: still pending, the licence as it was.
        still = (await licensee.get(f"/licences/{first}")).json()
        assert still["terms"]["exclusive"] is False
        declined = await licensee.post(f"/licences/{first}/amendments/2/decline")
        assert declined.json()["state"] == "DECLINED"
        wider = await licensee.post(
            f"/licences/{first}/amendments",
            json=_amendment(f"{THIS_YEAR}-06-01", ["TH"], exclusive=False,
                            media=["STREAMING", "DOWNLOAD"]),
        )  # fmt: skip
        assert wider.json()["number"] == 3
    async with service.client(deal.owner) as owner:
        accepted = await owner.post(f"/licences/{first}/amendments/3/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["terms"]["media"] == ["DOWNLOAD", "STREAMING"]


async def test_a_renewal_continues_the_licence_and_blocks_the_added_period(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active(service, deal, territories=["TH"])
    next_year = f"{THIS_YEAR + 1}-03-01"
    assert (await _availability(service, deal, "TH", next_year, None))["available"]
    async with service.client(deal.owner) as owner:
        renewal = await owner.post(
            f"/licences/{licence_id}/renewals", json={"end": f"{THIS_YEAR + 1}-12-31"}
        )
        assert renewal.status_code == 201, renewal.text
        assert renewal.json()["effective_from"] == f"{THIS_YEAR + 1}-01-01"
    async with service.client(deal.licensee) as licensee:
        renewed = await licensee.post(f"/licences/{licence_id}/amendments/2/accept")
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["terms"]["end"] == f"{THIS_YEAR + 1}-12-31"
    assert renewed.json()["id"] == licence_id
    taken = await _availability(service, deal, "TH", next_year, None)
    assert [c["licence_id"] for c in taken["conflicts"]] == [licence_id]


async def test_availability_as_of_a_date_as_the_register_knew_it_then(
    service: Service, deal: Deal
) -> None:
    before_offer = datetime.now(UTC)
    # Runs into next year, so the day after today is always inside it.
    licence_id = await _active(service, deal, territories=["TH"], end=f"{THIS_YEAR + 1}-12-31")
    while_active = datetime.now(UTC)
    today = while_active.date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    async with service.client(deal.licensee) as licensee:
        ended = await licensee.post(f"/licences/{licence_id}/terminate",
                                    json={"reason": "the catalogue was sold"})
    assert ended.status_code == 200, ended.text
    period: dict[str, Any] = {"start": YEAR[0], "end": f"{THIS_YEAR + 1}-12-31"}

    async def blocked_by(**when: str) -> list[str]:
        found = await _availability(service, deal, "TH", **period, **when)
        return [c["licence_id"] for c in found["conflicts"]]

    # Today's answer: a terminated licence blocks nothing.
    assert await blocked_by() == []
    # The answer the register gave while it was active, and before it was offered.
    assert await blocked_by(known_at=while_active.isoformat()) == [licence_id]
    assert await blocked_by(known_at=before_offer.isoformat()) == []
    # Valid time: in force until the termination's day, not after it.
    assert await blocked_by(as_of=today.isoformat()) == [licence_id]
    assert await blocked_by(as_of=tomorrow) == []
    # ...but as the register knew it before the termination, tomorrow was covered too.
    assert await blocked_by(as_of=tomorrow, known_at=while_active.isoformat()) == [licence_id]
    assert await blocked_by(as_of=f"{THIS_YEAR - 1}-12-31") == []


async def test_known_at_must_be_an_instant_of_the_past(service: Service, deal: Deal) -> None:
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    async with service.client(deal.licensee) as client:
        for known_at in (future, "2020-01-01T00:00:00"):
            response = await client.get(
                f"/works/{deal.work_id}/availability",
                params={"territories": "TH", "media": "STREAMING", "start": YEAR[0],
                        "known_at": known_at},
            )  # fmt: skip
            assert response.status_code == 400, response.text
            assert response.json()["field"] == "known_at"


async def test_a_stranger_cannot_propose(service: Service, deal: Deal) -> None:
    licence_id = await _active(service, deal)
    async with service.client(uuid.uuid4()) as stranger:
        refused = await stranger.post(f"/licences/{licence_id}/renewals",
                                      json={"end": f"{THIS_YEAR + 1}-12-31"})
    assert refused.status_code == 404  # an invisible licence answers like a missing one
