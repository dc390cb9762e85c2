"""A sound recording names the musical work it records, over HTTP against the real database
and broker (DOMAIN.md, "Recordings of musical works")."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from contracts.events import WorkRegistered

from .conftest import file_work, new_isrc
from .test_works_api import events_of

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _recording(performer: uuid.UUID, title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": title, "kind": "SOUND_RECORDING", "country_of_origin": "VN",
        "rights_holders": [{"party_id": str(performer), "role": "PERFORMER", "share": "100.00"}],
        "identifiers": {"isrc": new_isrc()}, **extra,
    }  # fmt: skip


async def test_a_recording_names_its_musical_work_on_the_work_and_its_events(filing, topics):
    composer, client = await filing.party("Composer")
    song = await file_work(client, composer, f"Song {uuid.uuid4().hex[:8]}")
    performer, performer_client = await filing.party("Performer")
    filed = await performer_client.post(
        "/works", json=_recording(performer, f"Live {song['title']}", recording_of=song["id"])
    )
    assert filed.status_code == 201, filed.text
    recording = filed.json()
    assert (recording["status"], recording["recording_of"]) == ("REGISTERED", song["id"])
    read = (await performer_client.get(f"/works/{recording['id']}")).json()
    assert read["recording_of"] == song["id"]
    assert "recording_of" not in song  # a work that records nothing answers as before
    registered = events_of(await topics.wait_for_key(recording["id"], 2))[1]
    assert isinstance(registered, WorkRegistered)
    assert registered.work.recording_of == uuid.UUID(song["id"])


async def test_a_recording_of_an_unknown_or_wrong_kind_of_work_is_refused_naming_the_field(
    filing,
):
    performer, client = await filing.party("Performer")
    book = await file_work(client, performer, f"Book {uuid.uuid4().hex[:8]}", kind="LITERARY",
                           rights_holders=[{"party_id": str(performer), "role": "AUTHOR",
                                            "share": "100.00"}])  # fmt: skip
    title = f"Refused {uuid.uuid4().hex[:8]}"
    cases = {"no work": str(uuid.uuid4()), "LITERARY": book["id"], "UUID": "not-an-id"}
    for why, named in cases.items():
        answer = await client.post("/works", json=_recording(performer, title, recording_of=named))
        assert (answer.status_code, answer.json()["field"]) == (400, "recording_of"), answer.text
        assert why in answer.json()["message"]
    musical = await client.post("/works", json={
        "title": title, "kind": "MUSICAL_WORK", "country_of_origin": "VN",
        "rights_holders": [{"party_id": str(performer), "role": "COMPOSER", "share": "100.00"}],
        "recording_of": book["id"],
    })  # fmt: skip
    assert (musical.status_code, musical.json()["field"]) == (400, "recording_of")
    # Nothing was filed: the performer holds the book alone.
    found = (await client.get("/works/search", params={"holder_id": str(performer)})).json()
    assert [w["id"] for w in found["items"]] == [book["id"]]
