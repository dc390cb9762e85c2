"""Works over HTTP against the real database and broker: filing, examination, reviews,
transfers, disputes, history, batch reads and the published `filing.works.v1` records."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from contracts.envelope import decode
from contracts.events import (
    WorkDisputed,
    WorkDisputeResolved,
    WorkFiled,
    WorkOwnershipTransferred,
    WorkRegistered,
    WorkRejected,
    WorkReviewRequested,
)
from contracts.topics import FILING_WORKS

from tests.co_owners import confirm_over_http

from .conftest import new_isbn, new_isrc, new_iswc

pytestmark = pytest.mark.asyncio(loop_scope="session")


# A disputer's standing (DOMAIN.md): the share it claims in the work.
CLAIM = {"claimed_role": "COMPOSER", "claimed_share": "50.00"}


def work_body(holders: list[tuple[uuid.UUID, str, str]], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": f"Song {uuid.uuid4().hex[:8]}",
        "kind": "MUSICAL_WORK",
        "country_of_origin": "TH",
        "rights_holders": [
            {"party_id": str(p), "role": role, "share": share} for p, role, share in holders
        ],
    }
    body.update(extra)
    return body


async def filed_twice(client: Any, owner: uuid.UUID, title: str) -> dict[str, Any]:
    """Files `owner`'s work twice under one title; answers the second filing, which
    examination sends to review as a likely duplicate of the first."""
    body = work_body([(owner, "COMPOSER", "100.00")], title=title)
    await client.post("/works", json=body)
    second: dict[str, Any] = (await client.post("/works", json=body)).json()
    return second


def events_of(records: list[Any]) -> list[Any]:
    return [decode(r.value, r.headers, key=r.key).data for r in records]


async def test_filing_registers_and_publishes_filed_then_registered(filing, topics):
    alice, client = await filing.party("Alice")
    iswc = new_iswc()
    # The filer holds every share (two roles): examined at once, no co-owner to ask.
    body = work_body(
        [(alice, "COMPOSER", "60.00"), (alice, "LYRICIST", "40.00")],
        identifiers={"iswc": iswc.replace("-", "").replace(".", "")},
        alternate_titles=["แสงจันทร์"],
    )
    response = await client.post("/works", json=body)
    assert response.status_code == 201, response.text
    work = response.json()
    assert work["status"] == "REGISTERED"
    year = datetime.now(UTC).year
    assert re.fullmatch(rf"F-{year}-\d{{6}}", work["filing_number"])
    assert re.fullmatch(rf"R-{year}-\d{{6}}", work["registration_number"])
    assert work["identifiers"]["iswc"] == iswc
    assert work["rights_holders"][0] == {
        "party_id": str(alice),
        "role": "COMPOSER",
        "share": "60.00",
    }
    assert work["filed_by"] == str(alice)

    records = await topics.wait_for_key(work["id"], 2)
    assert [r.topic for r in records] == [filing.settings.topic(FILING_WORKS)] * 2
    assert len({r.partition for r in records}) == 1  # one key, one partition, in order
    types = [dict(r.headers)["ce_type"].decode() for r in records]
    assert types == [
        "org.aseanip.filing.work.filed.v1",
        "org.aseanip.filing.work.registered.v1",
    ]
    headers = {k: v.decode() for k, v in records[1].headers}
    assert headers["ce_subject"] == work["id"] and headers["ce_source"] == "/filing"
    assert headers["ce_dataschema"]
    filed, registered = events_of(records)
    assert isinstance(filed, WorkFiled) and filed.work.status == "FILED"
    assert isinstance(registered, WorkRegistered)
    assert registered.work.registration_number == work["registration_number"]
    payload = json.loads(records[1].value)
    assert payload["work"]["rights_holders"][1]["share"] == "40.00"  # decimal strings on the wire


async def test_identifier_clash_rejects_naming_the_other_work(filing, topics):
    alice, client = await filing.party()
    iswc = new_iswc()
    first = (
        await client.post(
            "/works", json=work_body([(alice, "COMPOSER", "100.00")], identifiers={"iswc": iswc})
        )
    ).json()
    second_response = await client.post(
        "/works", json=work_body([(alice, "COMPOSER", "100.00")], identifiers={"iswc": iswc})
    )
    assert second_response.status_code == 201
    second = second_response.json()
    assert second["status"] == "REJECTED"
    assert first["filing_number"] in second["status_reason"]
    assert second["registration_number"] is None
    records = await topics.wait_for_key(second["id"], 2)
    rejected = events_of(records)[1]
    assert isinstance(rejected, WorkRejected)
    assert rejected.conflicting_work_id == uuid.UUID(first["id"])


async def test_likely_duplicate_goes_to_review_and_examiner_decides(filing, topics):
    alice, client = await filing.party()
    title = f"Ánh Trăng {uuid.uuid4().hex[:6]}"
    first = (
        await client.post("/works", json=work_body([(alice, "COMPOSER", "100.00")], title=title))
    ).json()
    assert first["status"] == "REGISTERED"
    folded_title = title.upper().replace("Á", "A").replace("Ă", "A") + "!"
    dup = (
        await client.post(
            "/works", json=work_body([(alice, "AUTHOR", "100.00")], title=folded_title)
        )
    ).json()
    assert dup["status"] == "UNDER_REVIEW"
    assert first["filing_number"] in dup["status_reason"]

    refused = await client.post(f"/works/{dup['id']}/review", json={"decision": "REGISTER"})
    assert refused.status_code == 403 and refused.json()["code"] == "EXAMINER_ONLY"

    examiner = filing.client(uuid.uuid4(), "examiner")
    decided = await examiner.post(
        f"/works/{dup['id']}/review", json={"decision": "REGISTER", "reason": "a new version"}
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "REGISTERED"
    assert decided.json()["registration_number"].startswith("R-")
    again = await examiner.post(
        f"/works/{dup['id']}/review", json={"decision": "REJECT", "reason": "x"}
    )
    assert again.status_code == 409 and again.json()["code"] == "ILLEGAL_TRANSITION"

    records = await topics.wait_for_key(dup["id"], 3)
    kinds = [type(e) for e in events_of(records)]
    assert kinds == [WorkFiled, WorkReviewRequested, WorkRegistered]


async def test_examiner_rejects_work_under_review(filing):
    alice, client = await filing.party()
    title = f"Duplicate {uuid.uuid4().hex[:6]}"
    dup = await filed_twice(client, alice, title)
    examiner = filing.client(uuid.uuid4(), "examiner")
    no_reason = await examiner.post(f"/works/{dup['id']}/review", json={"decision": "REJECT"})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    rejected = await examiner.post(
        f"/works/{dup['id']}/review", json={"decision": "REJECT", "reason": "same work"}
    )
    assert rejected.json()["status"] == "REJECTED"
    assert rejected.json()["registration_number"] is None


async def test_owner_transfers_share_and_others_cannot(filing, topics):
    alice, client = await filing.party()
    bob, bob_client = await filing.party()
    carol, _ = await filing.party()
    work = (
        await client.post(
            "/works", json=work_body([(alice, "COMPOSER", "70.00"), (bob, "LYRICIST", "30.00")])
        )
    ).json()
    await confirm_over_http([bob_client], work["id"])
    moved = await client.post(
        f"/works/{work['id']}/transfers", json={"to_party_id": str(carol), "share": "20.00"}
    )
    assert moved.status_code == 200, moved.text
    holders = {(h["party_id"], h["role"]): h["share"] for h in moved.json()["rights_holders"]}
    assert holders == {
        (str(alice), "COMPOSER"): "50.00",
        (str(bob), "LYRICIST"): "30.00",
        (str(carol), "COMPOSER"): "20.00",
    }
    stranger = filing.client(uuid.uuid4())
    refused = await stranger.post(
        f"/works/{work['id']}/transfers", json={"to_party_id": str(carol), "share": "1.00"}
    )
    assert refused.status_code == 403
    too_much = await bob_client.post(
        f"/works/{work['id']}/transfers", json={"to_party_id": str(carol), "share": "30.01"}
    )
    assert too_much.status_code == 400 and too_much.json()["field"] == "share"
    unknown = await bob_client.post(
        f"/works/{work['id']}/transfers", json={"to_party_id": str(uuid.uuid4()), "share": "1.00"}
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "to_party_id"

    # filed, consent requested, consent given, registered, then the transfer
    records = await topics.wait_for_key(work["id"], 5)
    transferred = events_of(records)[4]
    assert isinstance(transferred, WorkOwnershipTransferred)
    assert transferred.from_party_id == alice and transferred.to_party_id == carol
    assert str(transferred.share) == "20.00"
    assert len(transferred.previous_rights_holders) == 2


async def test_dispute_freezes_transfers_until_examiner_resolves(filing, topics):
    alice, client = await filing.party()
    carol, carol_client = await filing.party()
    work = (await client.post("/works", json=work_body([(alice, "COMPOSER", "100.00")]))).json()
    no_reason = await carol_client.post(f"/works/{work['id']}/disputes", json={"reason": ""})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    disputed = await carol_client.post(
        f"/works/{work['id']}/disputes", json={"reason": "I composed it", **CLAIM}
    )
    assert disputed.status_code == 200 and disputed.json()["status"] == "DISPUTED"
    frozen = await client.post(
        f"/works/{work['id']}/transfers", json={"to_party_id": str(carol), "share": "10.00"}
    )
    assert frozen.status_code == 409 and frozen.json()["code"] == "WORK_DISPUTED"
    twice = await carol_client.post(f"/works/{work['id']}/disputes", json={"reason": "again", **CLAIM})
    assert twice.status_code == 409

    not_examiner = await carol_client.post(
        f"/works/{work['id']}/dispute-resolution",
        json={
            "keep_owners": False,
            "reason": "mine",
            "rights_holders": [{"party_id": str(carol), "role": "COMPOSER", "share": "100.00"}],
        },
    )
    assert not_examiner.status_code == 403
    examiner = filing.client(uuid.uuid4(), "examiner")
    resolved = await examiner.post(
        f"/works/{work['id']}/dispute-resolution",
        json={
            "keep_owners": False,
            "reason": "evidence from Carol",
            "rights_holders": [
                {"party_id": str(carol), "role": "COMPOSER", "share": "60.00"},
                {"party_id": str(alice), "role": "COMPOSER", "share": "40.00"},
            ],
        },
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "REGISTERED"
    assert resolved.json()["registration_number"] == work["registration_number"]
    assert [h["party_id"] for h in resolved.json()["rights_holders"]] == [str(carol), str(alice)]

    records = await topics.wait_for_key(work["id"], 4)
    disputed_event, resolved_event = events_of(records)[2:]
    assert isinstance(disputed_event, WorkDisputed) and disputed_event.actor_id == carol
    assert isinstance(resolved_event, WorkDisputeResolved)
    assert resolved_event.keep_owners is False
    assert [h.party_id for h in resolved_event.previous_rights_holders] == [alice]


async def test_dispute_resolution_keeping_owners(filing):
    alice, client = await filing.party()
    _, carol_client = await filing.party()
    work = (await client.post("/works", json=work_body([(alice, "COMPOSER", "100.00")]))).json()
    disputed = await carol_client.post(
        f"/works/{work['id']}/disputes", json={"reason": "checking", **CLAIM}
    )
    assert disputed.status_code == 200, disputed.text
    examiner = filing.client(uuid.uuid4(), "examiner")
    resolved = await examiner.post(
        f"/works/{work['id']}/dispute-resolution", json={"keep_owners": True, "reason": "unfounded"}
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["rights_holders"] == work["rights_holders"]


async def test_history_records_every_change_with_actor(filing):
    alice, client = await filing.party()
    carol, _ = await filing.party()
    work = (await client.post("/works", json=work_body([(alice, "COMPOSER", "100.00")]))).json()
    await client.post(
        f"/works/{work['id']}/transfers", json={"to_party_id": str(carol), "share": "10.00"}
    )
    # carol now owns a share, so a third party disputes (owners may not: DOMAIN.md).
    dave, dave_client = await filing.party()
    await dave_client.post(f"/works/{work['id']}/disputes", json={"reason": "more", **CLAIM})
    history = await client.get(f"/works/{work['id']}/history")
    assert history.status_code == 200
    entries = history.json()["items"]
    assert [e["action"] for e in entries] == [
        "FILED",
        "REGISTERED",
        "OWNERSHIP_TRANSFERRED",
        "DISPUTED",
    ]
    assert entries[0]["actor_id"] == str(alice)
    assert entries[1]["actor_id"] is None  # automatic examination
    assert entries[3]["actor_id"] == str(dave)
    assert all(e["at"] and e["detail"] for e in entries)

    other = (await client.post("/works", json=work_body([(alice, "COMPOSER", "100.00")]))).json()
    grouped = await client.get(f"/history?work_ids={work['id']},{other['id']},{uuid.uuid4()}")
    items = grouped.json()["items"]
    assert set(items) == {work["id"], other["id"]}
    assert len(items[other["id"]]) == 2
    assert (await client.get(f"/works/{uuid.uuid4()}/history")).status_code == 404


async def test_batch_read_of_works_in_one_call(filing):
    alice, client = await filing.party()
    ids = [
        (await client.post("/works", json=work_body([(alice, "COMPOSER", "100.00")]))).json()["id"]
        for _ in range(3)
    ]
    response = await client.get(f"/works?ids={','.join([ids[2], str(uuid.uuid4()), *ids[:2]])}")
    assert response.status_code == 200
    assert [w["id"] for w in response.json()["items"]] == [ids[2], ids[0], ids[1]]
    too_many = ",".join(str(uuid.uuid4()) for _ in range(501))
    assert (await client.get(f"/works?ids={too_many}")).status_code == 400
    assert (await client.get(f"/works/{ids[0]}")).json()["id"] == ids[0]
    assert (await client.get(f"/works/{uuid.uuid4()}")).status_code == 404


async def test_openapi_is_served(filing):
    spec = (await filing.client(None).get("/openapi.json")).json()
    for path in (
        "/works",
        "/works/search",
        "/works/{work_id}/history",
        "/parties/{party_id}",
        "/history",
        "/works/{work_id}/dispute-resolution",
    ):
        assert path in spec["paths"]


BAD_FILINGS = [
    ({"identifiers": {"iswc": "T-034.524.680-2"}}, "identifiers.iswc"),
    ({"kind": "LITERARY", "identifiers": {"isbn": "9780306406158"}}, "identifiers.isbn"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 301}, "title"),
    ({"kind": "PAINTING"}, "kind"),
    ({"country_of_origin": "XX"}, "country_of_origin"),
    ({"alternate_titles": ["y" * 301]}, "alternate_titles[0]"),
    ({"identifiers": {"ismn": "979-0-2600-0043-8"}}, "identifiers.ismn"),
]


@pytest.mark.parametrize(("override", "field"), BAD_FILINGS)
async def test_bad_filing_is_refused_naming_the_field_and_writes_nothing(filing, override, field):
    alice, client = await filing.party()
    before = await filing.counts()
    body = work_body([(alice, "COMPOSER", "100.00")], **override)
    response = await client.post("/works", json=body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["field"] == field, response.json()
    assert await filing.counts() == before


@pytest.mark.parametrize(
    ("holders", "field", "status"),
    [
        ([("me", "COMPOSER", "60.00"), ("bob", "LYRICIST", "39.99")], "rights_holders", 400),
        ([("me", "COMPOSER", "99.99")], "rights_holders", 400),
        ([("me", "COMPOSER", "100.001")], "rights_holders[0].share", 400),
        (
            [("me", "COMPOSER", "0.00"), ("bob", "LYRICIST", "100.00")],
            "rights_holders[0].share",
            400,
        ),
        ([("me", "SINGER", "100.00")], "rights_holders[0].role", 400),
        ([("me", "COMPOSER", "50.00"), ("me", "COMPOSER", "50.00")], "rights_holders[1].role", 400),
        (
            [("me", "COMPOSER", "50.00"), ("ghost", "LYRICIST", "50.00")],
            "rights_holders[1].party_id",
            400,
        ),
        ([("bob", "COMPOSER", "100.00")], "rights_holders", 403),
        ([], "rights_holders", 400),
    ],
)
async def test_bad_rights_holders_are_refused_naming_the_field_and_write_nothing(
    filing, holders, field, status
):
    alice, client = await filing.party()
    bob, _ = await filing.party()
    ids = {"me": alice, "bob": bob, "ghost": uuid.uuid4()}
    before = await filing.counts()
    body = work_body([(ids[p], role, share) for p, role, share in holders])
    response = await client.post("/works", json=body)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field, response.json()
    assert await filing.counts() == before


async def test_share_as_json_number_is_refused(filing):
    alice, client = await filing.party()
    before = await filing.counts()
    body = work_body([(alice, "COMPOSER", "100.00")])
    body["rights_holders"][0]["share"] = 100.0
    response = await client.post("/works", json=body)
    assert response.status_code == 400 and response.json()["field"] == "rights_holders[0].share"
    assert await filing.counts() == before


async def test_illegal_transition_is_refused_and_writes_nothing(filing):
    alice, client = await filing.party()
    work = (await client.post("/works", json=work_body([(alice, "COMPOSER", "100.00")]))).json()
    examiner = filing.client(uuid.uuid4(), "examiner")
    before = await filing.counts()
    review = await examiner.post(f"/works/{work['id']}/review", json={"decision": "REGISTER"})
    assert review.status_code == 409 and review.json()["field"] == "status"
    resolve = await examiner.post(
        f"/works/{work['id']}/dispute-resolution",
        json={"keep_owners": True, "reason": "nothing to resolve"},
    )
    assert resolve.status_code == 409
    bad_decision = await examiner.post(f"/works/{work['id']}/review", json={"decision": "MAYBE"})
    assert bad_decision.status_code == 400 and bad_decision.json()["field"] == "decision"
    assert await filing.counts() == before


async def test_isbn_identifies_literary_work(filing):
    alice, client = await filing.party()
    isbn = new_isbn()
    work = await client.post(
        "/works",
        json=work_body([(alice, "AUTHOR", "100.00")], kind="LITERARY", identifiers={"isbn": isbn}),
    )
    assert work.status_code == 201 and work.json()["identifiers"]["isbn"] == isbn


async def test_everyone_authenticated_reads_the_public_register(filing):
    """DOMAIN (Access): works, their status, rights holders and shares and identifiers are
    public to every authenticated caller, not only to the work's own parties."""
    alice, client = await filing.party()
    bob, bob_client = await filing.party()
    iswc = new_iswc()
    body = work_body(
        [(alice, "COMPOSER", "70.00"), (bob, "LYRICIST", "30.00")], identifiers={"iswc": iswc}
    )
    filed = await confirm_over_http(
        [bob_client], (await client.post("/works", json=body)).json()["id"])
    stranger = filing.client(uuid.uuid4())  # authenticated, but no party to the work
    single = await stranger.get(f"/works/{filed['id']}")
    batch = await stranger.get(f"/works?ids={filed['id']}")
    history = await stranger.get(f"/works/{filed['id']}/history")
    assert single.status_code == 200, single.text
    work = single.json()
    assert work["status"] == "REGISTERED"
    assert work["identifiers"]["iswc"] == iswc
    assert work["rights_holders"] == [
        {"party_id": str(alice), "role": "COMPOSER", "share": "70.00"},
        {"party_id": str(bob), "role": "LYRICIST", "share": "30.00"},
    ]
    assert batch.json()["items"] == [work]
    assert history.status_code == 200
    assert (await filing.client(None).get(f"/works/{filed['id']}")).status_code == 401


