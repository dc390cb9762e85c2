"""registerParty: a signed-in account registers its party once; the gateway writes the public
part to filing and the contact settings to notifications under an id derived from the account
(as its own client, role `registrar`), binds the account to it, and completes on retry."""

from __future__ import annotations

from typing import Any

from .gateway_client import codes

REGISTER = """mutation ($i: RegisterPartyInput!) { registerParty(input: $i) {
  party { id name kind country isni } errors { code message field } } }"""

ALICE = {"name": "Alice Composer", "kind": "PERSON", "country": "TH",
         "email": "alice@example.org", "webhookUrl": "https://alice.example.org/hook",
         "webhookSecret": "s3cret-s3cret-s3cret", "isni": "0000 0001 2146 438X"}


async def test_a_signed_in_account_registers_its_party_and_its_next_token_acts_for_it(
    gateway: Any, fake: Any, idp: Any
) -> None:
    subject, token = idp.account()
    payload = (await gateway.data(REGISTER, {"i": ALICE}, token=token))["registerParty"]
    assert payload["errors"] == []
    party_id = payload["party"]["id"]
    assert idp.users[subject]["attributes"]["party_id"] == [party_id]
    assert (await gateway.data("{ me { id } }", token=token))["me"] is None
    me = await gateway.data("{ me { id name } }", token=idp.refreshed(subject))
    assert me["me"] == {"id": party_id, "name": "Alice Composer"}


async def test_registration_needs_a_signed_in_account(gateway: Any) -> None:
    result = await gateway.refused(REGISTER, {"i": ALICE})
    assert codes(result) == ["UNAUTHENTICATED"]


async def test_contact_settings_go_to_notifications_only(
    gateway: Any, fake: Any, idp: Any
) -> None:
    _, token = idp.account()
    data = await gateway.data(REGISTER, {"i": ALICE}, token=token)
    party_id = data["registerParty"]["party"]["id"]
    assert fake.contacts[party_id] == {"email": "alice@example.org",
                                       "webhook_url": "https://alice.example.org/hook",
                                       "webhook_secret": "s3cret-s3cret-s3cret"}
    filing_bodies = [b for (host, method, _), b in zip(fake.calls, fake.bodies, strict=True)
                     if host == "filing" and method == "PUT"]
    assert filing_bodies and all("email" not in b and "webhook_secret" not in b
                                 and "webhook_url" not in b for b in filing_bodies)
    assert "s3cret" not in str(data)


async def test_a_retry_after_a_partial_failure_completes_the_same_registration(
    gateway: Any, fake: Any, idp: Any
) -> None:
    subject, token = idp.account()
    fake.outages[("PUT", "/parties/")] = 3  # filing stays down through the internal retries
    first = await gateway.data(REGISTER, {"i": ALICE}, token=token)
    assert first["registerParty"]["party"] is None
    assert [e["code"] for e in first["registerParty"]["errors"]] == ["REGISTRATION_INCOMPLETE"]
    assert len(fake.contacts) == 1 and fake.parties == {}
    assert "party_id" not in idp.users[subject]["attributes"]

    second = await gateway.data(REGISTER, {"i": ALICE}, token=token)
    payload = second["registerParty"]
    assert payload["errors"] == []
    assert list(fake.parties) == list(fake.contacts) == [payload["party"]["id"]]
    assert idp.users[subject]["attributes"]["party_id"] == [payload["party"]["id"]]


async def test_a_transient_failure_is_retried_within_the_request(
    gateway: Any, fake: Any, idp: Any
) -> None:
    fake.outages[("PUT", "/contacts/")] = 1
    data = await gateway.data(REGISTER, {"i": ALICE}, token=idp.account()[1])
    assert data["registerParty"]["errors"] == []
    assert len(fake.parties) == len(fake.contacts) == 1


async def test_two_accounts_get_two_parties_and_one_account_always_the_same(
    gateway: Any, fake: Any, idp: Any
) -> None:
    subject, token = idp.account()
    a = await gateway.data(REGISTER, {"i": ALICE}, token=token)
    again = await gateway.data(REGISTER, {"i": ALICE}, token=idp.refreshed(subject))
    b = await gateway.data(REGISTER, {"i": ALICE}, token=idp.account()[1])
    assert a["registerParty"]["party"]["id"] == again["registerParty"]["party"]["id"]
    assert a["registerParty"]["party"]["id"] != b["registerParty"]["party"]["id"]
    assert len(fake.parties) == 2


async def test_a_party_bound_to_one_account_is_out_of_reach_of_every_other(
    gateway: Any, fake: Any, idp: Any
) -> None:
    """The takeover of issue 14: re-registering someone else's party. An account can only ever
    register the party derived from itself, so the victim's record and contacts stay."""
    victim_subject, victim_token = idp.account()
    victim = (await gateway.data(REGISTER, {"i": ALICE}, token=victim_token))["registerParty"]
    victim_id = victim["party"]["id"]
    _, attacker_token = idp.account()
    attack = {**ALICE, "name": "Mallory", "email": "mallory@example.org"}
    mine = (await gateway.data(REGISTER, {"i": attack}, token=attacker_token))["registerParty"]
    assert mine["party"]["id"] != victim_id
    assert fake.parties[victim_id]["name"] == "Alice Composer"
    assert fake.contacts[victim_id]["email"] == "alice@example.org"
    assert idp.users[victim_subject]["attributes"]["party_id"] == [victim_id]


async def test_bad_registration_input_names_the_field_and_writes_nothing(
    gateway: Any, fake: Any, idp: Any
) -> None:
    # Each a value wrong for the field it is given in, which the error must name.
    wrong = {"webhookSecret": "short", "isni": "0000000121464381",
             "ipiNameNumber": "00000000198", "country": "ZZ", "email": "not-an-address",
             "webhookUrl": "ftp://x", "name": "  "}
    subject, token = idp.account()
    for field, value in wrong.items():
        data = await gateway.data(REGISTER, {"i": {**ALICE, field: value}}, token=token)
        assert [e["field"] for e in data["registerParty"]["errors"]] == [field], value
        assert data["registerParty"]["party"] is None
    assert fake.calls == []
    assert idp.users[subject]["attributes"] == {}


def test_the_party_id_derived_from_an_account_is_stable_and_accounts_do_not_collide() -> None:
    from gateway.schema.parties import account_party_id

    assert account_party_id("a1") == account_party_id("a1")
    assert account_party_id("a1") != account_party_id("a2")


async def test_an_account_already_in_a_party_gets_that_party_even_with_a_stale_token(
    gateway: Any, fake: Any, idp: Any
) -> None:
    """A member just added to an organisation still holds a token without the party: its
    registration answers the organisation, and never moves it out into a party of its own."""
    _, admin_token = idp.account()
    organisation = (await gateway.data(
        REGISTER, {"i": {**ALICE, "kind": "ORGANIZATION", "name": "Label"}},
        token=admin_token))["registerParty"]["party"]["id"]
    member_subject, stale = idp.account()
    idp.users[member_subject]["attributes"] = {"party_id": [organisation],
                                               "party_role": ["member"]}
    payload = (await gateway.data(REGISTER, {"i": ALICE}, token=stale))["registerParty"]
    assert payload["errors"] == [] and payload["party"]["id"] == organisation
    assert idp.users[member_subject]["attributes"]["party_role"] == ["member"]
    assert len(fake.parties) == 1
