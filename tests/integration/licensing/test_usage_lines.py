"""Usage lines against real Postgres and Kafka (DOMAIN.md, "Usage lines and matching"): a file
uploaded, its lines matched by ISRC, ISWC and title with writers, queued or refused, the
royalties stated per licence and line, the same file again changing nothing, and a claim."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from contracts.enums import Role, WorkKind, WorkStatus
from contracts.identifiers import iswc_check_digit
from stdnum import isrc as std_isrc

from contracts import events
from tests.oracles import music_publisher_accepts

from .conftest import THIS_YEAR, Register, Service, wait_for
from .kafka_reader import read_until

JAN = {"period_start": f"{THIS_YEAR}-01-01", "period_end": f"{THIS_YEAR}-01-31"}
HEADER = "line_key,isrc,iswc,title,writers,units,revenue,currency,territory,period_start,period_end"


def _isrc() -> str:
    return f"THA12{THIS_YEAR % 100:02d}{random.randrange(100000):05d}"


def _iswc() -> str:
    nine = f"{random.randrange(10**9):09d}"
    return f"T-{nine[:3]}.{nine[3:6]}.{nine[6:]}-{iswc_check_digit(nine)}"


async def _work(
    service: Service, register: Register, owners: dict[uuid.UUID, str], title: str, *,
    kind: WorkKind = WorkKind.MUSICAL_WORK, alternate: list[str] | None = None,
    recording_of: uuid.UUID | None = None, **ids: str,
) -> uuid.UUID:
    work_id = uuid.uuid4()
    register.filing_seq += 1
    state = events.WorkState(
        id=work_id, filing_number=f"F-{THIS_YEAR}-{register.filing_seq:06d}",
        registration_number=f"R-{THIS_YEAR}-{register.filing_seq:06d}", title=title,
        alternate_titles=alternate or [], kind=kind, status=WorkStatus.REGISTERED,
        identifiers=events.Identifiers(**ids), country_of_origin="VN",
        rights_holders=[events.RightsHolder(party_id=p, role=Role.COMPOSER, share=Decimal(s))
                        for p, s in owners.items()],
        filed_by=next(iter(owners)), filed_at=datetime(THIS_YEAR, 1, 1, tzinfo=UTC),
        recording_of=recording_of,
    )  # fmt: skip
    await register.publish(
        events.WorkRegistered(occurred_at=datetime.now(UTC), work=state, version=2)
    )
    await wait_for(lambda: service.knows_work(work_id))
    return work_id


async def _licence(service: Service, owner: uuid.UUID, licensee: uuid.UUID, work: uuid.UUID) -> str:
    body = {
        "work_id": str(work), "licensee_id": str(licensee), "territories": ["TH", "VN"],
        "media": ["STREAMING"], "exclusive": False, "start": f"{THIS_YEAR}-01-01",
        "end": f"{THIS_YEAR}-12-31", "royalty_rate": "10.00", "advance": "0", "currency": "USD",
    }  # fmt: skip
    async with service.client(owner) as client:
        offered = await client.post("/licences", json=body)
        assert offered.status_code == 201, offered.text
    async with service.client(licensee) as client:
        accepted = await client.post(f"/licences/{offered.json()['id']}/accept")
        assert accepted.status_code == 200, accepted.text
    return str(offered.json()["id"])


async def _upload(
    client: httpx.AsyncClient, content: str, *, fmt: str = "CSV", key: str | None = None
) -> Any:
    params = {"format": fmt} | ({"file_key": key} if key else {})
    answer = await client.post("/usage-files", params=params, content=content.encode())
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture
async def catalogue(service: Service, register: Register) -> dict[str, Any]:
    owner = await register.party("Nguyễn Văn An")
    co_owner = await register.party("Trần Thị Bình")
    licensee = await register.party("Stream Co")
    owners = {owner: "66.67", co_owner: "33.33"}
    isrc, iswc = _isrc(), _iswc()
    assert std_isrc.is_valid(isrc) and music_publisher_accepts("iswc", iswc.replace("-", "").replace(".", ""))
    tag = uuid.uuid4().hex[:6]
    recording = await _work(service, register, owners, f"Recording {tag}",
                            kind=WorkKind.SOUND_RECORDING, isrc=isrc)
    song = await _work(service, register, owners, f"Bài Ca {tag}", iswc=iswc)
    moon = await _work(service, register, {owner: "100.00"}, f"Ánh Trăng Lẻ Loi {tag}",
                       alternate=[f"Lonely Moonlight {tag}"])  # fmt: skip
    licences = {w: await _licence(service, owner, licensee, w) for w in (recording, song, moon)}
    return {"owner": owner, "co_owner": co_owner, "licensee": licensee, "isrc": isrc,
            "iswc": iswc, "tag": tag, "recording": recording, "song": song, "moon": moon,
            "licences": licences}  # fmt: skip


def _csv(c: dict[str, Any]) -> str:
    tag, month = c["tag"], f"{JAN['period_start']},{JAN['period_end']}"
    rows = [
        f"a1,{c['isrc']},,Whatever Title,,1000,12.34,USD,TH,{month}",
        f"a2,{c['isrc']},,Whatever Title,,4,0.05,USD,VN,{month}",
        f"a3,,{c['iswc']},Bai Ca,,10,20.00,USD,TH,{month}",
        f"a4,,,anh trang le loi {tag},An Nguyen Van,5,3.00,USD,TH,{month}",
        f"a5,,,Anh Trang Le Lio {tag},,7,1.00,USD,TH,{month}",
        f"a6,,,Nothing Like It Zq{tag},Nobody,1,9.99,USD,TH,{month}",
        f"a7,,T-034.524.680-2,Bad Check Digit,,1,1.00,USD,TH,{month}",
        f"a8,{c['isrc']},,Whatever Title,,1,5.00,USD,FR,{month}",
    ]
    return "\n".join([HEADER, *rows]) + "\n"


async def test_a_file_is_matched_stated_and_idempotent(
    service: Service, catalogue: dict[str, Any]
) -> None:
    c = catalogue
    async with service.client(c["licensee"]) as client:
        first = await _upload(client, _csv(c), key=f"jan-{c['tag']}")
        again = await _upload(client, _csv(c), key=f"jan-{c['tag']}")
    assert first["errors"] == [
        {"line": 8, "field": "iswc",
         "reason": "iswc: ISWC 'T-034.524.680-2' has check digit 2, expected 1"},
    ]  # fmt: skip
    assert (first["received"], first["duplicates"], first["refused"]) == (7, 0, 1)
    assert first["methods"] == {"FUZZY": 1, "ISRC": 3, "ISWC": 1, "UNMATCHED": 2}
    assert first["statuses"] == {"QUEUED": 2, "STATED": 4, "UNLICENSED": 1}
    # The same file again: every line is known by its key, nothing changes.
    assert (again["received"], again["duplicates"], again["statement_report_ids"]) == (0, 7, [])

    recording_licence = c["licences"][c["recording"]]
    async with service.client(c["co_owner"]) as client:
        found = (await client.get("/statements", params={"licence_ids": recording_licence})).json()
    [statement] = found["items"][recording_licence]
    # 10 % of 12.34 is 1.234 → 1.23; of 0.05 is 0.005 → 0.01 (half up): royalty 1.24, split
    # 66.67 / 33.33 → 0.8267 / 0.4133: 0.82 + 0.41 and the spare cent to the larger remainder.
    assert (statement["gross"], statement["royalty"], statement["payable"]) == (
        "12.39", "1.24", "1.24")
    assert {line["party_id"]: line["amount"] for line in statement["lines"]} == {
        str(c["owner"]): "0.83", str(c["co_owner"]): "0.41"}
    assert sorted((u["line_key"], u["revenue"], u["royalty"]) for u in statement["usage_lines"]) == [
        ("a1", "12.34", "1.23"), ("a2", "0.05", "0.01")]

    def both_uploads(evs: list[Any]) -> bool:
        return sum(e.type.endswith("usage.lines_received.v1") and e.subject == str(c["licensee"])
                   for e in evs) >= 2  # fmt: skip

    # The outbox publishes in order: once the second upload's record is in, all the first's are.
    seen = await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic("licensing.royalties.v1"),
        both_uploads,
    )
    matched = [e.data for e in seen
               if e.type.endswith("usage.lines_matched.v1") and e.subject == str(c["licensee"])]
    assert len(matched) == 1  # the second upload matched nothing new
    by_key = {line.line_key: line for line in matched[0].lines}  # type: ignore[attr-defined]
    assert (by_key["a4"].method, by_key["a4"].confidence, by_key["a4"].work_id) == (
        "FUZZY", Decimal("1.000"), c["moon"])
    assert by_key["a5"].status == "QUEUED" and by_key["a5"].work_id == c["moon"]
    assert Decimal("0.5") <= by_key["a5"].confidence < Decimal("0.85")
    assert (by_key["a6"].status, by_key["a6"].work_id) == ("QUEUED", None)
    assert by_key["a8"].status == "UNLICENSED"
    received = [e.data for e in seen if e.type.endswith("usage.lines_received.v1")
                and e.subject == str(c["licensee"])]
    assert [(r.received, r.duplicates, r.refused) for r in received] == [(7, 0, 1), (0, 7, 1)]  # type: ignore[attr-defined]


async def test_an_owner_claims_a_queued_line_once(
    service: Service, register: Register, catalogue: dict[str, Any]
) -> None:
    c = catalogue
    key = f"claim-{c['tag']}"
    async with service.client(c["licensee"]) as client:
        await _upload(client, _csv(c), key=key)
    async with service.client(c["owner"]) as client:
        queue = (await client.get("/usage-lines/queue", params={"first": 100})).json()["items"]
        mine = {q["line_key"]: q for q in queue if q["usage_file"] == key}
        typo = mine["a5"]
        assert typo["revenue"] is None  # an owner sees the line, not the licensee's revenue
        stranger = await register.party("Stranger")
        async with service.client(stranger) as other:
            refused = await other.post(f"/usage-lines/{typo['id']}/claim",
                                       json={"work_id": str(c["moon"])})
        assert refused.status_code == 404  # holds no share: the queue is not theirs to see
        claimed = await client.post(f"/usage-lines/{typo['id']}/claim", json={"work_id": str(c["moon"])})
        assert claimed.status_code == 200, claimed.text
        line = claimed.json()
        assert (line["status"], line["method"], line["confidence"], line["royalty"]) == (
            "STATED", "CLAIM", "1.000", "0.10")
        assert line["claimed_by"] == str(c["owner"])
        twice = await client.post(f"/usage-lines/{typo['id']}/claim", json={"work_id": str(c["moon"])})
        assert (twice.status_code, twice.json()["code"]) == (409, "LINE_ALREADY_MATCHED")
    async with service.client(c["co_owner"]) as client:
        not_owner = await client.post(
            f"/usage-lines/{mine['a6']['id']}/claim", json={"work_id": str(c["moon"])}
        )
    assert (not_owner.status_code, not_owner.json()["code"]) == (403, "NOT_AN_OWNER")
    seen = await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic("licensing.royalties.v1"),
        lambda evs: any(e.type.endswith("usage.line_claimed.v1") and
                        str(e.data.line.line_id) == typo["id"] for e in evs),  # type: ignore[attr-defined]
    )
    claim = next(e.data for e in seen if e.type.endswith("usage.line_claimed.v1")
                 and str(e.data.line.line_id) == typo["id"])  # type: ignore[attr-defined]
    assert claim.claimed_by == c["owner"] and claim.line.method == "CLAIM"  # type: ignore[attr-defined]


def _dsr(c: dict[str, Any], *, lines_told: int = 2) -> str:
    rows = [
        ["HEAD", "DSR", JAN["period_start"], JAN["period_end"], "TH", "USD", f"dsr-{c['tag']}"],
        ["SY01", "VN", "USD", str(lines_told), "3", "2.00"],
        ["SU01", "r1", c["isrc"], "", "X", "Singer", "", "1", "1.00"],
        ["SU01", "r2", "", c["iswc"], "Bai Ca", "", "", "2", "1.00"],
        ["FOOT", "2"],
    ]
    return "".join("\t".join(r) + "\n" for r in rows)


async def test_a_dsr_file_is_read_by_its_records(service: Service, catalogue: dict[str, Any]) -> None:
    c = catalogue
    async with service.client(c["licensee"]) as client:
        done = await _upload(client, _dsr(c), fmt="DSR")
        told_wrong = await _upload(client, _dsr(c, lines_told=3), fmt="DSR")
        broken = await client.post("/usage-files", params={"format": "DSR"}, content=b"SU01\tx\n")
    assert (done["received"], done["errors"]) == (2, [])
    assert done["usage_file"].startswith("sha256:")
    assert done["methods"] == {"ISRC": 1, "ISWC": 1} and done["statuses"] == {"STATED": 2}
    assert told_wrong["errors"][0]["field"] == "SY01" and told_wrong["errors"][0]["line"] == 2
    assert (broken.status_code, broken.json()["field"]) == (400, "HEAD")


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"title,units,revenue,currency,territory,period_start\n", "period_end"),
        (b"title,units,colour\n", "colour"),
        (b"title,title\n", "title"),
        (b"\xff\xfe not utf-8", "file"),
    ],
)
async def test_a_file_that_cannot_be_read_is_refused_whole(
    service: Service, register: Register, content: bytes, field: str
) -> None:
    licensee = await register.party("Careless Co")
    async with service.client(licensee) as client:
        answer = await client.post("/usage-files", content=content)
        queue = (await client.get("/usage-lines/queue", params={"own": True})).json()
    assert (answer.status_code, answer.json()["field"]) == (400, field)
    assert queue["items"] == []
