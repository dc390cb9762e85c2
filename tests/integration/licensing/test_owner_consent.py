"""Co-owners' consent to exclusive licences, and mandates (DOMAIN.md, "Co-owners' consent to
licences, and mandates"), through the HTTP API against real Postgres and Kafka."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from contracts.enums import Role, WorkStatus
from contracts.topics import (
    LICENCE_AWAITING_OWNERS,
    LICENCE_OFFERED,
    LICENCE_OWNER_CONSENTED,
    LICENCE_REFUSED_BY_OWNERS,
    LICENSING_LICENCES,
    MANDATE_GRANTED,
)
from licensing.owner_consent import lapse_overdue_offers

from contracts import events

from .conftest import THIS_YEAR, Deal, Register, Service, known_work, offer_body, wait_for
from .kafka_reader import read_until


@pytest.fixture
async def shared(service: Service, register: Register) -> Deal:
    """A registered work of two owners who gave each other no mandate, and a licensee."""
    owner = await register.party("Owner")
    co_owner = await register.party("Co-owner")
    licensee = await register.party("Licensee")
    owners = {owner: "60.00", co_owner: "40.00"}
    work_id = await known_work(service, register, owners)
    return Deal(work_id, owner, co_owner, licensee, owners)


async def _post(service: Service, who: uuid.UUID, path: str, body: Any = None) -> Any:
    async with service.client(who) as client:
        return await client.post(path, json=body)


async def _get(service: Service, who: uuid.UUID, path: str, **params: str) -> Any:
    async with service.client(who) as client:
        response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def _offer(service: Service, deal: Deal, **overrides: Any) -> dict[str, Any]:
    response = await _post(service, deal.owner, "/licences", offer_body(deal, **overrides))
    assert response.status_code == 201, response.text
    offered: dict[str, Any] = response.json()
    return offered


async def _consents(service: Service, who: uuid.UUID, licence_id: str) -> dict[str, Any]:
    found = await _get(service, who, "/owner-consents", licence_ids=licence_id)
    return {c["party_id"]: c for c in found["items"].get(licence_id, [])}


async def test_exclusive_offer_waits_for_the_co_owner_then_the_licensee_accepts(
    service: Service, shared: Deal
) -> None:
    offered = await _offer(service, shared)
    lid = offered["id"]
    assert offered["status"] == "AWAITING_OWNERS"
    # Not yet the licensee's to accept.
    early = await _post(service, shared.licensee, f"/licences/{lid}/accept")
    assert early.status_code == 409, early.text
    consents = await _consents(service, shared.licensee, lid)
    assert {p: (c["status"], c["share"]) for p, c in consents.items()} == {
        str(shared.owner): ("OFFEROR", "60.00"),
        str(shared.co_owner): ("PENDING", "40.00"),
    }
    consented = await _post(service, shared.co_owner, f"/licences/{lid}/consent")
    assert consented.status_code == 200, consented.text
    assert consented.json()["status"] == "OFFERED"
    accepted = await _post(service, shared.licensee, f"/licences/{lid}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "ACTIVE"
    assert (await _consents(service, shared.owner, lid))[str(shared.co_owner)]["status"] == (
        "CONSENTED"
    )

    def told(seen: list[Any]) -> bool:
        return LICENCE_OFFERED in [e.type for e in seen if e.subject == lid]

    seen = await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic(LICENSING_LICENCES), told,
    )  # fmt: skip
    mine = [e for e in seen if e.subject == lid]
    assert [e.type for e in mine][:3] == [
        LICENCE_AWAITING_OWNERS, LICENCE_OWNER_CONSENTED, LICENCE_OFFERED
    ]
    asked = mine[0].data
    assert isinstance(asked, events.LicenceAwaitingOwners)
    assert asked.owners_asked == [shared.co_owner]
    assert asked.consent_due > asked.occurred_at + timedelta(days=13)
    consent_event = mine[1].data
    assert isinstance(consent_event, events.LicenceOwnerConsented)
    assert (consent_event.owner_id, consent_event.remaining) == (shared.co_owner, [])


async def test_a_refusal_ends_the_offer_with_its_reason_and_only_the_asked_may_answer(
    service: Service, shared: Deal
) -> None:
    lid = (await _offer(service, shared))["id"]
    for who in (shared.owner, shared.licensee):
        response = await _post(service, who, f"/licences/{lid}/consent")
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "NOT_ASKED_TO_CONSENT"
    blank = await _post(service, shared.co_owner, f"/licences/{lid}/refuse", {"reason": " "})
    assert blank.status_code == 400 and blank.json()["field"] == "reason"
    refused = await _post(
        service, shared.co_owner, f"/licences/{lid}/refuse", {"reason": "too cheap"}
    )
    assert refused.status_code == 200, refused.text
    assert (refused.json()["status"], refused.json()["status_reason"]) == (
        "REFUSED_BY_OWNERS", "too cheap"
    )
    again = await _post(service, shared.co_owner, f"/licences/{lid}/consent")
    assert again.status_code == 409
    assert (await _consents(service, shared.owner, lid))[str(shared.co_owner)]["reason"] == (
        "too cheap"
    )


async def test_non_exclusive_offer_needs_no_co_owner(service: Service, shared: Deal) -> None:
    offered = await _offer(service, shared, exclusive=False)
    assert offered["status"] == "OFFERED"
    assert await _consents(service, shared.owner, offered["id"]) == {}


async def test_mandate_speaks_for_its_grantor_until_revoked(
    service: Service, shared: Deal
) -> None:
    granted = await _post(service, shared.co_owner, "/mandates", {
        "agent_id": str(shared.owner), "work_id": str(shared.work_id), "media": ["SYNC"],
        "valid_from": datetime.now(UTC).date().isoformat(),
    })  # fmt: skip
    assert granted.status_code == 201, granted.text
    mandate = granted.json()
    mine = await _get(service, shared.owner, "/mandates")
    assert [m["id"] for m in mine["items"]] == [mandate["id"]]

    sync = await _offer(service, shared, media=["SYNC"], territories=["LA"])
    assert sync["status"] == "OFFERED"
    by_mandate = (await _consents(service, shared.owner, sync["id"]))[str(shared.co_owner)]
    assert (by_mandate["status"], by_mandate["mandate_id"]) == ("MANDATE", mandate["id"])
    # The mandate covers SYNC only.
    streaming = await _offer(service, shared, media=["SYNC", "STREAMING"], territories=["MM"])
    assert streaming["status"] == "AWAITING_OWNERS"

    path = f"/mandates/{mandate['id']}/revoke"
    assert (await _post(service, shared.owner, path)).status_code == 403  # the agent
    assert (await _post(service, shared.licensee, path)).status_code == 404  # a stranger
    revoked = await _post(service, shared.co_owner, path)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert (await _post(service, shared.co_owner, path)).status_code == 409
    after = await _offer(service, shared, media=["SYNC"], territories=["BN"])
    assert after["status"] == "AWAITING_OWNERS"
    # What the revoked mandate consented to stands.
    assert (await _consents(service, shared.owner, sync["id"]))[str(shared.co_owner)][
        "status"
    ] == "MANDATE"

    def published(seen: list[Any]) -> bool:
        return any(e.type == MANDATE_GRANTED and e.subject == mandate["id"] for e in seen)

    await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic(LICENSING_LICENCES), published,
    )  # fmt: skip


async def test_bad_mandate_is_refused_naming_the_field(service: Service, shared: Deal) -> None:
    today = datetime.now(UTC).date()
    cases = [
        ({"agent_id": str(shared.co_owner)}, "agent_id"),
        ({"agent_id": str(uuid.uuid4())}, "agent_id"),
        ({"media": ["RADIO"]}, "media[0]"),
        ({"valid_until": (today - timedelta(days=1)).isoformat()}, "valid_until"),
    ]
    for overrides, field in cases:
        body = {"agent_id": str(shared.owner), "work_id": str(shared.work_id),
                "valid_from": today.isoformat(), **overrides}
        response = await _post(service, shared.co_owner, "/mandates", body)
        assert response.status_code in (400, 404), (overrides, response.text)
        assert response.json()["field"] == field
    # A licensee owns no share of the work: it cannot give a mandate for it.
    stranger = await _post(service, shared.licensee, "/mandates", {
        "agent_id": str(shared.owner), "work_id": str(shared.work_id),
        "valid_from": today.isoformat(),
    })  # fmt: skip
    assert stranger.status_code == 403 and stranger.json()["field"] == "work_id"
    assert (await _get(service, shared.co_owner, "/mandates"))["items"] == []


async def test_holder_of_none_of_the_licensed_right_is_not_asked(
    service: Service, register: Register
) -> None:
    writer = await register.party("Writer")
    publisher = await register.party("Publisher")
    licensee = await register.party("Licensee")
    work_id = uuid.uuid4()
    holders = [
        events.RightsHolder(party_id=writer, role=Role.COMPOSER, share=Decimal("50.00"),
                            mechanical_share=Decimal("0.00")),
        events.RightsHolder(party_id=publisher, role=Role.PUBLISHER, share=Decimal("50.00"),
                            mechanical_share=Decimal("100.00")),
    ]
    state = register.state(work_id, {writer: "50.00", publisher: "50.00"}, WorkStatus.REGISTERED)
    await register.publish(
        events.WorkRegistered(
            occurred_at=datetime.now(UTC), work=state.model_copy(update={"rights_holders": holders})
        )
    )
    await wait_for(lambda: service.knows_work(work_id))
    deal = Deal(work_id, publisher, writer, licensee, {})
    download = await _offer(service, deal, media=["DOWNLOAD"])
    assert download["status"] == "OFFERED"
    broadcast = await _offer(service, deal, media=["BROADCAST"])
    assert broadcast["status"] == "AWAITING_OWNERS"
    assert (await _consents(service, publisher, broadcast["id"]))[str(writer)]["share"] == "50.00"


async def test_unanswered_offer_lapses_after_the_deadline(
    service: Service, shared: Deal
) -> None:
    lid = (await _offer(service, shared))["id"]
    uow = service.licensing.uow
    # Before the deadline nothing lapses; after it, the offer ends naming who did not answer.
    assert uuid.UUID(lid) not in await _lapsed_ids(service, datetime.now(UTC))
    days = service.settings.owner_consent_days
    await lapse_overdue_offers(uow=uow, now=datetime.now(UTC) + timedelta(days=days, hours=1))
    licence = await _get(service, shared.owner, f"/licences/{lid}")
    assert licence["status"] == "REFUSED_BY_OWNERS"
    assert licence["status_reason"].startswith("owners' consent lapsed")
    assert str(shared.co_owner) in licence["status_reason"]
    late = await _post(service, shared.co_owner, f"/licences/{lid}/consent")
    assert late.status_code == 409

    def lapsed(seen: list[Any]) -> bool:
        return any(e.type == LICENCE_REFUSED_BY_OWNERS and e.subject == lid for e in seen)

    seen = await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic(LICENSING_LICENCES), lapsed,
    )  # fmt: skip
    ended = next(e.data for e in seen if e.type == LICENCE_REFUSED_BY_OWNERS and e.subject == lid)
    assert isinstance(ended, events.LicenceRefusedByOwners) and ended.actor_id is None


async def _lapsed_ids(service: Service, now: datetime) -> list[uuid.UUID]:
    from licensing import repository

    async with service.licensing.sessions() as session:
        return await repository.lapsed_offers(session, now)


async def test_one_owners_consent_and_refusal_at_once_apply_once(
    service: Service, shared: Deal
) -> None:
    lid = (await _offer(service, shared))["id"]
    async with service.client(shared.co_owner) as a, service.client(shared.co_owner) as b:
        responses = await asyncio.gather(
            a.post(f"/licences/{lid}/consent"),
            b.post(f"/licences/{lid}/refuse", json={"reason": "no"}),
        )
    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json()["status"]
    assert (await _get(service, shared.owner, f"/licences/{lid}"))["status"] == winner


async def test_last_consents_at_once_offer_the_licence_exactly_once(
    service: Service, register: Register
) -> None:
    owner, first, second, licensee = [await register.party(n) for n in ("O", "A", "B", "L")]
    work_id = await known_work(
        service, register, {owner: "50.00", first: "25.00", second: "25.00"}
    )
    deal = Deal(work_id, owner, first, licensee, {})
    lid = (await _offer(service, deal))["id"]
    async with service.client(first) as a, service.client(second) as b:
        responses = await asyncio.gather(
            a.post(f"/licences/{lid}/consent"), b.post(f"/licences/{lid}/consent")
        )
    assert [r.status_code for r in responses] == [200, 200]
    assert sorted(r.json()["status"] for r in responses) == ["AWAITING_OWNERS", "OFFERED"]

    def offered(seen: list[Any]) -> bool:
        return any(e.type == LICENCE_OFFERED and e.subject == lid for e in seen)

    seen = await read_until(
        service.settings.platform.kafka_bootstrap_servers,
        service.settings.topic(LICENSING_LICENCES), offered,
    )  # fmt: skip
    assert [e.type for e in seen if e.subject == lid].count(LICENCE_OFFERED) == 1


async def test_consented_conflicting_offers_accepted_at_once_leave_exactly_one_active(
    service: Service, shared: Deal
) -> None:
    overrides = {"territories": ["SG"], "media": ["PRINT"],
                 "start": f"{THIS_YEAR + 30}-01-01", "end": f"{THIS_YEAR + 30}-12-31"}
    offers = [(await _offer(service, shared, **overrides))["id"] for _ in range(2)]
    for lid in offers:
        assert (await _post(service, shared.co_owner, f"/licences/{lid}/consent")).json()[
            "status"
        ] == "OFFERED"
    async with service.client(shared.licensee) as a, service.client(shared.licensee) as b:
        responses = await asyncio.gather(
            a.post(f"/licences/{offers[0]}/accept"), b.post(f"/licences/{offers[1]}/accept")
        )
    assert sorted(r.status_code for r in responses) == [200, 409]


async def test_mandate_granted_again_with_its_key_is_granted_once(
    service: Service, shared: Deal
) -> None:
    body = {"agent_id": str(shared.owner), "valid_from": datetime.now(UTC).date().isoformat()}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    async with service.client(shared.co_owner) as client:
        first = await client.post("/mandates", json=body, headers=key)
        again = await client.post("/mandates", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    held = await _get(service, shared.co_owner, "/mandates")
    assert [m["id"] for m in held["items"]] == [first.json()["id"]]
