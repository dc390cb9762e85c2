"""Parties over HTTP against the real database and broker: sign-up, updates, access, and the
published `filing.parties.v1` records."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from contracts.envelope import decode
from contracts.events import PartyRegistered, PartyUpdated
from contracts.topics import FILING_PARTIES

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _headers(record: Any) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers}


async def test_party_sign_up_publishes_public_part_only(filing, topics):
    party_id = uuid.uuid4()
    client = filing.client(party_id)
    body = {
        "name": "Somchai Rakdee",
        "kind": "PERSON",
        "country": "th",
        "ipi_name_number": "00000000199",
        "isni": "0000 0001 2281 955X",
        # Contact details belong to notifications: ignored here, never on an event.
        "email": "somchai@example.com",
        "webhook_url": "https://example.com/hook",
    }
    response = await client.put(f"/parties/{party_id}", json=body)
    assert response.status_code == 201, response.text
    party = response.json()
    assert party["country"] == "TH"
    assert party["isni"] == "000000012281955X"
    assert "email" not in party

    [record] = await topics.wait_for_key(party_id, 1)
    assert record.topic == filing.settings.topic(FILING_PARTIES)
    assert record.key == str(party_id).encode()
    headers = _headers(record)
    assert headers["ce_type"] == "org.aseanip.filing.party.registered.v1"
    assert headers["ce_source"] == "/filing"
    assert headers["ce_subject"] == str(party_id)
    assert headers["ce_specversion"] == "1.0"
    assert headers["content-type"] == "application/json"
    uuid.UUID(headers["ce_id"])
    payload = json.loads(record.value)
    assert payload["party"]["name"] == "Somchai Rakdee"
    raw = record.value.decode()
    assert "example.com" not in raw and "email" not in raw and "webhook" not in raw
    event = decode(record.value, record.headers, key=record.key)
    assert isinstance(event.data, PartyRegistered)


async def test_party_sign_up_is_idempotent(filing, topics):
    party_id, client = await filing.party("Nguyen Van An")
    again = await client.put(
        f"/parties/{party_id}", json={"name": "Other Name", "kind": "PERSON", "country": "VN"}
    )
    assert again.status_code == 200
    assert again.json()["name"] == "Nguyen Van An"
    await topics.wait_for_key(party_id, 1)
    assert await filing.scalar("SELECT count(*) FROM party WHERE id = :i", i=party_id) == 1
    assert (
        await filing.scalar("SELECT count(*) FROM outbox WHERE key = :k", k=str(party_id).encode())
        == 1
    )


async def test_party_is_registered_only_under_its_own_token(filing):
    before = await filing.counts()
    someone = filing.client(uuid.uuid4())
    other_id = uuid.uuid4()
    response = await someone.put(
        f"/parties/{other_id}", json={"name": "Impostor", "kind": "PERSON", "country": "TH"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "NOT_THIS_PARTY"
    assert await filing.counts() == before


@pytest.mark.parametrize(
    ("token", "status"), [(None, 401), ("not-a-jwt", 401), ("eyJhbGciOiJub25lIn0.e30.", 401)]
)
async def test_request_without_valid_token_is_refused(filing, token, status):
    client = filing.client(None)
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    party_id = uuid.uuid4()
    before = await filing.counts()
    response = await client.put(
        f"/parties/{party_id}",
        json={"name": "No Token", "kind": "PERSON", "country": "TH"},
        headers=headers,
    )
    assert response.status_code == status
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert (await client.get(f"/works?ids={uuid.uuid4()}", headers=headers)).status_code == 401
    assert await filing.counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "kind": "PERSON", "country": "TH"}, "name"),
        ({"name": "x" * 201, "kind": "PERSON", "country": "TH"}, "name"),
        ({"name": "A", "kind": "ROBOT", "country": "TH"}, "kind"),
        ({"name": "A", "kind": "PERSON", "country": "XX"}, "country"),
        (
            {"name": "A", "kind": "PERSON", "country": "TH", "ipi_name_number": "00000000198"},
            "ipi_name_number",
        ),
        ({"name": "A", "kind": "PERSON", "country": "TH", "isni": "0000000122819551"}, "isni"),
        ({"name": "A\x00B", "kind": "PERSON", "country": "TH"}, "name"),
    ],
)
async def test_bad_party_is_refused_naming_the_field_and_writes_nothing(filing, body, field):
    party_id = uuid.uuid4()
    before = await filing.counts()
    response = await filing.client(party_id).put(f"/parties/{party_id}", json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["field"] == field
    assert set(error) >= {"code", "message", "field"}
    assert await filing.counts() == before


async def test_party_update_publishes_changed_fields(filing, topics):
    party_id, client = await filing.party("Dara Sok")
    response = await client.patch(f"/parties/{party_id}", json={"name": "Dara Sok Chea"})
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Dara Sok Chea"
    records = await topics.wait_for_key(party_id, 2)
    event = decode(records[1].value, records[1].headers, key=records[1].key)
    assert isinstance(event.data, PartyUpdated)
    assert event.data.changed_fields == ["name"]
    assert event.data.party.name == "Dara Sok Chea"


async def test_party_update_by_another_party_is_refused(filing):
    party_id, _ = await filing.party("Owner")
    stranger = filing.client(uuid.uuid4())
    response = await stranger.patch(f"/parties/{party_id}", json={"name": "Hijacked"})
    assert response.status_code == 403
    assert (await stranger.get(f"/parties/{party_id}")).json()["name"] == "Owner"


async def test_party_batch_read_answers_known_ids_only(filing):
    first, client = await filing.party("First")
    second, _ = await filing.party("Second")
    unknown = uuid.uuid4()
    response = await client.get(f"/parties?ids={first},{unknown},{second}")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["items"]] == [str(first), str(second)]
    assert (await client.get(f"/parties/{unknown}")).status_code == 404
    bad = await client.get("/parties?ids=nonsense")
    assert bad.status_code == 400 and bad.json()["field"] == "ids"


async def test_simultaneous_sign_ups_with_one_id_create_one_party(filing, topics):
    party_id = uuid.uuid4()
    client = filing.client(party_id)
    body = {"name": "Racer", "kind": "ORGANIZATION", "country": "SG"}
    responses = await asyncio.gather(
        *(client.put(f"/parties/{party_id}", json=body) for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    assert await filing.scalar("SELECT count(*) FROM party WHERE id = :i", i=party_id) == 1
    await topics.wait_for_key(party_id, 1)
    assert (
        await filing.scalar("SELECT count(*) FROM outbox WHERE key = :k", k=str(party_id).encode())
        == 1
    )
