"""Collecting societies against the real database and broker (DOMAIN.md, "Collecting
societies: CWR out, acknowledgements in"): shares by right through the API, a society's CWR
file (only new or revised works since its last one), its acknowledgement file applied once,
and the society events published."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from typing import Any

import pytest
from contracts.envelope import decode
from contracts.events import SocietyAcknowledgementReceived, SocietyRegistrationSent
from contracts.topics import FILING_SOCIETIES
from filing import societies
from filing.app import cwr_policy
from filing.domain.cwr_records import ascii_text
from rights_ops.cli import app
from runtime.uow import unit_of_work_factory
from typer.testing import CliRunner

from tests.co_owners import confirm_over_http
from tests.cwr_oracle import parse_cwr, record_type

from .conftest import TopicReader, new_iswc

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _holders(composer: uuid.UUID, publisher: uuid.UUID, society: str, *, territories: bool
             ) -> list[dict[str, Any]]:  # fmt: skip
    holders = [
        {"party_id": str(composer), "role": "COMPOSER", "share": "50.00",
         "mechanical_share": "0.00", "sync_share": "0.00", "performing_society": society},
        {"party_id": str(publisher), "role": "PUBLISHER", "share": "50.00",
         "mechanical_share": "100.00", "sync_share": "100.00", "performing_society": society,
         "mechanical_society": society, "sync_society": society},
    ]  # fmt: skip
    if territories:  # the publisher collects 60 % of the performing right in Thailand
        holders[0]["territory_shares"] = [{"territory": "TH", "performing_share": "40.00"}]
        holders[1]["territory_shares"] = [{"territory": "TH", "performing_share": "60.00"}]
    return holders


async def _file(client: Any, composer: uuid.UUID, publisher: tuple[uuid.UUID, Any],
                society: str, title: str, *, territories: bool = False
                ) -> dict[str, Any]:  # fmt: skip
    """The composer files; the publisher (its id and client) confirms: registered."""
    publisher_id, publisher_client = publisher
    body = {"title": title, "kind": "MUSICAL_WORK", "country_of_origin": "TH",
            "rights_holders": _holders(composer, publisher_id, society, territories=territories)}
    response = await client.post("/works", json=body)
    assert response.status_code == 201, response.text
    work: dict[str, Any] = await confirm_over_http([publisher_client], response.json()["id"])
    assert work["status"] == "REGISTERED", work
    return work


def _ack_line(sequence: int, work: dict[str, Any], status: str, society_id: str) -> str:
    """An ACK record (CWR 2.1) answering the work's NWR transaction."""
    return (
        f"ACK{sequence:08d}{0:08d}20261206093000{1:05d}{0:08d}NWR"
        f"{ascii_text(work['title'])[:60]:<60}{work['registration_number']:<20}{society_id:<20}"
        f"20261207{status}"
    )


def _ack_file(society: str, answers: list[tuple[dict[str, Any], str, str, str | None]]) -> bytes:
    lines = [f"HDRSO000000{society}SOCIETY {society:<37}01.102026120712000020261207"]
    lines.append("GRHACK0000102.10")
    for sequence, (work, status, society_id, iswc) in enumerate(answers):
        lines.append(_ack_line(sequence, work, status, society_id))
        compact = (iswc or "").replace("-", "").replace(".", "")
        lines.append(f"NWR{sequence:08d}{1:08d}{ascii_text(work['title'])[:60]:<60}  "
                     f"{work['registration_number']:<14}{compact:<11}")  # fmt: skip
    lines.append(f"GRT00001{len(answers):08d}{len(lines):08d}")
    lines.append(f"TRL00001{len(answers):08d}{len(lines) + 1:08d}")
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


async def _export(examiner: Any, society: str) -> dict[str, Any] | None:
    response = await examiner.post(f"/societies/{society}/cwr-files")
    assert response.status_code == 201, response.text
    made: dict[str, Any] | None = response.json()["file"]
    return made


