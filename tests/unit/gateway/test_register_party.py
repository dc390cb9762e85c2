"""registerParty: open sign-up that returns a token, writes the public part to filing and the
contact settings to notifications under one party id, and completes on retry."""

from __future__ import annotations

from typing import Any

from runtime.auth import verify_token

REGISTER = """mutation ($i: RegisterPartyInput!) { registerParty(input: $i) {
  party { id name kind country isni } token errors { code message field } } }"""

ALICE = {"name": "Alice Composer", "kind": "PERSON", "country": "TH",
         "email": "alice@example.org", "webhookUrl": "https://alice.example.org/hook",
         "webhookSecret": "s3cret-s3cret-s3cret", "isni": "0000 0001 2146 438X"}


async def test_registration_is_open_and_returns_a_token_for_the_new_party(
    gateway: Any, fake: Any, key_dir: Any
) -> None:
    data = await gateway.data(REGISTER, {"i": ALICE})
    payload = data["registerParty"]
    assert payload["errors"] == []
    party_id = payload["party"]["id"]
    principal = verify_token(payload["token"], (key_dir / "jwt-public.pem").read_bytes())
    assert principal.party_id == party_id and principal.roles == frozenset({"party"})
    me = await gateway.data("{ me { id name } }", token=payload["token"])
    assert me["me"] == {"id": party_id, "name": "Alice Composer"}


async def test_contact_settings_go_to_notifications_only(gateway: Any, fake: Any) -> None:
    data = await gateway.data(REGISTER, {"i": ALICE})
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
    gateway: Any, fake: Any
) -> None:
    key = "client-generated-7f0d6c1e9b"
    fake.outages[("PUT", "/parties/")] = 3  # filing stays down through the internal retries
    first = (await gateway.data(REGISTER, {"i": {**ALICE, "registrationKey": key}}))
    assert first["registerParty"]["party"] is None
    assert [e["code"] for e in first["registerParty"]["errors"]] == ["REGISTRATION_INCOMPLETE"]
    assert len(fake.contacts) == 1 and fake.parties == {}

    second = await gateway.data(REGISTER, {"i": {**ALICE, "registrationKey": key}})
    payload = second["registerParty"]
    assert payload["errors"] == []
    assert list(fake.parties) == list(fake.contacts) == [payload["party"]["id"]]


async def test_a_transient_failure_is_retried_within_the_request(gateway: Any, fake: Any) -> None:
    fake.outages[("PUT", "/contacts/")] = 1
    data = await gateway.data(REGISTER, {"i": ALICE})
    assert data["registerParty"]["errors"] == []
    assert len(fake.parties) == len(fake.contacts) == 1


async def test_two_registrations_without_a_key_are_two_parties(gateway: Any, fake: Any) -> None:
    a = await gateway.data(REGISTER, {"i": ALICE})
    b = await gateway.data(REGISTER, {"i": ALICE})
    assert a["registerParty"]["party"]["id"] != b["registerParty"]["party"]["id"]


async def test_bad_registration_input_names_the_field_and_writes_nothing(
    gateway: Any, fake: Any
) -> None:
    # Each a value wrong for the field it is given in, which the error must name.
    wrong = {"webhookSecret": "short", "isni": "0000000121464381",
             "ipiNameNumber": "00000000198", "country": "ZZ", "email": "not-an-address",
             "webhookUrl": "ftp://x", "registrationKey": "guessable", "name": "  "}
    for field, value in wrong.items():
        data = await gateway.data(REGISTER, {"i": {**ALICE, field: value}})
        assert [e["field"] for e in data["registerParty"]["errors"]] == [field], value
        assert data["registerParty"]["token"] is None
    assert fake.calls == []


def test_party_id_from_a_key_is_stable_and_keys_do_not_collide() -> None:
    from gateway.schema.parties import registration_party_id

    assert registration_party_id("k" * 16) == registration_party_id("k" * 16)
    assert registration_party_id("k" * 16) != registration_party_id("j" * 16)
    assert registration_party_id(None) != registration_party_id(None)


async def test_the_token_cli_mints_a_token_with_the_asked_roles(
    key_dir: Any, capsys: Any, monkeypatch: Any
) -> None:
    from gateway.cli import main

    monkeypatch.setenv("GATEWAY_JWT_PRIVATE_KEY_PATH", str(key_dir / "jwt-private.pem"))
    monkeypatch.setenv("JWT_PUBLIC_KEY_PATH", str(key_dir / "jwt-public.pem"))
    party = "6a0c54a4-7d4b-4a5e-9d64-0a1cbd1c6c11"
    assert main(["token", "--role", "examiner", "--role", "society", "--party", party]) == 0
    token = capsys.readouterr().out.strip()
    principal = verify_token(token, (key_dir / "jwt-public.pem").read_bytes())
    assert principal.party_id == party
    assert principal.roles == frozenset({"examiner", "society"})


def test_the_token_cli_refuses_unknown_roles(capsys: Any) -> None:
    import pytest
    from gateway.cli import main

    with pytest.raises(SystemExit):
        main(["token", "--role", "admin"])
    assert "invalid choice" in capsys.readouterr().err


