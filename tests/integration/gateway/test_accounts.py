"""Accounts against the real identity provider (Keycloak), the gateway and the services:
issue 14's takeover fails at its first step, a party is its registering account's for good,
and an organisation's admin adds and removes members whose tokens follow (DOMAIN.md, "Accounts
and members")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from devstack.identity import Identities, TokenRefused
from runtime.identity import IdentityVerifier

from .served import REGISTER, Gateway

pytestmark = pytest.mark.slow

ME = "{ me { id name } }"
ADD = """mutation ($e: String!, $r: PartyMemberRole!) { addPartyMember(email: $e, role: $r) {
  members { accountId username role } errors { code message field } } }"""
REMOVE = """mutation ($a: ID!) { removePartyMember(accountId: $a) {
  members { accountId role } errors { code message field } } }"""


async def _data(gw: Gateway, query: str, variables: dict[str, Any] | None, token: str | None
                ) -> dict[str, Any]:
    body = (await gw.post(query, variables, token)).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_the_takeover_of_issue_14_fails_at_its_first_step(
    identities: Identities, gateway: Callable[..., Any]
) -> None:
    """Before: re-registering with the victim's guessable key returned a token for the
    victim's party. Now there is no key: anonymous registration is refused, and an attacker's
    own account only ever reaches a party of its own."""
    async with gateway() as gw:
        victim = await identities.sign_up(
            lambda q, v, t: _data(gw, q, v, t),
            {"name": "Victim Composer", "kind": "PERSON", "country": "TH",
             "email": "victim@example.org"},
        )
        # 1. Without a sign-in, nothing happens (and no service is called).
        gw.calls.clear()
        anonymous = (await gw.post(REGISTER, {"i": {"name": "Victim Composer", "kind": "PERSON",
                                                    "country": "TH"}})).json()
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert gw.calls == []
        # 2. Signed in as itself, the attacker gets its own party, never the victim's.
        attacker_account = await asyncio.to_thread(identities.create_account, name="mallory")
        tokens = await asyncio.to_thread(identities.sign_in, attacker_account)
        attack = {"name": "Victim Composer", "kind": "PERSON", "country": "TH",
                  "email": "mallory@example.org"}
        taken = (await _data(gw, REGISTER, {"i": attack}, tokens.access_token))["registerParty"]
        assert taken["errors"] == [] and taken["party"]["id"] != victim.party_id
        # 3. The attacker's refreshed token acts for its own party only.
        refreshed = await asyncio.to_thread(identities.refresh, tokens.refresh_token)
        caller = IdentityVerifier().verify(refreshed.access_token)
        assert caller.party_id == taken["party"]["id"]
        me = (await _data(gw, ME, None, victim.token))["me"]
        assert me == {"id": victim.party_id, "name": "Victim Composer"}


async def test_an_account_registers_once_and_its_refreshed_token_acts_for_the_party(
    identities: Identities, gateway: Callable[..., Any]
) -> None:
    async with gateway() as gw:
        account = await asyncio.to_thread(identities.create_account, name="suda")
        tokens = await asyncio.to_thread(identities.sign_in, account)
        assert IdentityVerifier().verify(tokens.access_token).party_id is None
        assert (await _data(gw, ME, None, tokens.access_token))["me"] is None
        party = {"name": "Suda Chaiyaporn", "kind": "PERSON", "country": "TH"}
        first = (await _data(gw, REGISTER, {"i": party}, tokens.access_token))["registerParty"]
        # A retry with the old token (no party claim yet) completes the same party.
        again = (await _data(gw, REGISTER, {"i": party}, tokens.access_token))["registerParty"]
        assert first["errors"] == again["errors"] == []
        assert first["party"]["id"] == again["party"]["id"]
        refreshed = await asyncio.to_thread(identities.refresh, tokens.refresh_token)
        me = (await _data(gw, ME, None, refreshed.access_token))["me"]
        assert me == {"id": first["party"]["id"], "name": "Suda Chaiyaporn"}


async def test_an_admin_adds_a_member_who_acts_for_the_party_until_removed(
    identities: Identities, gateway: Callable[..., Any]
) -> None:
    async with gateway() as gw:
        admin = await identities.sign_up(
            lambda q, v, t: _data(gw, q, v, t),
            {"name": "Irrawaddy Streaming", "kind": "ORGANIZATION", "country": "MM"},
        )
        clerk = await asyncio.to_thread(identities.create_account, name="clerk")
        clerk_tokens = await asyncio.to_thread(identities.sign_in, clerk)

        added = (await _data(gw, ADD, {"e": clerk.email, "r": "MEMBER"}, admin.token))[
            "addPartyMember"]
        assert added["errors"] == []
        roles = {m["accountId"]: m["role"] for m in added["members"]}
        assert roles == {admin.account.id: "ADMIN", clerk.id: "MEMBER"}

        # The clerk's next token acts for the organisation; a member manages nobody.
        clerk_tokens = await asyncio.to_thread(identities.refresh, clerk_tokens.refresh_token)
        me = (await _data(gw, ME, None, clerk_tokens.access_token))["me"]
        assert me["id"] == admin.party_id
        refused = (await _data(gw, REMOVE, {"a": admin.account.id}, clerk_tokens.access_token))[
            "removePartyMember"]
        assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]

        removed = (await _data(gw, REMOVE, {"a": clerk.id}, admin.token))["removePartyMember"]
        assert removed["errors"] == []
        assert [m["accountId"] for m in removed["members"]] == [admin.account.id]
        # Signed out at once: the clerk's refresh token no longer works.
        with pytest.raises(TokenRefused):
            await asyncio.to_thread(identities.refresh, clerk_tokens.refresh_token)
        # Signing in again gives a token that acts for no party.
        fresh = await asyncio.to_thread(identities.sign_in, clerk)
        assert IdentityVerifier().verify(fresh.access_token).party_id is None


async def test_a_token_not_from_the_provider_gets_nothing(gateway: Callable[..., Any]) -> None:
    """A request without a valid provider token gets nothing beyond the public register: here,
    a token the gateway itself could have minted before issue 14 (an HS256 token over a
    guessed secret) is refused like any other forgery."""
    import jwt

    claims = {"sub": "x", "party_id": "x", "roles": ["examiner"], "aud": "rights-api",
              "iss": "http://127.0.0.1:8080/realms/rights", "typ": "Bearer",
              "exp": 4_102_444_800, "iat": 0}
    forged = jwt.encode(claims, "a-secret-the-gateway-never-had-32-bytes", algorithm="HS256")
    async with gateway() as gw:
        for token in (forged, "not-a-token"):
            body = (await gw.post(ME, None, token)).json()
            assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert gw.calls == []


async def test_a_society_named_and_unnamed_gains_and_loses_its_reading_with_its_sessions(
    identities: Identities, gateway: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    """Issue 14: a society kept reading after setCollectingSociety(false). Now its reading is
    its accounts' `society` role at the provider: granted, then taken back with the sessions."""
    society = """mutation ($p: ID!, $s: Boolean!) { setCollectingSociety(partyId: $p,
      subscribed: $s) { subscribed errors { code } } }"""
    operator = await asyncio.to_thread(token_for, None, "operator")
    async with gateway() as gw:
        officer = await identities.sign_up(
            lambda q, v, t: _data(gw, q, v, t),
            {"name": "ASEAN Music Rights Society", "kind": "ORGANIZATION", "country": "MY"},
        )
        named = (await _data(gw, society, {"p": officer.party_id, "s": True}, operator))
        assert named["setCollectingSociety"] == {"subscribed": True, "errors": []}
        tokens = await asyncio.to_thread(identities.refresh, officer.tokens.refresh_token)
        assert "society" in IdentityVerifier().verify(tokens.access_token).roles

        await _data(gw, society, {"p": officer.party_id, "s": False}, operator)
        with pytest.raises(TokenRefused):
            await asyncio.to_thread(identities.refresh, tokens.refresh_token)
        again = await asyncio.to_thread(identities.sign_in, officer.account)
        caller = IdentityVerifier().verify(again.access_token)
        assert "society" not in caller.roles and caller.party_id == officer.party_id