async def test_a_society_gets_new_then_revised_works_and_its_acknowledgements_apply_once(
    filing, kafka_bootstrap
):
    # A society CWR-DataApi's tables know (BMI): it refuses codes CISAC never allocated.
    society = "021"
    composer, composer_client = await filing.party("Somchai Jaidee")
    publisher = await filing.party("Siam Songs", kind="ORGANIZATION")
    examiner = filing.client(uuid.uuid4(), "examiner")
    suffix = uuid.uuid4().hex[:6]
    first = await _file(composer_client, composer, publisher, society, f"ความรัก {suffix}")
    second = await _file(composer_client, composer, publisher, society, f"Bengawan {suffix}",
                         territories=True)  # fmt: skip
    holders = {h["role"]: h for h in second["rights_holders"]}
    assert holders["PUBLISHER"]["mechanical_share"] == "100.00"
    assert holders["COMPOSER"]["performing_society"] == society
    assert holders["PUBLISHER"]["territory_shares"] == [
        {"territory": "TH", "performing_share": "60.00"}
    ]

    made = await _export(examiner, society)
    assert made is not None and (made["works"], made["new_works"]) == (2, 2)
    content = await examiner.get(made["download_url"])
    assert content.status_code == 200
    text = content.text
    assert content.headers["content-disposition"].endswith(f'"{made["name"]}"')
    parsed = parse_cwr(made["name"], text)
    transactions = parsed.transmission.groups[0].transactions
    assert [record_type(t[0]) for t in transactions] == ["NWR", "NWR"]
    assert "KHWAM RAK" in text  # the Thai title, romanised for CWR 2.1

    # Nothing new: no file. A transfer revises the first work; a third work is new.
    assert await _export(examiner, society) is None
    stranger, _ = await filing.party("Nok Khamkaew")
    moved = await composer_client.post(
        f"/works/{first['id']}/transfers", json={"to_party_id": str(stranger), "share": "10.00"}
    )
    assert moved.status_code == 200, moved.text
    third = await _file(composer_client, composer, publisher, society, f"Rasa {suffix}")
    made_again = await _export(examiner, society)
    assert made_again is not None
    assert (made_again["new_works"], made_again["revised_works"]) == (1, 1)
    again = parse_cwr(made_again["name"], (await examiner.get(made_again["download_url"])).text)
    assert [g.group_header.transaction_type for g in again.transmission.groups] == ["NWR", "REV"]
    assert made_again["name"][4:8] == "0002"  # the society's second file

    # The society's acknowledgements: accepted with an ISWC, rejected; sent twice.
    iswc = new_iswc()
    ack = _ack_file(society, [(first, "AS", "SOC-1", iswc), (second, "RJ", "SOC-2", None),
                              (third, "RA", "SOC-3", None)])  # fmt: skip
    society_client = filing.client(uuid.uuid4(), "society")
    for expected in ((3, 0), (0, 3)):
        answer = await society_client.post(
            "/societies/acknowledgements", files={"file": ("ACK.V21", ack, "text/plain")}
        )
        assert answer.status_code == 200, answer.text
        assert (answer.json()["acknowledged"], answer.json()["unchanged"]) == expected
    registrations = (await composer_client.get(f"/works/{first['id']}/society-registrations")).json()
    assert registrations == [
        {**registrations[0], "society": society, "status": "ACCEPTED", "cwr_status": "AS",
         "society_work_id": "SOC-1", "assigned_iswc": iswc, "transaction": "REV"}
    ]  # fmt: skip
    rejected = (await composer_client.get(f"/works/{second['id']}/society-registrations")).json()
    assert rejected[0]["status"] == "REJECTED"

    reader = TopicReader(kafka_bootstrap, [filing.settings.topic(FILING_SOCIETIES)])
    await reader.start()
    try:
        records = await reader.wait_for_key(second["id"], 2)
    finally:
        await reader.stop()
    events = [decode(r.value, r.headers, key=r.key).data for r in records]
    assert isinstance(events[0], SocietyRegistrationSent) and events[0].transaction == "NWR"
    assert isinstance(events[1], SocietyAcknowledgementReceived)
    assert events[1].status == "REJECTED" and composer in events[1].holder_ids


