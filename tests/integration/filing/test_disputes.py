"""Disputes against the real filing service and database (DOMAIN.md, Filing lifecycle): the
disputer's standing, owners not disputing their own work, and the daily limit counted by the
database under a lock."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from contracts.envelope import decode
from contracts.events import WorkDisputed
from filing.domain.disputes import DISPUTES_PER_DAY_DEFAULT

CLAIM = {"claimed_role": "COMPOSER", "claimed_share": "50.00"}
EVIDENCE = "Session files dated two years before the filing show my melody line in bar 12."


async def _registered_work(filing: Any) -> str:
    owner, client = await filing.party("Owner")
    response = await client.post("/works", json={
        "title": f"Song {uuid.uuid4().hex[:8]}", "kind": "MUSICAL_WORK",
        "country_of_origin": "TH",
        "rights_holders": [{"party_id": str(owner), "role": "COMPOSER", "share": "100.00"}],
    })
    assert response.status_code == 201 and response.json()["status"] == "REGISTERED"
    return str(response.json()["id"])


async def _status(filing: Any, work_id: str) -> str:
    return str(await filing.scalar("SELECT status FROM work WHERE id = :id", id=work_id))


async def test_a_dispute_without_standing_is_refused_naming_the_field(filing: Any) -> None:
    work_id = await _registered_work(filing)
    _, client = await filing.party("Disputer")
    before = await filing.counts()
    bare = await client.post(f"/works/{work_id}/disputes", json={"reason": "mine"})
    assert bare.status_code == 400 and bare.json()["field"] == "evidence", bare.text
    short = await client.post(
        f"/works/{work_id}/disputes", json={"reason": "mine", "evidence": "trust me"}
    )
    assert short.status_code == 400 and short.json()["field"] == "evidence"
    no_share = await client.post(
        f"/works/{work_id}/disputes", json={"reason": "mine", "claimed_role": "COMPOSER"}
    )
    assert no_share.status_code == 400 and no_share.json()["field"] == "claimed_share"
    too_much = await client.post(
        f"/works/{work_id}/disputes",
        json={"reason": "mine", "claimed_role": "COMPOSER", "claimed_share": "100.01"},
    )
    assert too_much.status_code == 400 and too_much.json()["field"] == "claimed_share"
    assert await filing.counts() == before
    assert await _status(filing, work_id) == "REGISTERED"

    with_evidence = await client.post(
        f"/works/{work_id}/disputes", json={"reason": "mine", "evidence": EVIDENCE}
    )
    assert with_evidence.status_code == 200 and with_evidence.json()["status"] == "DISPUTED"


async def test_the_dispute_event_carries_the_standing(filing: Any, topics: Any) -> None:
    work_id = await _registered_work(filing)
    _, client = await filing.party("Disputer")
    disputed = await client.post(
        f"/works/{work_id}/disputes",
        json={"reason": "mine", "claimed_role": "LYRICIST", "claimed_share": "12.5"},
    )
    assert disputed.status_code == 200, disputed.text
    # filed, registered, disputed
    records = await topics.wait_for_key(work_id, 3)
    event = decode(records[2].value, records[2].headers, key=records[2].key).data
    assert isinstance(event, WorkDisputed)
    assert (event.claimed_role, str(event.claimed_share), event.evidence) == (
        "LYRICIST", "12.50", None
    )


async def test_an_owner_may_not_dispute_its_own_work(filing: Any) -> None:
    owner, client = await filing.party("Owner")
    work = (await client.post("/works", json={
        "title": f"Song {uuid.uuid4().hex[:8]}", "kind": "MUSICAL_WORK",
        "country_of_origin": "TH",
        "rights_holders": [{"party_id": str(owner), "role": "COMPOSER", "share": "100.00"}],
    })).json()
    before = await filing.counts()
    refused = await client.post(f"/works/{work['id']}/disputes", json={"reason": "x", **CLAIM})
    assert refused.status_code == 403 and refused.json()["code"] == "OWNER_CANNOT_DISPUTE"
    assert await filing.counts() == before


async def test_the_disputes_after_the_daily_limit_are_refused_and_change_nothing(
    filing: Any,
) -> None:
    limit = filing.settings.disputes_per_day
    assert limit == DISPUTES_PER_DAY_DEFAULT
    _, client = await filing.party("Disputer")
    for _ in range(limit):
        work_id = await _registered_work(filing)
        ok = await client.post(f"/works/{work_id}/disputes", json={"reason": "mine", **CLAIM})
        assert ok.status_code == 200, ok.text
    one_more = await _registered_work(filing)
    before = await filing.counts()
    refused = await client.post(f"/works/{one_more}/disputes", json={"reason": "mine", **CLAIM})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "DISPUTE_LIMIT_REACHED"
    assert str(limit) in refused.json()["message"]
    assert await _status(filing, one_more) == "REGISTERED"
    assert await filing.counts() == before

    # Another party's quota is its own; an examiner is not limited.
    _, other = await filing.party("Other")
    assert (await other.post(
        f"/works/{one_more}/disputes", json={"reason": "mine", **CLAIM}
    )).status_code == 200
    examiner_id = uuid.uuid4()
    examiner = filing.client(examiner_id, "examiner")
    for _ in range(limit + 1):
        work_id = await _registered_work(filing)
        ok = await examiner.post(f"/works/{work_id}/disputes", json={"reason": "audit", **CLAIM})
        assert ok.status_code == 200, ok.text


async def test_concurrent_disputes_cannot_exceed_the_daily_limit(filing: Any) -> None:
    limit = filing.settings.disputes_per_day
    _, client = await filing.party("Disputer")
    works = [await _registered_work(filing) for _ in range(limit + 3)]
    responses = await asyncio.gather(*(
        client.post(f"/works/{work_id}/disputes", json={"reason": "mine", **CLAIM})
        for work_id in works
    ))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * limit + [409] * 3, [r.text for r in responses]
    statuses = [await _status(filing, work_id) for work_id in works]
    assert statuses.count("DISPUTED") == limit and statuses.count("REGISTERED") == 3
