"""An organisation's members (DOMAIN.md, "Accounts and members"): admins add, promote and
remove accounts; the last admin stays; a removed member is signed out; every refusal is a
coded error naming the field, and changes nothing at the provider."""

from __future__ import annotations

from typing import Any

import pytest
from gateway.membership import Account, PartyMemberRole

from gateway import membership

REGISTER = """mutation ($i: RegisterPartyInput!) { registerParty(input: $i) {
  party { id } errors { code } } }"""
ADD = """mutation ($e: String!, $r: PartyMemberRole!) { addPartyMember(email: $e, role: $r) {
  members { accountId username role } errors { code message field } } }"""
ROLE = """mutation ($a: ID!, $r: PartyMemberRole!) { setPartyMemberRole(accountId: $a, role: $r) {
  members { accountId role } errors { code message field } } }"""
REMOVE = """mutation ($a: ID!) { removePartyMember(accountId: $a) {
  members { accountId role } errors { code message field } } }"""
MEMBERS = "{ partyMembers { accountId role } }"
LABEL = {"name": "Irrawaddy Streaming", "kind": "ORGANIZATION", "country": "MM"}


async def _organisation(gateway: Any, idp: Any) -> tuple[str, str, str]:
    """An organisation registered by its first account: (party id, admin subject, token)."""
    subject, token = idp.account()
    party = (await gateway.data(REGISTER, {"i": LABEL}, token=token))["registerParty"]["party"]
    return party["id"], subject, idp.refreshed(subject)


def _roles(payload: dict[str, Any]) -> dict[str, str]:
    return {m["accountId"]: m["role"] for m in payload["members"]}


async def test_the_registering_account_is_admin_and_adds_members_who_then_act_for_the_party(
    gateway: Any, fake: Any, idp: Any
) -> None:
    party_id, admin, token = await _organisation(gateway, idp)
    clerk, _ = idp.account("clerk@irrawaddy.example")
    added = (await gateway.data(ADD, {"e": "clerk@irrawaddy.example", "r": "MEMBER"},
                                token=token))["addPartyMember"]
    assert added["errors"] == []
    assert _roles(added) == {admin: "ADMIN", clerk: "MEMBER"}
    me = await gateway.data("{ me { id } }", token=idp.refreshed(clerk))
    assert me["me"] == {"id": party_id}
    listed = await gateway.data(MEMBERS, token=idp.refreshed(clerk))
    assert {m["accountId"]: m["role"] for m in listed["partyMembers"]} == _roles(added)


async def test_a_member_is_not_an_admin_and_manages_nobody(gateway: Any, idp: Any) -> None:
    _, _, token = await _organisation(gateway, idp)
    clerk, _ = idp.account("clerk@irrawaddy.example")
    added = await gateway.data(ADD, {"e": "clerk@irrawaddy.example", "r": "MEMBER"}, token=token)
    assert added["addPartyMember"]["errors"] == []
    idp.account("friend@example.org")
    refused = (await gateway.data(ADD, {"e": "friend@example.org", "r": "ADMIN"},
                                  token=idp.refreshed(clerk)))["addPartyMember"]
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert refused["members"] is None


@pytest.mark.parametrize("case", ["unknown", "unverified", "in another party"])
async def test_an_account_that_cannot_join_gets_one_answer_whatever_the_reason(
    gateway: Any, idp: Any, case: str
) -> None:
    _, _, token = await _organisation(gateway, idp)
    email = "someone@example.org"
    if case == "unverified":
        idp.account(email, verified=False)
    elif case == "in another party":
        _, other_token = idp.account(email)
        await gateway.data(REGISTER, {"i": {**LABEL, "name": "Other"}}, token=other_token)
    before = {k: dict(v) for k, v in idp.users.items()}
    refused = (await gateway.data(ADD, {"e": email, "r": "MEMBER"}, token=token))[
        "addPartyMember"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("ACCOUNT_UNAVAILABLE", "email")]
    assert "no account with that email can join" in refused["errors"][0]["message"]
    assert idp.users == before


