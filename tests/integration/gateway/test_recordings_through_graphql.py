"""A sound recording names the musical work it records through GraphQL against the running
services (DOMAIN.md, "Recordings of musical works"): `FileWorkInput.recordingOf` and
`Work.recordingOf`, and a recording of a work that is not musical refused naming the field."""

from __future__ import annotations

import uuid

import pytest
from devstack.identity import Identities

from .test_deal_through_graphql import Platform, platform, register  # noqa: F401

pytestmark = pytest.mark.slow

FILE = """mutation ($i: FileWorkInput!) { fileWork(input: $i) {
  work { id kind recordingOf { id kind } } errors { code message field } } }"""


def _work(kind: str, holder: str, role: str, **extra: object) -> dict[str, object]:
    return {"title": f"{kind} {uuid.uuid4().hex[:8]}", "kind": kind, "countryOfOrigin": "TH",
            "rightsHolders": [{"partyId": holder, "role": role, "share": "100.00"}],
            **extra}  # fmt: skip


async def test_a_recording_names_its_musical_work_through_graphql(
    identities: Identities, platform: Platform  # noqa: F811
) -> None:
    kim, token = await register(platform, identities, "Kim Songwriter")
    song = (await platform.call(FILE, {"i": _work("MUSICAL_WORK", kim, "COMPOSER")}, token))
    song_id = song["fileWork"]["work"]["id"]
    book = (await platform.call(FILE, {"i": _work("LITERARY", kim, "AUTHOR")}, token))
    book_id = book["fileWork"]["work"]["id"]

    recorded = (await platform.call(
        FILE, {"i": _work("SOUND_RECORDING", kim, "PERFORMER", recordingOf=song_id)}, token
    ))["fileWork"]  # fmt: skip
    assert recorded["errors"] == [], recorded
    assert recorded["work"]["recordingOf"] == {"id": song_id, "kind": "MUSICAL_WORK"}
    assert song["fileWork"]["work"]["recordingOf"] is None

    refused = (await platform.call(
        FILE, {"i": _work("SOUND_RECORDING", kim, "PERFORMER", recordingOf=book_id)}, token
    ))["fileWork"]  # fmt: skip
    assert refused["work"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "recordingOf"), error
    assert "LITERARY" in error["message"]
