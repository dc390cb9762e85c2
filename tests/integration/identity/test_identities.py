"""devstack.identity against the real Keycloak: machine identities get tokens the verifier
accepts with exactly their party and roles, people sign in, get bound to a party and see it
after a refresh, and a run's identities are removed by its prefix."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import jwt
import pytest
from devstack.identity import CONFIG
from runtime.identity import IdentityVerifier

from .keycloak import Admin, Identities, TokenRefused


@pytest.fixture
def machines(admin: Admin) -> Iterator[Identities]:
    made = Identities(f"test-idm-{uuid.uuid4().hex[:8]}", admin)
    yield made
    made.delete_created()
    made.close()


def test_machine_token_carries_the_party_and_the_default_party_role(
    machines: Identities, verifier: IdentityVerifier
) -> None:
    party_id = str(uuid.uuid4())
    token = machines.token_for(party_id)
    caller = verifier.verify(token)
    assert caller.party_id == party_id
    assert caller.roles == frozenset({"party"})
    assert caller.client_id == machines.machine_client_id(party_id, ("party",))
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == CONFIG.machine_token_lifespan_seconds
    # Cached: the same identity and the same token, whatever the order of the roles.
    assert machines.token_for(uuid.UUID(party_id), "party") == token


def test_machine_token_holds_exactly_the_roles_asked_for(
    machines: Identities, verifier: IdentityVerifier
) -> None:
    examiner = verifier.verify(machines.token_for(None, "examiner"))
    assert examiner.roles == frozenset({"examiner"})
    assert examiner.party_id is None
    party_id = str(uuid.uuid4())
    society = verifier.verify(machines.token_for(party_id, "society", "party"))
    assert (society.party_id, society.roles) == (party_id, frozenset({"party", "society"}))


async def test_async_twin_gives_the_cached_token(machines: Identities) -> None:
    party_id = str(uuid.uuid4())
    assert await machines.token_for_async(party_id) == machines.token_for(party_id)


def test_account_bound_to_a_party_after_sign_in_sees_it_after_a_refresh(
    admin: Admin, machines: Identities, verifier: IdentityVerifier
) -> None:
    account = machines.create_account(first_name="Suda", last_name="Chaiyaporn")
    tokens = machines.sign_in(account)
    assert verifier.verify(tokens.access_token).party_id is None
    # What the gateway's registerParty does for a signed-in account.
    party_id = str(uuid.uuid4())
    admin.set_user_attribute(account.id, "party_id", party_id)
    renewed = machines.refresh(tokens.refresh_token)
    assert verifier.verify(renewed.access_token).party_id == party_id
    # The refresh token was spent.
    with pytest.raises(TokenRefused) as refused:
        machines.refresh(tokens.refresh_token)
    assert refused.value.error == "invalid_grant"


def test_a_runs_identities_are_deleted_by_its_prefix(admin: Admin) -> None:
    run = Identities(f"test-idm-{uuid.uuid4().hex[:8]}", admin)
    run.token_for(str(uuid.uuid4()))
    account = run.create_account()
    assert run.delete_created() == 2
    assert admin.get("/clients", clientId=f"{run.prefix}-", search="true") == []
    assert admin.user_by_username(account.username) is None