@pytest.mark.parametrize(
    ("kind", "role", "name", "make"),
    [("SOUND_RECORDING", "PRODUCER", "isrc", new_isrc), ("LITERARY", "AUTHOR", "isbn", new_isbn)],
)
async def test_isrc_or_isbn_already_held_by_another_work_rejects_naming_it(
    filing, kind, role, name, make
):
    """DOMAIN: an identifier (any of them, not only the ISWC) already held by another
    registered or pending work -> REJECTED, the reason naming the other work."""
    alice, client = await filing.party()
    bob, bob_client = await filing.party()
    identifier = make()

    async def filed_by(party, party_client):
        body = work_body([(party, role, "100.00")], kind=kind, identifiers={name: identifier})
        return (await party_client.post("/works", json=body)).json()

    first = await filed_by(alice, client)
    assert first["status"] == "REGISTERED", first
    second = await filed_by(bob, bob_client)
    assert second["status"] == "REJECTED", second
    assert first["filing_number"] in second["status_reason"]
    assert second["registration_number"] is None


async def test_examiner_replaces_rights_holders_and_history_records_review_and_resolution(filing):
    """DOMAIN: an examiner resolves a dispute by replacing the rights holders -> REGISTERED;
    every change (incl. the examiner's review and resolution) is in the history: who, when,
    what."""
    alice, client = await filing.party()
    carol, carol_client = await filing.party()
    title = f"Replace {uuid.uuid4().hex[:8]}"
    dup = await filed_twice(client, alice, title)
    assert dup["status"] == "UNDER_REVIEW"
    examiner_id = uuid.uuid4()
    examiner = filing.client(examiner_id, "examiner")
    reviewed = await examiner.post(
        f"/works/{dup['id']}/review", json={"decision": "REGISTER", "reason": "a new version"}
    )
    assert reviewed.status_code == 200, reviewed.text
    await carol_client.post(f"/works/{dup['id']}/disputes", json={"reason": "co-wrote it", **CLAIM})
    replaced = [
        {"party_id": str(alice), "role": "COMPOSER", "share": "50.00"},
        {"party_id": str(carol), "role": "COMPOSER", "share": "50.00"},
    ]
    resolved = await examiner.post(
        f"/works/{dup['id']}/dispute-resolution",
        json={"keep_owners": False, "reason": "split agreed", "rights_holders": replaced},
    )
    assert resolved.status_code == 200, resolved.text
    work = (await client.get(f"/works/{dup['id']}")).json()
    assert work["status"] == "REGISTERED"
    assert sorted(work["rights_holders"], key=lambda h: h["party_id"]) == sorted(
        replaced, key=lambda h: h["party_id"]
    )

    entries = (await client.get(f"/works/{dup['id']}/history")).json()["items"]
    assert [(e["action"], e["actor_id"]) for e in entries] == [
        ("FILED", str(alice)),
        ("REVIEW_REQUESTED", None),
        ("REGISTERED", str(examiner_id)),
        ("DISPUTED", str(carol)),
        ("DISPUTE_RESOLVED", str(examiner_id)),
    ]
    assert all(e["at"] and e["detail"] for e in entries)
