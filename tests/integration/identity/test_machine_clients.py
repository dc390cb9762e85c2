"""Machines (a licensee's system, a society's consumer) get tokens with client credentials;
the verifier accepts them with the roles the realm gives their service accounts."""

from __future__ import annotations

import httpx
import jwt
import pytest
from runtime.identity import IdentityVerifier

from .keycloak import TOKEN_URL, Admin


def _client_credentials(client_id: str, secret: str) -> httpx.Response:
    return httpx.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=30,
    )


@pytest.mark.parametrize(
    ("client_id", "roles"),
    [
        ("demo-licensee-system", {"party"}),
        ("demo-society-consumer", {"party", "society"}),
    ],
)
def test_machine_client_gets_a_token_that_verifies_with_its_roles(
    admin: Admin, verifier: IdentityVerifier, client_id: str, roles: set[str]
) -> None:
    answer = _client_credentials(client_id, admin.client_secret(client_id))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # Machines sign in again instead of holding a refresh token.
    assert "refresh_token" not in body
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 300
    caller = verifier.verify(body["access_token"])
    assert caller.client_id == client_id
    assert caller.roles == frozenset(roles)


def test_machine_client_with_a_wrong_secret_gets_no_token(admin: Admin) -> None:
    secret = admin.client_secret("demo-licensee-system")
    answer = _client_credentials("demo-licensee-system", secret[::-1])
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized_client"


def test_web_client_cannot_use_client_credentials() -> None:
    answer = httpx.post(
        TOKEN_URL, data={"grant_type": "client_credentials", "client_id": "rights-web"}, timeout=30
    )
    assert answer.status_code in (400, 401)
    assert "access_token" not in answer.json()
