"""How a verified provider token's claims become the platform's caller (no server needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from runtime.auth import Unauthenticated
from runtime.identity import IdentitySettings, caller_from_claims

CLAIMS = {"sub": "u-1", "exp": 1_900_000_000, "azp": "rights-web", "party_id": "p-1"}


def test_only_roles_the_platform_knows_reach_the_caller() -> None:
    caller = caller_from_claims(
        {**CLAIMS, "roles": ["party", "default-roles-rights", "offline_access", "society"]}
    )
    assert caller.roles == frozenset({"party", "society"})
    assert caller.party_id == "p-1"
    assert caller.client_id == "rights-web"
    assert caller.expires_at == datetime.fromtimestamp(1_900_000_000, UTC)


def test_caller_without_a_party_is_known_by_its_subject() -> None:
    caller = caller_from_claims({k: v for k, v in CLAIMS.items() if k != "party_id"})
    assert caller.party_id is None
    assert caller.principal().party_id == "u-1"
    assert caller.roles == frozenset()


@pytest.mark.parametrize(
    "claim",
    [
        ["amrs", "irrawaddy"],
        [{"amrs": {"id": "1"}, "irrawaddy": {"id": "2"}}],
        {"amrs": {"id": "1"}, "irrawaddy": {}},
    ],
)
def test_organisations_are_read_in_each_shape_keycloak_writes(claim: object) -> None:
    assert caller_from_claims({**CLAIMS, "organization": claim}).organizations == frozenset(
        {"amrs", "irrawaddy"}
    )


def test_roles_that_are_not_a_list_are_refused() -> None:
    with pytest.raises(Unauthenticated):
        caller_from_claims({**CLAIMS, "roles": "examiner"})


def test_jwks_url_defaults_to_the_realms_certs_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDENTITY_ISSUER", "https://id.example.org/realms/rights/")
    assert IdentitySettings().jwks_endpoint == (
        "https://id.example.org/realms/rights/protocol/openid-connect/certs"
    )
    monkeypatch.setenv("IDENTITY_JWKS_URL", "http://10.0.0.5:8080/certs")
    assert IdentitySettings().jwks_endpoint == "http://10.0.0.5:8080/certs"
