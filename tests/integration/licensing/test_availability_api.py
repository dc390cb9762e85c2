"""Batch availability (`GET /availability`) over real HTTP against real Postgres and Kafka:
each work gets the single route's answer, in one query for all the works' licences."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from .conftest import THIS_YEAR, Deal, Register, Service, known_work, offer_body

TERMS = {"territories": "TH,VN", "media": "STREAMING", "start": f"{THIS_YEAR}-03-01",
         "end": f"{THIS_YEAR}-09-30"}


async def _active_licence(service: Service, deal: Deal, **overrides: Any) -> str:
    async with service.client(deal.owner) as owner:
        offered = await owner.post("/licences", json=offer_body(deal, **overrides))
    assert offered.status_code == 201, offered.text
    async with service.client(deal.licensee) as licensee:
        accepted = await licensee.post(f"/licences/{offered.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    licence_id: str = accepted.json()["id"]
    return licence_id


async def _another_deal(service: Service, register: Register, deal: Deal) -> Deal:
    owners = {deal.owner: "100.00"}
    work_id = await known_work(service, register, owners)
    return Deal(work_id, deal.owner, deal.co_owner, deal.licensee, owners)


async def _batch(service: Service, caller: uuid.UUID, work_ids: list[Any],
                 **params: str) -> Any:
    async with service.client(caller) as client:
        return await client.get(
            "/availability",
            params={"work_ids": ",".join(str(w) for w in work_ids), **params},
        )


async def _single(service: Service, caller: uuid.UUID, work_id: uuid.UUID,
                  **params: str) -> Any:
    async with service.client(caller) as client:
        response = await client.get(f"/works/{work_id}/availability", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_batch_availability_gives_each_work_the_single_route_answer(
    service: Service, register: Register, deal: Deal
) -> None:
    exclusive_licence = await _active_licence(service, deal)  # exclusive TH,VN this year
    other = await _another_deal(service, register, deal)
    shared_licence = await _active_licence(service, other, exclusive=False,
                                           territories=["VN"])
    free = await _another_deal(service, register, deal)
    unknown = uuid.uuid4()
    ids = [deal.work_id, other.work_id, free.work_id, unknown]
    # Exactly the parameters the gateway sends: exclusive as "true"/"false", no end when open.
    for params in ({**TERMS, "exclusive": "false"}, {**TERMS, "exclusive": "true"},
                   {"territories": "VN", "media": "STREAMING", "start": f"{THIS_YEAR}-05-01",
                    "exclusive": "true"}):
        response = await _batch(service, deal.licensee, ids, **params)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        # An unknown work is absent (the single route answers it 404 UNKNOWN_WORK).
        assert set(items) == {str(deal.work_id), str(other.work_id), str(free.work_id)}
        for work_id in (deal.work_id, other.work_id, free.work_id):
            assert items[str(work_id)] == await _single(service, deal.licensee, work_id,
                                                         **params)
    response = await _batch(service, deal.licensee, ids, **TERMS, exclusive="true")
    items = response.json()["items"]
    assert items[str(deal.work_id)] == {
        "available": False,
        "conflicts": [{"licence_id": exclusive_licence, "territories": ["TH", "VN"],
                       "media": ["STREAMING"], "start": f"{THIS_YEAR}-03-01", "end": f"{THIS_YEAR}-09-30",
                       "exclusive": True}],
    }
    assert items[str(other.work_id)] == {
        "available": False,
        "conflicts": [{"licence_id": shared_licence, "territories": ["VN"],
                       "media": ["STREAMING"], "start": f"{THIS_YEAR}-03-01", "end": f"{THIS_YEAR}-09-30",
                       "exclusive": False}],
    }
    assert items[str(free.work_id)] == {"available": True, "conflicts": []}


async def test_non_exclusive_request_conflicts_only_with_exclusive_licences(
    service: Service, register: Register, deal: Deal
) -> None:
    await _active_licence(service, deal, exclusive=False)
    other = await _another_deal(service, register, deal)
    await _active_licence(service, other, exclusive=True)
    response = await _batch(service, deal.owner, [deal.work_id, other.work_id], **TERMS)
    items = response.json()["items"]
    assert items[str(deal.work_id)] == {"available": True, "conflicts": []}
    assert items[str(other.work_id)]["available"] is False


async def test_conflict_a_caller_may_not_see_blocks_the_work_but_withholds_its_licence_id(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active_licence(service, deal)
    stranger = uuid.uuid4()
    params = {**TERMS, "exclusive": "true"}
    response = await _batch(service, stranger, [deal.work_id], **params)
    assert response.status_code == 200, response.text
    answer = response.json()["items"][str(deal.work_id)]
    assert answer == await _single(service, stranger, deal.work_id, **params)
    # A stranger learns that the footprint is taken, not by which licence (DOMAIN.md, Access).
    assert answer["available"] is False
    assert [c["licence_id"] for c in answer["conflicts"]] == [None]
    # The work's owner may see the licence, so its id is listed.
    mine = (await _batch(service, deal.owner, [deal.work_id], **params)).json()
    assert [c["licence_id"] for c in mine["items"][str(deal.work_id)]["conflicts"]] == [licence_id]


@contextmanager
def _licence_queries(service: Service) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM licence" in statement and "licence.work_id IN" in statement:
            statements.append(statement)

    engine = service.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_batch_availability_reads_all_the_works_licences_in_one_query(
    service: Service, register: Register, deal: Deal
) -> None:
    await _active_licence(service, deal)
    others = [await _another_deal(service, register, deal) for _ in range(3)]
    for other in others:
        await _active_licence(service, other, territories=["TH"])
    ids = [deal.work_id, *(o.work_id for o in others)]
    with _licence_queries(service) as statements:
        response = await _batch(service, deal.owner, ids, **TERMS, exclusive="true")
    assert response.status_code == 200, response.text
    assert all(not a["available"] for a in response.json()["items"].values())
    assert len(statements) == 1


async def test_batch_availability_of_no_works_is_empty(service: Service, deal: Deal) -> None:
    response = await _batch(service, deal.owner, [], **TERMS)
    assert (response.status_code, response.json()) == (200, {"items": {}})


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"territories": "TH,QQ"}, "territories[1]"),
        ({"territories": ""}, "territories"),
        ({"media": "RADIO"}, "media[0]"),
        ({"start": f"{THIS_YEAR}-06-01", "end": f"{THIS_YEAR}-05-31"}, "end"),
        ({"start": "not-a-date"}, "start"),
        ({"work_ids": ",".join(str(uuid.uuid4()) for _ in range(501))}, "work_ids"),
        ({"work_ids": f"{uuid.uuid4()},nope"}, "work_ids[1]"),
    ],
)
async def test_bad_batch_availability_request_is_refused_naming_the_field(
    service: Service, deal: Deal, overrides: dict[str, str], field: str
) -> None:
    params = {"work_ids": str(deal.work_id), **TERMS, **overrides}
    async with service.client(deal.owner) as client:
        response = await client.get("/availability", params=params)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field


async def test_batch_availability_of_exactly_500_works_is_answered(
    service: Service, deal: Deal
) -> None:
    ids = [deal.work_id, *(uuid.uuid4() for _ in range(499))]
    response = await _batch(service, deal.owner, ids, **TERMS)
    assert response.status_code == 200, response.text
    assert list(response.json()["items"]) == [str(deal.work_id)]


async def test_batch_availability_needs_a_token(service: Service, deal: Deal) -> None:
    async with service.client(None) as client:
        response = await client.get(
            "/availability", params={"work_ids": str(deal.work_id), **TERMS}
        )
    assert response.status_code == 401
