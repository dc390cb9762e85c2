"""`rights users …` and `rights clients …` at the real identity provider, and a society's
consumer made by `clients create-society`: its client gets a token with the society's roles
and party, its Kafka login reads the event topics (`rights tail`) and nothing else, and
`revoke-society` takes both away."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime

import httpx
import pytest
import typer
from contracts.envelope import encode
from contracts.events import PartyRegistered, PartyState
from contracts.topics import FILING_PARTIES, LICENSING_LICENCES, dlq
from devstack.identity import Identities, SignInRefused, sign_in
from devstack.kafka_access import admin_login
from rights_ops.events import Login, tail_events
from runtime.identity import IdentityVerifier
from runtime.kafka import reliable_producer
from runtime.settings import PlatformSettings

from .conftest import Rights

pytestmark = [pytest.mark.asyncio(loop_scope="session")]


async def test_an_account_is_created_listed_and_disabled(
    rights: Rights, identities: Identities
) -> None:
    username = f"{identities.prefix}-ops-{uuid.uuid4().hex[:6]}"
    created = await rights("users", "create", username, "--email", f"{username}@example.org",
                           "--role", "examiner", "--json")
    assert created.exit_code == 0, created.output
    made = json.loads(created.output)
    roles = identities.admin.realm_roles_of(made["id"])
    assert {"examiner", "party"} <= roles

    listed = await rights("users", "list", "--search", username, "--json")
    [row] = json.loads(listed.output)
    assert row == {"id": made["id"], "username": username, "email": f"{username}@example.org",
                   "enabled": True, "email_verified": True}

    again = await rights("users", "create", username, "--email", "x@example.org")
    assert again.exit_code == 2 and "exists" in again.output

    disabled = await rights("users", "disable", username)
    assert disabled.exit_code == 0, disabled.output
    [row] = json.loads((await rights("users", "list", "--search", username, "--json")).output)
    assert row["enabled"] is False
    with pytest.raises(SignInRefused):  # the provider's own answer: this account may not sign in
        sign_in(username, made["temporary_password"], config=identities.config)


async def test_an_unknown_role_is_refused_and_nothing_is_created(
    rights: Rights, identities: Identities
) -> None:
    username = f"{identities.prefix}-ops-{uuid.uuid4().hex[:6]}"
    refused = await rights("users", "create", username, "--email", "a@example.org",
                           "--role", "superuser")
    assert refused.exit_code == 2 and "--role" in refused.output
    assert identities.admin.user_by_username(username) is None


async def client_credentials(identities: Identities, society: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(identities.config.token_url, data={
            "grant_type": "client_credentials", "client_id": society["client_id"],
            "client_secret": society["client_secret"]})


async def _publish_party(name: str) -> str:
    event = PartyRegistered(
        occurred_at=datetime.now(UTC),
        party=PartyState(id=uuid.uuid4(), name=name, kind="ORGANIZATION", country="MY"),
    )
    record = encode(event, event_id=uuid.uuid4())
    producer = reliable_producer(PlatformSettings().kafka_bootstrap_servers, **admin_login())
    await producer.start()
    try:
        await producer.send_and_wait(PlatformSettings().topic(FILING_PARTIES), value=record.value,
                                     key=record.key, headers=record.headers)
    finally:
        await producer.stop()
    return dict(record.headers)["ce_id"].decode()


async def test_a_society_consumer_gets_a_token_and_reads_the_events_until_revoked(
    rights: Rights, identities: Identities, caplog: pytest.LogCaptureFixture
) -> None:
    name = f"{identities.prefix}-soc{uuid.uuid4().hex[:4]}".lower()
    party = uuid.uuid4()
    created = await rights("clients", "create-society", name, "--party", str(party), "--json")
    assert created.exit_code == 0, created.output
    society = json.loads(created.output)
    try:
        # The identity provider's token for the new client carries the society's party and roles.
        answer = await client_credentials(identities, society)
        assert answer.status_code == 200, answer.text
        caller = await IdentityVerifier().verify_async(answer.json()["access_token"])
        assert caller.party_id == str(party)
        assert {"party", "society"} <= caller.roles
        listed = json.loads((await rights("clients", "list", "--search", name, "--json")).output)
        assert [c["client_id"] for c in listed] == [society["client_id"]]

        event_id = await _publish_party("Persatuan Hak Cipta")
        tailed = await rights(
            "tail", "--topic", FILING_PARTIES, "--from-beginning", "--idle-seconds", "3",
            "--json", env={"SOCIETY_KAFKA_USERNAME": society["kafka_username"],
                           "SOCIETY_KAFKA_PASSWORD": society["kafka_password"]})
        assert tailed.exit_code == 0, tailed.output
        rows = [json.loads(line) for line in tailed.output.splitlines() if line.startswith("{")]
        [mine] = [r for r in rows if r.get("id") == event_id]
        assert mine["type"] == "org.aseanip.filing.party.registered.v1"
        assert mine["data"]["party"]["name"] == "Persatuan Hak Cipta"
        assert mine["topic"] == FILING_PARTIES

        # Its grants stop at the event topics: the broker does not even show it a DLQ.
        settings = PlatformSettings()
        login = Login(society["kafka_username"], society["kafka_password"])
        with pytest.raises(typer.BadParameter, match="not readable"):
            await tail_events(settings, login.client_arguments(settings),
                              [settings.topic(dlq("licensing"))], from_beginning=True,
                              group=None, max_events=1, idle_seconds=1, show=lambda _: None)
    finally:
        revoked = await rights("clients", "revoke-society", name)
    assert revoked.exit_code == 0, revoked.output
    answer = await client_credentials(identities, society)
    assert answer.status_code in (400, 401)
    # The broker now refuses the society's login (its own words, in aiokafka's log).
    with caplog.at_level(logging.ERROR, logger="aiokafka"):
        refused = await rights(
            "tail", "--topic", LICENSING_LICENCES, "--max-events", "1",
            env={"SOCIETY_KAFKA_USERNAME": society["kafka_username"],
                 "SOCIETY_KAFKA_PASSWORD": society["kafka_password"]})
    assert refused.exit_code == 1 and "no Kafka session" in refused.output
    assert "SaslAuthenticationFailed" in caplog.text
