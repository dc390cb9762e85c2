"""One deal end to end, as users meet it: creators file (one work goes to review, one is
disputed and resolved, shares are transferred), an owner offers a licence, a conflicting offer
is refused, the licensee accepts and reports usage, the statement splits the money, and every
party hears of it by inbox, email and signed webhook; a society reads it all on Kafka.
Driven only through GraphQL and Kafka, against the platform started as `make run` starts it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiokafka import AIOKafkaConsumer
from devstack.polling import eventually
from runtime.kafka_security import SOCIETY, client_security
from runtime.settings import PlatformSettings

from tests.co_owners import confirm_over_graphql

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "schemas"
WEBHOOK_SECRET = "e2e-webhook-secret-0123456789"

FILE = """mutation($input: FileWorkInput!) {
  fileWork(input: $input) {
    work { id status filingNumber registrationNumber rightsHolders { party { id } role share } }
    errors { code message field } } }"""
DECIDE = """mutation($id: ID!, $reason: String) {
  decideReview(workId: $id, decision: REGISTER, reason: $reason) {
    work { id status registrationNumber } errors { code message field } } }"""
DISPUTE = """mutation($id: ID!) {
  disputeWork(workId: $id, reason: "I co-wrote the bridge", claimedRole: COMPOSER,
    claimedShare: "25.00") { work { id status } errors { code message field } } }"""
RESOLVE = """mutation($input: ResolveDisputeInput!) {
  resolveDispute(input: $input) { work { id status } errors { code message field } } }"""
TRANSFER = """mutation($input: TransferShareInput!) {
  transferShare(input: $input) { work { id rightsHolders { party { id } role share } }
    errors { code message field } } }"""
OFFER = """mutation($input: OfferLicenceInput!) {
  offerLicence(input: $input) { licence { id status terms { territories } } errors { code message field } } }"""
CONSENT = """mutation($id: ID!) {
  consentToLicence(licenceId: $id) { licence { id status } errors { code message field } } }"""
ACCEPT = """mutation($id: ID!) {
  acceptLicence(licenceId: $id) { licence { id status } errors { code message field } } }"""
USAGE = """mutation($input: ReportUsageInput!) {
  reportUsage(input: $input) {
    report { id periodStart periodEnd units grossRevenue }
    statement { id gross royalty recouped payable currency lines { party { id } share amount } }
    errors { code message field } } }"""
INBOX = """query { notifications(first: 50) { totalCount edges { node {
  id eventType subjectId message readAt deliveries { channel status attempts } } } } }"""
TIMELINE = (
    """query($id: ID!) { licence(id: $id) { id status timeline { at source type summary } } }"""
)


async def mutate(
    platform: Any, query: str, variables: dict[str, Any], token: str | None, field: str
) -> dict[str, Any]:
    data = await platform.gql(query, variables, token)
    payload: dict[str, Any] = data[field]
    assert payload["errors"] == [], payload["errors"]
    return payload


async def register(platform: Any, name: str, country: str, **extra: Any) -> tuple[str, Any]:
    """A person signs up: (their party's id, the person, whose `.token` acts for it)."""
    person = await platform.sign_up(name, country, **extra)
    return person.party_id, person


async def test_the_whole_deal(platform: Any) -> None:
    webhooks = platform.webhooks
    suda, suda_as = await register(
        platform,
        "Suda Chaiyaporn",
        "TH",
        email="suda@example.org",
        webhookUrl=webhooks.url,
        webhookSecret=WEBHOOK_SECRET,
    )
    minh, minh_as = await register(platform, "Trần Văn Minh", "VN", email="minh@example.org")
    label, label_as = await register(
        platform, "Irrawaddy Streaming", "MM", email="deals@irrawaddy.example.org"
    )
    rival, _ = await register(platform, "Rival Radio", "SG")
    _, other_as = await register(platform, "Lao Sound Collective", "LA")
    examiner = platform.token(str(uuid.uuid4()), "examiner")

    # File: co-owned 60/40, registered at once.
    holders = [
        {"partyId": suda, "role": "COMPOSER", "share": "60.00"},
        {"partyId": minh, "role": "LYRICIST", "share": "40.00"},
    ]
    work = (
        await mutate(
            platform,
            FILE,
            {
                "input": {
                    "title": "Mưa Trên Sông Hàn",
                    "kind": "MUSICAL_WORK",
                    "countryOfOrigin": "VN",
                    "identifiers": {"iswc": "T-034.524.680-1"},
                    "rightsHolders": holders,
                }
            },
            suda_as.token,
            "fileWork",
        )
    )["work"]
    # Co-owners' consent (DOMAIN.md): the co-owner confirms its holding, then it registers.
    assert work["status"] == "AWAITING_CONSENT"
    work = await confirm_over_graphql(platform.gql, work["id"], [minh_as.token])
    assert work["status"] == "REGISTERED"
    assert work["registrationNumber"].startswith("R-")

    # Review: the same title (differently written) with a holder in common is a likely duplicate.
    twin = (
        await mutate(
            platform,
            FILE,
            {
                "input": {
                    "title": "  mưa trên sông hàn!! ",
                    "kind": "SOUND_RECORDING",
                    "countryOfOrigin": "VN",
                    "rightsHolders": [{"partyId": minh, "role": "PERFORMER", "share": "100"}],
                }
            },
            minh_as.token,
            "fileWork",
        )
    )["work"]
    assert twin["status"] == "UNDER_REVIEW"
    decided = (
        await mutate(
            platform,
            DECIDE,
            {"id": twin["id"], "reason": "a recording, not a copy"},
            examiner,
            "decideReview",
        )
    )["work"]
    assert decided["status"] == "REGISTERED"

    # Dispute and resolution (keep the owners).
    disputed = (await mutate(platform, DISPUTE, {"id": work["id"]}, other_as.token, "disputeWork"))[
        "work"
    ]
    assert disputed["status"] == "DISPUTED"
    resolved = (
        await mutate(
            platform,
            RESOLVE,
            {
                "input": {
                    "workId": work["id"],
                    "keepOwners": True,
                    "reason": "no evidence of co-writing",
                }
            },
            examiner,
            "resolveDispute",
        )
    )["work"]
    assert resolved["status"] == "REGISTERED"

    # Transfer: Suda moves 10.00 to Minh: 50/50.
    moved = (
        await mutate(
            platform,
            TRANSFER,
            {"input": {"workId": work["id"], "toPartyId": minh, "share": "10.00"}},
            suda_as.token,
            "transferShare",
        )
    )["work"]
    shares = {(h["party"]["id"], h["role"]): Decimal(h["share"]) for h in moved["rightsHolders"]}
    assert sum(shares.values()) == Decimal("100.00")
    assert shares[(suda, "COMPOSER")] == Decimal("50.00")

    # Offer (right after the filing service's writes) and acceptance: a licence that began
    # four months ago and runs eight more, so its first quarter is over and it is in force.
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=120), today + timedelta(days=240)
    quarter_end = start + timedelta(days=89)
    terms = {
        "workId": work["id"],
        "territories": ["ASEAN"],
        "media": ["STREAMING"],
        "exclusive": True,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "royaltyRate": "10.00",
        "advance": "100.00",
        "currency": "THB",
    }
    licence = (
        await mutate(
            platform, OFFER, {"input": {**terms, "licenseeId": label}}, suda_as.token, "offerLicence"
        )
    )["licence"]
    # Exclusive, and Minh co-owns the work: the offer waits for his consent before Irrawaddy
    # may accept it (DOMAIN.md, "Co-owners' consent to licences, and mandates").
    assert licence["status"] == "AWAITING_OWNERS"
    assert "TL" in licence["terms"]["territories"] and len(licence["terms"]["territories"]) == 11
    consented = (
        await mutate(platform, CONSENT, {"id": licence["id"]}, minh_as.token, "consentToLicence")
    )["licence"]
    assert consented["status"] == "OFFERED"
    accepted = (
        await mutate(platform, ACCEPT, {"id": licence["id"]}, label_as.token, "acceptLicence")
    )["licence"]
    assert accepted["status"] == "ACTIVE"

    # Conflict: another exclusive offer over Thailand streaming in the same period is refused.
    refused = (
        await platform.gql(
            OFFER, {"input": {**terms, "territories": ["TH"], "licenseeId": rival}}, minh_as.token
        )
    )["offerLicence"]
    assert refused["licence"] is None
    assert refused["errors"] and refused["errors"][0]["code"] == "LICENCE_CONFLICT"
    assert licence["id"] in refused["errors"][0]["message"]

    # Usage: 5,000.00 gross at 10 % = 500.00, advance 100.00 recouped first, 400.00 split by the
    # shares at the end of the period (a month ago, before the work was even registered: the
    # first registered shares, 60/40, not today's transfer; DOMAIN.md, Usage and royalties).
    result = await mutate(
        platform,
        USAGE,
        {
            "input": {
                "licenceId": licence["id"],
                "periodStart": start.isoformat(),
                "periodEnd": quarter_end.isoformat(),
                "units": 12000,
                "grossRevenue": "5000.00",
            }
        },
        label_as.token,
        "reportUsage",
    )
    statement = result["statement"]
    assert (statement["royalty"], statement["recouped"], statement["payable"]) == (
        "500.00",
        "100.00",
        "400.00",
    )
    split = {line["party"]["id"]: line["amount"] for line in statement["lines"]}
    assert split == {suda: "240.00", minh: "160.00"}

    # Notifications: Suda's inbox, her email and her signed webhook.
    async def suda_inbox() -> list[dict[str, Any]] | None:
        data = await platform.gql(INBOX, {}, suda_as.token)
        nodes = [e["node"] for e in data["notifications"]["edges"]]
        types = {n["eventType"] for n in nodes}
        wanted = {"work.registered", "licence.activated", "royalty.statement_issued"}
        return nodes if all(any(w in t for t in types) for w in wanted) else None

    inbox = await eventually(
        suda_inbox, timeout=60, what="Suda's inbox to hold her work, licence and statement"
    )
    assert all(n["readAt"] is None for n in inbox)

    async def statement_mail() -> list[str]:
        return [
            m for m in platform.mail() if "To: suda@example.org" in m and "statement" in m.lower()
        ]

    mails = await eventually(statement_mail, timeout=60, what="the statement email to Suda")
    assert "minh@example.org" not in mails[0]  # one recipient per message: no address leaks

    hook = await webhooks.wait_for(lambda r: b"statement" in r["body"])
    stamp = hook["headers"]["x-rights-timestamp"]
    expected = hmac.new(
        WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + hook["body"], hashlib.sha256
    ).hexdigest()
    assert hook["headers"]["x-rights-signature"] == f"sha256={expected}"
    assert abs(int(stamp) - time.time()) < 300

    # The deal timeline, end to end.
    timeline = (await platform.gql(TIMELINE, {"id": licence["id"]}, suda_as.token))["licence"][
        "timeline"
    ]
    sources = {entry["source"] for entry in timeline}
    assert {"filing", "licensing"} <= sources
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)

    # A society reads the statement from Kafka with nothing but the published schema and
    # its own read-only credential, in a group of its own name.
    topic = f"{platform.config.topic_prefix}licensing.royalties.v1"
    record = await read_record(
        topic,
        f"{platform.config.topic_prefix}{SOCIETY}.{uuid.uuid4().hex}",
        lambda r: (
            dict(r.headers).get("ce_subject") == licence["id"].encode()
            and dict(r.headers)["ce_type"].endswith(b"statement_issued.v1")
        ),
    )
    headers = dict(record.headers)
    schema = json.loads((SCHEMAS / f"{headers['ce_type'].decode()}.json").read_text())
    jsonschema.validate(json.loads(record.value), schema)
    assert b"@" not in record.value  # no contact detail on the wire


async def read_record(
    topic: str, group: str, predicate: Callable[[Any], bool], timeout: float = 60
) -> Any:
    settings = PlatformSettings()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        **client_security(settings, SOCIETY),
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    if predicate(record):
                        return record
        raise AssertionError(f"no matching record on {topic}")
    finally:
        await consumer.stop()
