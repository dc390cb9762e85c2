"""The licence lifecycle through the HTTP API, against real Postgres and Kafka."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from .conftest import THIS_YEAR, Deal, Register, Service, offer_body, wait_for


async def _offer(service: Service, deal: Deal, **overrides: Any) -> dict[str, Any]:
    async with service.client(deal.owner) as client:
        response = await client.post("/licences", json=offer_body(deal, **overrides))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _act(service: Service, who: uuid.UUID, licence_id: str, action: str,
               body: dict[str, Any] | None = None) -> Any:
    async with service.client(who) as client:
        return await client.post(f"/licences/{licence_id}/{action}", json=body)


async def test_owner_offers_and_licensee_accepts(service: Service, deal: Deal) -> None:
    offered = await _offer(service, deal)
    assert offered["status"] == "OFFERED"
    assert offered["licensor_id"] == str(deal.owner)
    assert offered["terms"]["royalty_rate"] == "10.00"
    response = await _act(service, deal.licensee, offered["id"], "accept")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ACTIVE"


async def _licence_count(service: Service) -> int:
    from licensing.models import LicenceRow
    from sqlalchemy import func, select

    async with service.licensing.sessions() as session:
        counted = await session.execute(select(func.count()).select_from(LicenceRow))
        return int(counted.scalar_one())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"territories": ["TH", "XX"]}, "territories[1]"),
        ({"media": ["RADIO"]}, "media[0]"),
        ({"start": f"{THIS_YEAR}-06-01", "end": f"{THIS_YEAR}-05-31"}, "end"),
        ({"royalty_rate": "-1.00"}, "royalty_rate"),
        ({"royalty_rate": "100.01"}, "royalty_rate"),
        ({"royalty_rate": 10.5}, "royalty_rate"),
        ({"advance": "-10.00"}, "advance"),
        ({"currency": "ZZZ"}, "currency"),
        ({"advance": "10.001"}, "advance"),
    ],
)
async def test_bad_offer_is_refused_naming_the_field_and_nothing_is_written(
    service: Service, deal: Deal, overrides: dict[str, Any], field: str
) -> None:
    before = await _licence_count(service)
    async with service.client(deal.owner) as client:
        response = await client.post("/licences", json=offer_body(deal, **overrides))
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert await _licence_count(service) == before


async def test_only_an_owner_may_offer(service: Service, deal: Deal) -> None:
    async with service.client(deal.licensee) as client:
        response = await client.post("/licences", json=offer_body(deal))
    assert response.status_code == 403
    assert response.json()["code"] == "NOT_AN_OWNER"


async def test_co_owner_may_offer_too(service: Service, deal: Deal) -> None:
    async with service.client(deal.co_owner) as client:
        response = await client.post("/licences", json=offer_body(deal))
    assert response.status_code == 201


async def test_offer_without_a_token_is_unauthenticated(service: Service, deal: Deal) -> None:
    async with service.client(None) as client:
        response = await client.post("/licences", json=offer_body(deal))
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    async with service.client(None) as client:
        client.headers["Authorization"] = "Bearer not-a-token"
        response = await client.get(f"/licences?ids={uuid.uuid4()}")
    assert response.status_code == 401


async def test_unknown_work_is_answered_after_a_bounded_wait(service: Service, deal: Deal) -> None:
    async with service.client(deal.owner) as client:
        response = await client.post("/licences", json=offer_body(deal, work_id=str(uuid.uuid4())))
    assert response.status_code == 404
    assert (response.json()["code"], response.json()["field"]) == ("UNKNOWN_WORK", "work_id")


async def test_offer_right_after_registration_waits_for_the_read_model(
    service: Service, register: Register
) -> None:
    owner = await register.party("Fresh owner")
    licensee = await register.party("Fresh licensee")
    work_id = await register.registered_work({owner: "100.00"})
    # No waiting here: the offer races the consumer and must still succeed, woken by the
    # consumer well before the bounded wait runs out.
    started = time.monotonic()
    async with service.client(owner) as client:
        response = await client.post(
            "/licences",
            json={
                "work_id": str(work_id), "licensee_id": str(licensee), "territories": ["SG"],
                "media": ["PRINT"], "exclusive": False, "start": f"{THIS_YEAR}-01-01",
                "royalty_rate": "5.00", "currency": "SGD",
            },
        )
    assert response.status_code == 201, response.text
    assert time.monotonic() - started < service.settings.read_model_wait_seconds
    assert response.json()["terms"]["end"] is None


async def _dispute_and_see_offers_refused(
    service: Service, register: Register, deal: Deal
) -> None:
    await register.dispute(deal.work_id, deal.owners)
    await wait_for(lambda: service.knows_work(deal.work_id, "DISPUTED"))
    async with service.client(deal.owner) as client:
        response = await client.post("/licences", json=offer_body(deal))
    assert response.status_code == 409
    assert response.json()["code"] == "WORK_NOT_LICENSABLE"


async def test_disputed_work_accepts_no_new_offers(
    service: Service, register: Register, deal: Deal
) -> None:
    await _dispute_and_see_offers_refused(service, register, deal)


async def test_offer_conflicting_with_an_active_licence_is_refused_with_the_explanation(
    service: Service, deal: Deal
) -> None:
    first = await _offer(service, deal, territories=["ASEAN"], media=["STREAMING", "DOWNLOAD"])
    assert (await _act(service, deal.licensee, first["id"], "accept")).status_code == 200
    async with service.client(deal.owner) as client:
        response = await client.post(
            "/licences",
            json=offer_body(deal, territories=["VN", "JP"], media=["DOWNLOAD", "SYNC"],
                            exclusive=False, start=f"{THIS_YEAR}-06-01", end=f"{THIS_YEAR + 1}-06-30"),
        )
        availability = await client.get(
            f"/works/{deal.work_id}/availability",
            params={"territories": "VN,JP", "media": "DOWNLOAD,SYNC", "start": f"{THIS_YEAR}-06-01",
                    "end": f"{THIS_YEAR + 1}-06-30"},
        )
        elsewhere = await client.get(
            f"/works/{deal.work_id}/availability",
            params={"territories": "JP", "media": "DOWNLOAD", "start": f"{THIS_YEAR}-06-01"},
        )
    assert response.status_code == 409
    error = response.json()
    assert error["code"] == "LICENCE_CONFLICT"
    assert first["id"] in error["message"] and "VN" in error["message"]
    assert "DOWNLOAD" in error["message"] and f"{THIS_YEAR}-06-01..{THIS_YEAR}-12-31" in error["message"]
    assert availability.json() == {
        "available": False,
        "conflicts": [
            {
                "licence_id": first["id"], "territories": ["VN"], "media": ["DOWNLOAD"],
                "start": f"{THIS_YEAR}-06-01", "end": f"{THIS_YEAR}-12-31", "exclusive": True,
            }
        ],
    }
    assert elsewhere.json() == {"available": True, "conflicts": []}


async def test_availability_rejects_unknown_territory_and_medium(
    service: Service, deal: Deal
) -> None:
    async with service.client(deal.licensee) as client:
        bad_territory = await client.get(
            f"/works/{deal.work_id}/availability",
            params={"territories": "TH,QQ", "media": "SYNC", "start": f"{THIS_YEAR}-01-01"},
        )
        bad_medium = await client.get(
            f"/works/{deal.work_id}/availability",
            params={"territories": "TH", "media": "RADIO", "start": f"{THIS_YEAR}-01-01"},
        )
    assert (bad_territory.status_code, bad_territory.json()["field"]) == (400, "territories[1]")
    assert (bad_medium.status_code, bad_medium.json()["field"]) == (400, "media[0]")


async def test_acts_by_the_wrong_party_are_refused(service: Service, deal: Deal) -> None:
    offered = await _offer(service, deal)
    accept_by_owner = await _act(service, deal.owner, offered["id"], "accept")
    decline_by_co_owner = await _act(service, deal.co_owner, offered["id"], "decline")
    withdraw_by_licensee = await _act(service, deal.licensee, offered["id"], "withdraw")
    withdraw_by_co_owner = await _act(service, deal.co_owner, offered["id"], "withdraw")
    assert accept_by_owner.json()["code"] == "NOT_THE_LICENSEE"
    assert decline_by_co_owner.json()["code"] == "NOT_THE_LICENSEE"
    assert withdraw_by_licensee.json()["code"] == "NOT_THE_OFFEROR"
    assert withdraw_by_co_owner.json()["code"] == "NOT_THE_OFFEROR"
    assert {r.status_code for r in (accept_by_owner, decline_by_co_owner,
                                    withdraw_by_licensee, withdraw_by_co_owner)} == {403}
    # A stranger does not even learn the licence exists.
    stranger = await _act(service, uuid.uuid4(), offered["id"], "accept")
    assert (stranger.status_code, stranger.json()["code"]) == (404, "UNKNOWN_LICENCE")


async def test_licensee_accepting_twice_is_refused(service: Service, deal: Deal) -> None:
    offered = await _offer(service, deal)
    assert (await _act(service, deal.licensee, offered["id"], "accept")).status_code == 200
    again = await _act(service, deal.licensee, offered["id"], "accept")
    assert (again.status_code, again.json()["code"]) == (409, "ILLEGAL_TRANSITION")


async def test_decline_and_withdraw_end_an_offer(service: Service, deal: Deal) -> None:
    declined = await _act(service, deal.licensee, (await _offer(service, deal))["id"], "decline",
                          {"reason": "too dear"})
    assert (declined.json()["status"], declined.json()["status_reason"]) == ("DECLINED",
                                                                              "too dear")
    withdrawn = await _act(service, deal.owner, (await _offer(service, deal))["id"], "withdraw")
    assert withdrawn.json()["status"] == "WITHDRAWN"


async def test_either_side_terminates_an_active_licence_with_a_reason(
    service: Service, deal: Deal
) -> None:
    offered = await _offer(service, deal)
    await _act(service, deal.licensee, offered["id"], "accept")
    no_reason = await _act(service, deal.co_owner, offered["id"], "terminate", {"reason": " "})
    assert (no_reason.status_code, no_reason.json()["field"]) == (400, "reason")
    ended = await _act(service, deal.co_owner, offered["id"], "terminate", {"reason": "breach"})
    assert (ended.json()["status"], ended.json()["status_reason"]) == ("TERMINATED", "breach")
    # The licence no longer blocks: the same terms can be licensed again.
    assert (await _offer(service, deal))["status"] == "OFFERED"


async def test_licence_is_visible_only_to_its_parties_examiners_and_societies(
    service: Service, deal: Deal
) -> None:
    offered = await _offer(service, deal)
    ids = f"{offered['id']},{uuid.uuid4()}"
    for who, roles in ((deal.licensee, ()), (deal.co_owner, ()), (uuid.uuid4(), ("examiner",)),
                       (uuid.uuid4(), ("society",))):
        async with service.client(who, *roles) as client:
            single = await client.get(f"/licences/{offered['id']}")
            batch = await client.get("/licences", params={"ids": ids})
        assert single.status_code == 200
        assert [i["id"] for i in batch.json()["items"]] == [offered["id"]]
    async with service.client(uuid.uuid4()) as client:
        single = await client.get(f"/licences/{offered['id']}")
        batch = await client.get("/licences", params={"ids": ids})
        by_work = await client.get("/licences/by-work", params={"work_ids": str(deal.work_id)})
        search = await client.get("/licences/search", params={"work_id": str(deal.work_id)})
        events = await client.get("/licence-events", params={"licence_ids": offered["id"]})
    assert single.status_code == 404
    assert batch.json() == {"items": []}
    assert by_work.json() == {"items": {}}
    assert search.json() == {"items": [], "next_cursor": None, "total_count": 0}
    assert events.json() == {"items": {}}


async def test_search_pages_through_the_callers_licences(service: Service, deal: Deal) -> None:
    made = [(await _offer(service, deal, exclusive=False))["id"] for _ in range(3)]
    seen: list[str] = []
    after = None
    async with service.client(deal.licensee) as client:
        while True:
            params: dict[str, Any] = {"work_id": str(deal.work_id), "as_licensee": "true",
                                      "first": 2}
            if after:
                params["after"] = after
            page = (await client.get("/licences/search", params=params)).json()
            assert page["total_count"] == 3
            seen += [item["id"] for item in page["items"]]
            after = page["next_cursor"]
            if after is None:
                break
        grouped = await client.get(
            "/licences/by-work", params={"work_ids": str(deal.work_id), "status": "OFFERED"}
        )
    assert seen == made
    assert [i["id"] for i in grouped.json()["items"][str(deal.work_id)]] == made


async def test_timeline_lists_the_licence_events_in_order(service: Service, deal: Deal) -> None:
    offered = await _offer(service, deal)
    await _act(service, deal.licensee, offered["id"], "accept")
    await _act(service, deal.owner, offered["id"], "terminate", {"reason": "done"})
    async with service.client(deal.owner) as client:
        timeline = await client.get("/licence-events", params={"licence_ids": offered["id"]})
    types = [e["type"] for e in timeline.json()["items"][offered["id"]]]
    assert types == [
        "org.aseanip.licensing.licence.offered.v1",
        "org.aseanip.licensing.licence.activated.v1",
        "org.aseanip.licensing.licence.terminated.v1",
    ]


async def test_disputed_work_accepts_offers_again_once_the_dispute_is_resolved(
    service: Service, register: Register, deal: Deal
) -> None:
    """DOMAIN: a DISPUTED work accepts no new offers *until resolved*."""
    from datetime import UTC, datetime

    from contracts.enums import WorkStatus

    from contracts import events

    await _dispute_and_see_offers_refused(service, register, deal)

    state = register.state(deal.work_id, deal.owners, WorkStatus.REGISTERED)
    await register.publish(
        events.WorkDisputeResolved(
            occurred_at=datetime.now(UTC),
            work=state,
            keep_owners=True,
            reason="owners confirmed",
            previous_rights_holders=state.rights_holders,
        )
    )
    await wait_for(lambda: service.knows_work(deal.work_id, "REGISTERED"))
    async with service.client(deal.owner) as client:
        response = await client.post("/licences", json=offer_body(deal))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "OFFERED"
