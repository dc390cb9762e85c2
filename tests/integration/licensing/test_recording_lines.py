"""Usage lines by a recording's ISRC against real Postgres and Kafka (DOMAIN.md, "Recordings
of musical works" and "Usage lines and matching"): the line goes to the musical work the
recording records when the licensee licenses that work, to the recording otherwise."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from contracts.enums import WorkKind
from licensing.domain.usage_lines import line_id

from .conftest import Register, Service
from .test_usage_lines import HEADER, JAN, _isrc, _licence, _upload, _work


@pytest.fixture
async def recorded(service: Service, register: Register) -> dict[str, Any]:
    composer = await register.party("Lê Văn Cường")
    performer = await register.party("Phạm Thị Dung")
    tag = uuid.uuid4().hex[:6]
    song = await _work(service, register, {composer: "100.00"}, f"Dòng Sông {tag}")
    isrc = _isrc()
    recording = await _work(
        service, register, {performer: "100.00"}, f"Dòng Sông (live) {tag}",
        kind=WorkKind.SOUND_RECORDING, recording_of=song, isrc=isrc,
    )  # fmt: skip
    return {"composer": composer, "performer": performer, "song": song,
            "recording": recording, "isrc": isrc, "tag": tag}  # fmt: skip


async def _report(service: Service, licensee: uuid.UUID, c: dict[str, Any]) -> dict[str, Any]:
    """One line of 50.00 by the recording's ISRC; answers the stored line."""
    key = f"rec-{c['tag']}-{licensee}"
    month = f"{JAN['period_start']},{JAN['period_end']}"
    csv = f"{HEADER}\nr1,{c['isrc']},,Dong Song live,,100,50.00,USD,VN,{month}\n"
    async with service.client(licensee) as client:
        outcome = await _upload(client, csv, key=key)
        assert (outcome["received"], outcome["methods"]) == (1, {"ISRC": 1})
        line = await client.get(f"/usage-lines/{line_id(licensee, key, 'r1')}")
    assert line.status_code == 200, line.text
    return dict(line.json())


async def test_a_recordings_isrc_goes_to_the_musical_work_its_licensee_licenses(
    service: Service, register: Register, recorded: dict[str, Any]
) -> None:
    c = recorded
    licensee = await register.party("Song Streamer")
    licence = await _licence(service, c["composer"], licensee, c["song"])
    line = await _report(service, licensee, c)
    assert (line["work_id"], line["method"], line["recording_id"]) == (
        str(c["song"]), "ISRC", str(c["recording"]))
    # 10 % of 50.00, under the licence of the musical work, to the composer (not the performer).
    assert (line["status"], line["licence_id"], line["royalty"]) == ("STATED", licence, "5.00")
    async with service.client(c["composer"]) as client:
        found = (await client.get("/statements", params={"licence_ids": licence})).json()
    [statement] = found["items"][licence]
    assert {s["party_id"]: s["amount"] for s in statement["lines"]} == {str(c["composer"]): "5.00"}


async def test_a_recordings_isrc_stays_on_the_recording_its_licensee_licenses(
    service: Service, register: Register, recorded: dict[str, Any]
) -> None:
    c = recorded
    licensee = await register.party("Master Streamer")
    licence = await _licence(service, c["performer"], licensee, c["recording"])
    line = await _report(service, licensee, c)
    assert (line["work_id"], line["method"], line["recording_id"]) == (
        str(c["recording"]), "ISRC", None)
    assert (line["status"], line["licence_id"], line["royalty"]) == ("STATED", licence, "5.00")


async def test_without_a_licence_the_line_is_unlicensed_on_the_recording(
    service: Service, register: Register, recorded: dict[str, Any]
) -> None:
    licensee = await register.party("Unlicensed Streamer")
    line = await _report(service, licensee, recorded)
    assert (line["work_id"], line["status"], line["recording_id"]) == (
        str(recorded["recording"]), "UNLICENSED", None)
