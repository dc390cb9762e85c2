"""Every party and work event carries the aggregate's version, counted in the transaction that
changes it: readers order snapshots by it, never by the clocks of filing's instances."""

from __future__ import annotations

import uuid
from typing import Any

from contracts.envelope import decode


def versions(records: list[Any]) -> list[int | None]:
    return [decode(r.value, r.headers, key=r.key).data.version for r in records]


async def test_a_works_events_carry_versions_one_more_per_change(filing: Any, topics: Any) -> None:
    alice, alice_client = await filing.party()
    bob, _ = await filing.party("Bob")
    _, carol_client = await filing.party("Carol")
    filed = await alice_client.post("/works", json={
        "title": f"Song {uuid.uuid4().hex[:8]}", "kind": "MUSICAL_WORK",
        "country_of_origin": "TH",
        "rights_holders": [{"party_id": str(alice), "role": "COMPOSER", "share": "100.00"}],
    })
    assert filed.status_code == 201, filed.text
    work_id = filed.json()["id"]
    moved = await alice_client.post(
        f"/works/{work_id}/transfers", json={"to_party_id": str(bob), "share": "10.00"}
    )
    assert moved.status_code == 200, moved.text
    disputed = await carol_client.post(f"/works/{work_id}/disputes", json={
        "reason": "mine", "claimed_role": "LYRICIST", "claimed_share": "20.00",
    })
    assert disputed.status_code == 200, disputed.text
    examiner = filing.client(uuid.uuid4(), "examiner")
    resolved = await examiner.post(
        f"/works/{work_id}/dispute-resolution", json={"keep_owners": True, "reason": "no proof"}
    )
    assert resolved.status_code == 200, resolved.text
    # filed and registered (one transaction), transferred, disputed, resolved
    assert versions(await topics.wait_for_key(work_id, 5)) == [1, 2, 3, 4, 5]
    assert await filing.scalar("SELECT version FROM work WHERE id = :id", id=work_id) == 5


async def test_a_partys_events_carry_versions_and_a_no_op_update_counts_nothing(
    filing: Any, topics: Any
) -> None:
    party, client = await filing.party("Dao")
    renamed = await client.patch(f"/parties/{party}", json={"name": "Dao Thi"})
    assert renamed.status_code == 200, renamed.text
    same = await client.patch(f"/parties/{party}", json={"name": "Dao Thi"})
    assert same.status_code == 200, same.text
    again = await client.patch(f"/parties/{party}", json={"country": "VN"})
    assert again.status_code == 200, again.text
    assert versions(await topics.wait_for_key(party, 3)) == [1, 2, 3]
    assert await filing.scalar("SELECT version FROM party WHERE id = :id", id=party) == 3