async def test_only_examiners_and_societies_make_cwr_files(filing):
    party, client = await filing.party("Mali Dee")
    del party
    refused = await client.post("/societies/021/cwr-files")
    assert refused.status_code == 403
    bad = await filing.client(uuid.uuid4(), "society").post("/societies/21X/cwr-files")
    assert bad.status_code == 400 and bad.json()["field"] == "society"


async def test_the_periodic_export_sends_each_listed_society_only_what_is_new(filing):
    composer, client = await filing.party("Dara Sok")
    publisher = await filing.party("Mekong Music", kind="ORGANIZATION")
    await _file(client, composer, publisher, "052", f"Mekong {uuid.uuid4().hex[:6]}")
    uow = unit_of_work_factory(filing.sessions)
    policy = cwr_policy(filing.settings)
    made = await societies.export_due(uow=uow, policy=policy, societies="052, 058")
    assert len(made) == 1 and made[0].endswith("_052.V21")  # 058 has no member's work
    assert await societies.export_due(uow=uow, policy=policy, societies="052,058") == []


async def test_the_command_writes_the_societys_file_under_its_cwr_name(filing, tmp_path):
    composer, client = await filing.party("Arjuna Putra")
    publisher = await filing.party("Nusantara Musik", kind="ORGANIZATION")
    await _file(client, composer, publisher, "052", f"Gundul {uuid.uuid4().hex[:6]}")
    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "filing.cwr_export", "052", "--out", str(tmp_path),
        "--database-url", filing.settings.database_url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await command.communicate()
    assert command.returncode == 0, err.decode()
    written = json.loads(out)
    path = tmp_path / written["name"]
    assert path.exists() and written["works"] == "1"
    assert parse_cwr(path.name, path.read_text()).transmission.trailer.transaction_count == 1


async def test_the_operator_cli_exports_a_societys_file_and_applies_its_acknowledgements(
    filing, tmp_path
):
    """`rights export cwr` and `rights import acks` (README, "Operating"): the same commands as
    the API's, from an operator's shell."""
    def rights(*args: str) -> Any:
        return CliRunner().invoke(app, [*args, "--database-url", filing.settings.database_url])

    composer, client = await filing.party("Dewi Lestari")
    publisher = await filing.party("Java Records", kind="ORGANIZATION")
    work = await _file(client, composer, publisher, "058", f"Tanah Air {uuid.uuid4().hex[:6]}")
    exported = await asyncio.to_thread(rights, "export", "cwr", "058", "--all",
                                       "--out", str(tmp_path))  # fmt: skip
    assert exported.exit_code == 0, exported.output
    written = json.loads(exported.output)
    path = tmp_path / written["name"]
    assert parse_cwr(path.name, path.read_text()).transmission.trailer.transaction_count >= 1
    assert ascii_text(work["title"]).upper() in path.read_text()

    ack = tmp_path / "ACK.V21"
    ack.write_bytes(_ack_file("058", [(work, "RA", "SOC-OPS", None)]))
    for expected in ((1, 0), (0, 1)):  # applied once: the second time changes nothing
        applied = await asyncio.to_thread(rights, "import", "acks", str(ack))
        assert applied.exit_code == 0, applied.output
        summary = json.loads(applied.output)
        assert (summary["acknowledged"], summary["unchanged"]) == expected
    registrations = (await client.get(f"/works/{work['id']}/society-registrations")).json()
    assert [(r["society"], r["status"], r["society_work_id"]) for r in registrations] == [
        ("058", "ACCEPTED", "SOC-OPS")]

    refused = await asyncio.to_thread(rights, "export", "cwr", "58x", "--out", str(tmp_path))
    assert refused.exit_code == 2 and "society" in refused.output
