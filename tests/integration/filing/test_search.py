"""Search of the register: text folded like titles, status, kind, holder and identifier
filters, and keyset pagination with opaque cursors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .conftest import file_work as _file
from .conftest import new_isrc, new_iswc

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _all_pages(client: Any, params: dict[str, Any]) -> tuple[list[str], int, int]:
    ids: list[str] = []
    pages = 0
    after = None
    total = -1
    while True:
        query = dict(params) | ({"after": after} if after else {})
        response = await client.get("/works/search", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        total = page["total_count"]
        ids += [w["id"] for w in page["items"]]
        pages += 1
        after = page["next_cursor"]
        if after is None:
            return ids, total, pages


async def test_text_search_folds_case_accents_and_punctuation(filing):
    alice, client = await filing.party()
    marker = uuid.uuid4().hex[:8]
    work = await _file(client, alice, f"Nối Vòng Tay Lớn ({marker})")
    found = await client.get("/works/search", params={"text": f"noi vong tay lon {marker}"})
    assert [w["id"] for w in found.json()["items"]] == [work["id"]]
    partial = await client.get("/works/search", params={"text": f"VÒNG TAY, LỚN! {marker}"})
    assert [w["id"] for w in partial.json()["items"]] == [work["id"]]


async def test_text_search_finds_alternate_titles_and_non_latin_scripts(filing):
    alice, client = await filing.party()
    marker = uuid.uuid4().hex[:8]
    work = await _file(client, alice, f"Moonlight {marker}", alternate_titles=[f"แสงจันทร์ {marker}"])
    found = await client.get("/works/search", params={"text": f"แสงจันทร์ {marker}"})
    assert [w["id"] for w in found.json()["items"]] == [work["id"]]
    unspaced = await client.get("/works/search", params={"text": f"แสงจันทร์{marker}"})
    assert [w["id"] for w in unspaced.json()["items"]] == [work["id"]]
    khmer = await client.get("/works/search", params={"text": f"ចម្រៀង {marker}"})
    assert khmer.json()["items"] == []


async def test_search_by_holder_pages_with_cursors_and_counts(filing):
    alice, client = await filing.party()
    filed = [
        (await _file(client, alice, f"Track {i} {uuid.uuid4().hex[:6]}"))["id"] for i in range(7)
    ]
    ids, total, pages = await _all_pages(client, {"holder_id": str(alice), "first": 3})
    assert total == 7
    assert pages == 3
    assert ids == list(reversed(filed))  # newest filing first, each once


async def test_search_by_identifier_status_and_kind(filing):
    alice, client = await filing.party()
    iswc = new_iswc()
    work = await _file(
        client, alice, f"Identified {uuid.uuid4().hex[:6]}", identifiers={"iswc": iswc}
    )
    rejected = await _file(
        client, alice, f"Clash {uuid.uuid4().hex[:6]}", identifiers={"iswc": iswc}
    )
    assert rejected["status"] == "REJECTED"
    by_iswc = await client.get(
        "/works/search", params={"iswc": iswc.replace("-", "").replace(".", "")}
    )
    assert {w["id"] for w in by_iswc.json()["items"]} == {work["id"], rejected["id"]}
    registered = await client.get(
        "/works/search", params={"iswc": iswc, "status": "REGISTERED", "kind": "MUSICAL_WORK"}
    )
    assert [w["id"] for w in registered.json()["items"]] == [work["id"]]
    other_kind = await client.get("/works/search", params={"iswc": iswc, "kind": "LITERARY"})
    assert other_kind.json() == {
        "items": [], "next_cursor": None, "total_count": 0, "total_is_exact": True
    }
    isrc = new_isrc()
    recording = await client.post(
        "/works",
        json={
            "title": "A recording",
            "kind": "SOUND_RECORDING",
            "country_of_origin": "TH",
            "identifiers": {"isrc": isrc},
            "rights_holders": [{"party_id": str(alice), "role": "PRODUCER", "share": "100.00"}],
        },
    )
    by_isrc = await client.get("/works/search", params={"isrc": isrc})
    assert [w["id"] for w in by_isrc.json()["items"]] == [recording.json()["id"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "LOST"}, "status"),
        ({"kind": "PAINTING"}, "kind"),
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"first": "many"}, "first"),
        ({"after": "not-a-cursor"}, "after"),
        ({"iswc": "T-034.524.680-2"}, "iswc"),
        ({"holder_id": "someone"}, "holder_id"),
        ({"text": "x" * 301}, "text"),
    ],
)
async def test_bad_search_is_refused_naming_the_field(filing, params, field):
    client = filing.client(uuid.uuid4())
    response = await client.get("/works/search", params=params)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