async def test_the_last_admin_stays_and_a_removed_member_is_signed_out(
    gateway: Any, idp: Any
) -> None:
    _, admin, token = await _organisation(gateway, idp)
    for verb, variables in ((REMOVE, {"a": admin}), (ROLE, {"a": admin, "r": "MEMBER"})):
        refused = await gateway.data(verb, variables, token=token)
        errors = next(iter(refused.values()))["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("LAST_ADMIN", "accountId")]
    clerk, _ = idp.account("clerk@irrawaddy.example")
    added = await gateway.data(ADD, {"e": "clerk@irrawaddy.example", "r": "MEMBER"}, token=token)
    assert added["addPartyMember"]["errors"] == []
    promoted = (await gateway.data(ROLE, {"a": clerk, "r": "ADMIN"}, token=token))[
        "setPartyMemberRole"]
    assert _roles(promoted) == {admin: "ADMIN", clerk: "ADMIN"}
    # Now the first admin may go: the clerk removes it.
    removed = (await gateway.data(REMOVE, {"a": admin}, token=idp.refreshed(clerk)))[
        "removePartyMember"]
    assert removed["errors"] == [] and _roles(removed) == {clerk: "ADMIN"}
    assert admin in idp.signed_out
    assert "party_id" not in idp.users[admin]["attributes"]
    assert (await gateway.data("{ me { id } }", token=idp.refreshed(admin)))["me"] is None


async def test_a_bad_or_foreign_account_id_names_the_field(gateway: Any, idp: Any) -> None:
    _, _, token = await _organisation(gateway, idp)
    _, outsider_admin, _ = await _organisation(gateway, idp)
    for account_id, code in (("../../clients", "INVALID_INPUT"), (outsider_admin, "NOT_FOUND")):
        refused = (await gateway.data(REMOVE, {"a": account_id}, token=token))[
            "removePartyMember"]
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [(code, "accountId")]
    assert not any(".." in path for _, path in idp.admin_calls)


def _account(party: str | None, role: PartyMemberRole | None, **kw: Any) -> Account:
    defaults = {"id": "a", "username": "a", "email_verified": True, "enabled": True}
    return Account(party_id=party, role=role, **{**defaults, **kw})


def test_the_rules_refuse_a_disabled_candidate_and_read_a_roleless_binding_as_member() -> None:
    admin = _account("p", PartyMemberRole.ADMIN)
    with pytest.raises(Exception, match="no account with that email"):
        membership.check_add(admin, _account(None, None, enabled=False))
    assert membership.check_add(admin, _account(None, None)) == "p"
    legacy = Account.of({"id": "x", "attributes": {"party_id": ["p"]}})
    assert legacy.role is PartyMemberRole.MEMBER


async def test_a_society_is_its_accounts_role_given_and_taken_back_with_their_sessions(
    gateway: Any, fake: Any, idp: Any, token: Any
) -> None:
    """Issue 14: a society kept reading after setCollectingSociety(false). Its reading is its
    accounts' `society` role now: taken back, with their sessions."""
    party_id, admin, admin_token = await _organisation(gateway, idp)
    clerk, _ = idp.account("clerk@irrawaddy.example")
    added = await gateway.data(
        ADD, {"e": "clerk@irrawaddy.example", "r": "MEMBER"}, token=admin_token)
    assert added["addPartyMember"]["errors"] == []
    operator = token(None, "operator")
    society = """mutation ($p: ID!, $s: Boolean!) { setCollectingSociety(partyId: $p,
      subscribed: $s) { subscribed errors { code } } }"""
    named = await gateway.data(society, {"p": party_id, "s": True}, token=operator)
    assert named["setCollectingSociety"] == {"subscribed": True, "errors": []}
    assert all("society" in idp.users[a]["realmRoles"] for a in (admin, clerk))
    assert idp.signed_out == set()
    await gateway.data(society, {"p": party_id, "s": False}, token=operator)
    assert all("society" not in idp.users[a]["realmRoles"] for a in (admin, clerk))
    assert idp.signed_out == {admin, clerk}
