"""Refresh tokens work once each (the realm revokes them on use), and not at all after sign-out
or revocation."""

from __future__ import annotations

import httpx
from runtime.identity import IdentityVerifier

from .conftest import User
from .keycloak import ISSUER, WEB_CLIENT, refresh, sign_in


def test_refresh_gives_a_new_access_token_and_spends_the_refresh_token(
    user: User, verifier: IdentityVerifier
) -> None:
    tokens = sign_in(user.username, user.password)
    renewed = refresh(tokens.refresh_token)
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert body["access_token"] != tokens.access_token
    assert verifier.verify(body["access_token"]).party_id == user.party_id
    # revokeRefreshToken: a refresh token used once is spent; a replay is refused.
    again = refresh(tokens.refresh_token)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_refresh_token_is_refused_after_sign_out(user: User) -> None:
    tokens = sign_in(user.username, user.password)
    out = httpx.post(
        f"{ISSUER}/protocol/openid-connect/logout",
        data={"client_id": WEB_CLIENT, "refresh_token": tokens.refresh_token},
        timeout=30,
    )
    assert out.status_code == 204, out.text
    answer = refresh(tokens.refresh_token)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_refresh_token_is_refused_after_revocation(user: User) -> None:
    tokens = sign_in(user.username, user.password)
    revoked = httpx.post(
        f"{ISSUER}/protocol/openid-connect/revoke",
        data={
            "client_id": WEB_CLIENT,
            "token": tokens.refresh_token,
            "token_type_hint": "refresh_token",
        },
        timeout=30,
    )
    assert revoked.status_code == 200, revoked.text
    answer = refresh(tokens.refresh_token)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
