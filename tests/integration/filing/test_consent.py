"""Co-owners' consent to a filing over HTTP, against the real database and broker (DOMAIN.md,
"Co-owners' consent to a filing"): the filing waits, each co-owner answers as itself, the
last confirmation registers it, a rejection or a lapsed deadline returns it to the filer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from contracts.envelope import decode
from contracts.events import (
    WorkConsentGiven,
    WorkConsentRequested,
    WorkFiled,
    WorkHoldingRejected,
    WorkRegistered,
    WorkReturned,
)
from sqlalchemy import text

from tests.co_owners import confirm_over_http

from .conftest import new_iswc, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="session")


def co_owned(filer: uuid.UUID, *others: uuid.UUID, **extra: Any) -> dict[str, Any]:
    """A musical work: the filer composes 50, each other party holds an equal part of 50."""
    part = f"{50 / len(others):.2f}"
    return {
        "title": f"Duet {uuid.uuid4().hex[:8]}",
        "kind": "MUSICAL_WORK",
        "country_of_origin": "TH",
        "rights_holders": [
            {"party_id": str(filer), "role": "COMPOSER", "share": "50.00"},
            *({"party_id": str(o), "role": "LYRICIST", "share": part} for o in others),
        ],
        **extra,
    }


def work_events(records: list[Any]) -> list[Any]:
    return [decode(r.value, r.headers, key=r.key).data for r in records]


async def test_a_co_owned_filing_waits_and_registers_once_every_co_owner_confirms(
    filing, topics
):
    alice, alice_client = await filing.party("Alice")
    bob, bob_client = await filing.party("Bob")
    cara, cara_client = await filing.party("Cara")
    before = datetime.now(UTC)
    filed = await alice_client.post("/works", json=co_owned(alice, bob, cara))
    assert filed.status_code == 201, filed.text
    work = filed.json()
    assert work["status"] == "AWAITING_CONSENT" and work["registration_number"] is None
    assert [(c["party_id"], c["role"], c["share"], c["status"]) for c in work["consents"]] == [
        (str(bob), "LYRICIST", "25.00", "PENDING"),
        (str(cara), "LYRICIST", "25.00", "PENDING"),
    ]
    deadline = datetime.fromisoformat(work["consent_deadline"])
    assert before + timedelta(days=14) <= deadline <= datetime.now(UTC) + timedelta(days=14)

    # Each co-owner sees the request in its own list; the filer has nothing to answer.
    asked = (await bob_client.get("/consent-requests")).json()["items"]
    assert work["id"] in [w["id"] for w in asked]
    assert work["id"] not in [
        w["id"] for w in (await alice_client.get("/consent-requests")).json()["items"]
    ]

    half = await confirm_over_http([bob_client], work["id"])
    assert half["status"] == "AWAITING_CONSENT"
    assert work["id"] not in [
        w["id"] for w in (await bob_client.get("/consent-requests")).json()["items"]
    ]
    done = await confirm_over_http([cara_client], work["id"])
    assert done["status"] == "REGISTERED" and done["registration_number"].startswith("R-")
    assert {c["status"] for c in done["consents"]} == {"CONFIRMED"}

    published = work_events(await topics.wait_for_key(work["id"], 5))
    assert [type(e) for e in published] == [
        WorkFiled, WorkConsentRequested, WorkConsentGiven, WorkConsentGiven, WorkRegistered,
    ]
    assert [e.version for e in published] == [1, 2, 3, 4, 5]
    assert published[1].asked == [bob, cara] and published[1].deadline == deadline
    assert [published[2].party_id, published[3].party_id] == [bob, cara]
    history = (await alice_client.get(f"/works/{work['id']}/history")).json()["items"]
    assert [h["action"] for h in history] == [
        "FILED", "CONSENT_REQUESTED", "CONSENT_GIVEN", "CONSENT_GIVEN", "REGISTERED",
    ]


async def test_a_rejection_returns_the_filing_with_the_reason_and_frees_its_identifiers(
    filing, topics
):
    alice, alice_client = await filing.party("Alice")
    bob, bob_client = await filing.party("Bob")
    iswc = new_iswc()
    work = (await alice_client.post(
        "/works", json=co_owned(alice, bob, identifiers={"iswc": iswc}))).json()

    # While it waits it holds its ISWC: another filing of it is rejected naming it.
    rival, rival_client = await filing.party("Rival")
    clash = (await rival_client.post("/works", json={
        **co_owned(rival, bob, identifiers={"iswc": iswc})})).json()
    assert clash["status"] == "REJECTED" and work["filing_number"] in clash["status_reason"]

    refused = await bob_client.post(f"/works/{work['id']}/consent-rejection", json={})
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    rejected = await bob_client.post(
        f"/works/{work['id']}/consent-rejection", json={"reason": "I never wrote these words"})
    assert rejected.status_code == 200, rejected.text
    returned = rejected.json()
    assert returned["status"] == "RETURNED"
    assert str(bob) in returned["status_reason"]
    assert "I never wrote these words" in returned["status_reason"]
    published = work_events(await topics.wait_for_key(work["id"], 4))
    assert [type(e) for e in published][2:] == [WorkHoldingRejected, WorkReturned]
    assert published[3].reason == returned["status_reason"]

    # Returned is final, and the identifier is free again.
    late = await bob_client.post(f"/works/{work['id']}/consent", json={})
    assert late.status_code == 409
    again = (await alice_client.post("/works", json={
        **co_owned(alice, bob, identifiers={"iswc": iswc})})).json()
    assert again["status"] == "AWAITING_CONSENT"


async def test_only_a_party_asked_answers_and_a_refused_answer_changes_nothing(filing):
    alice, alice_client = await filing.party("Alice")
    bob, bob_client = await filing.party("Bob")
    _, stranger_client = await filing.party("Stranger")
    work = (await alice_client.post("/works", json=co_owned(alice, bob))).json()
    before = await filing.counts()
    for client in (alice_client, stranger_client):
        answer = await client.post(f"/works/{work['id']}/consent", json={})
        assert answer.status_code == 403 and answer.json()["code"] == "NOT_ASKED"
    await confirm_over_http([bob_client], work["id"])
    twice = await bob_client.post(f"/works/{work['id']}/consent", json={})
    assert twice.status_code == 409  # registered now: no answer is taken any more
    after = await filing.counts()
    assert after["work_history"] == before["work_history"] + 2  # the consent, the registration


async def test_a_filing_still_unanswered_at_its_deadline_is_returned(filing, topics):
    alice, alice_client = await filing.party("Alice")
    bob, _ = await filing.party("Bob")
    work = (await alice_client.post("/works", json=co_owned(alice, bob))).json()
    # The deadline moved into the past on the database's clock (the job judges by it).
    async with filing.sessions() as session:
        await session.exec(text(
            "UPDATE work SET consent_deadline = now() - interval '1 second' WHERE id = :id"
        ).bindparams(id=uuid.UUID(work["id"])))
        await session.commit()

    async def returned() -> dict[str, Any] | None:
        found: dict[str, Any] = (await alice_client.get(f"/works/{work['id']}")).json()
        return found if found["status"] == "RETURNED" else None

    found = await wait_for(returned)
    assert found["status_reason"] == f"consent deadline passed: no answer from {bob}"
    last = work_events(await topics.wait_for_key(work["id"], 3))[-1]
    assert isinstance(last, WorkReturned) and last.actor_id is None
