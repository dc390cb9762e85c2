"""Refresh tokens work once each (the realm revokes them on use), and not at all after sign-out
or revocation."""

from __future__ import annotations

import httpx
from runtime.identity import IdentityVerifier

from .conftest import User
from .keycloak import ISSUER, WEB_CLIENT, refresh_grant, sign_in


def web_client_post(endpoint: str, **data: str) -> httpx.Response:
    """A form post of the `rights-web` client to one of the realm's OpenID Connect endpoints."""
    return httpx.post(
        f"{ISSUER}/protocol/openid-connect/{endpoint}",
        data={"client_id": WEB_CLIENT, **data},
        timeout=30,
    )


def assert_refused(refresh_token: str) -> None:
    answer = refresh_grant(refresh_token)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_refresh_gives_a_new_access_token_and_spends_the_refresh_token(
    user: User, verifier: IdentityVerifier
) -> None:
    tokens = sign_in(user.username, user.password)
    renewed = refresh_grant(tokens.refresh_token)
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert body["access_token"] != tokens.access_token
    assert verifier.verify(body["access_token"]).party_id == user.party_id
    # revokeRefreshToken: a refresh token used once is spent; a replay is refused.
    assert_refused(tokens.refresh_token)


def test_refresh_token_is_refused_after_sign_out(user: User) -> None:
    tokens = sign_in(user.username, user.password)
    out = web_client_post("logout", refresh_token=tokens.refresh_token)
    assert out.status_code == 204, out.text
    assert_refused(tokens.refresh_token)


def test_refresh_token_is_refused_after_revocation(user: User) -> None:
    tokens = sign_in(user.username, user.password)
    revoked = web_client_post(
        "revoke", token=tokens.refresh_token, token_type_hint="refresh_token"
    )
    assert revoked.status_code == 200, revoked.text
    assert_refused(tokens.refresh_token)
