"""A user signs in at the real Keycloak (authorization code + PKCE through its login form) and
the runtime's verifier accepts the access token it gets, and only that token as issued."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from devstack.polling import eventually
from runtime.auth import Unauthenticated
from runtime.identity import IdentitySettings, IdentityVerifier

from .conftest import User
from .keycloak import (
    ISSUER,
    TOKEN_URL,
    Admin,
    Identities,
    authorization_code,
    exchange_code,
    pkce_pair,
    sign_in,
)


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def test_user_signs_in_with_pkce_and_the_verifier_accepts_the_short_token(
    user: User, verifier: IdentityVerifier
) -> None:
    tokens = sign_in(user.username, user.password)
    caller = verifier.verify(tokens.access_token)
    assert caller.party_id == user.party_id
    assert caller.principal().party_id == user.party_id
    # Every account gets `party` through the realm's default role; nothing else unless granted.
    assert caller.roles == frozenset({"party"})
    assert caller.client_id == "rights-web"
    claims = _claims(tokens.access_token)
    assert claims["iss"] == ISSUER
    assert "rights-api" in (claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]])
    # Access tokens are short: five minutes.
    assert claims["exp"] - claims["iat"] == 300
    assert 0 < tokens.expires_in <= 300


def test_code_without_its_pkce_verifier_is_refused(user: User) -> None:
    verifier, challenge = pkce_pair()
    code = authorization_code(user.username, user.password, challenge=challenge)
    answer = exchange_code(code, None)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    # A wrong verifier fails as well (the code is single-use, so get a fresh one).
    code = authorization_code(user.username, user.password, challenge=challenge)
    answer = exchange_code(code, verifier[::-1])
    assert answer.status_code == 400


def test_examiner_role_granted_in_keycloak_reaches_the_caller(
    admin: Admin, people: Identities, verifier: IdentityVerifier
) -> None:
    account = people.create_account(roles=("examiner",))
    try:
        caller = verifier.verify(sign_in(account.username, account.password).access_token)
    finally:
        admin.delete_user(account.id)
    assert caller.roles == frozenset({"party", "examiner"})
    # No party_id attribute: the caller is known by its subject, Keycloak's user id.
    assert caller.party_id is None
    assert caller.principal().party_id == account.id


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_tampered_token_is_refused(user: User, verifier: IdentityVerifier) -> None:
    token = sign_in(user.username, user.password).access_token
    header, _, signature = token.split(".")
    claims = _claims(token)
    claims["party_id"] = str(uuid.uuid4())
    with pytest.raises(Unauthenticated, match="Signature verification failed"):
        verifier.verify(f"{header}.{_segment(claims)}.{signature}")


def test_token_signed_with_another_key_under_the_realms_key_id_is_refused(
    user: User, verifier: IdentityVerifier
) -> None:
    token = sign_in(user.username, user.password).access_token
    kid = jwt.get_unverified_header(token)["kid"]
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(_claims(token), stranger, algorithm="RS256", headers={"kid": kid})
    with pytest.raises(Unauthenticated, match="Signature verification failed"):
        verifier.verify(forged)
    unsigned = jwt.encode(_claims(token), None, algorithm="none", headers={"kid": kid})
    with pytest.raises(Unauthenticated):
        verifier.verify(unsigned)


def test_token_for_another_audience_or_issuer_is_refused(
    user: User, verifier: IdentityVerifier, test_client: TestClient
) -> None:
    good = sign_in(user.username, user.password)
    strict = IdentityVerifier(IdentitySettings(issuer=ISSUER, audience="rights-admin"))
    with pytest.raises(Unauthenticated, match=r"(?i)audience"):
        strict.verify(good.access_token)
    other_issuer = IdentityVerifier(
        IdentitySettings(
            issuer=ISSUER.replace("/realms/rights", "/realms/master"),
            jwks_url=f"{ISSUER}/protocol/openid-connect/certs",
        )
    )
    with pytest.raises(Unauthenticated, match=r"(?i)issuer"):
        other_issuer.verify(good.access_token)
    # The ID token is signed by the same key but is meant for the web app, not the API.
    with pytest.raises(Unauthenticated):
        verifier.verify(good.id_token)
    # A client without the rights-api audience mapper gets tokens the API does not accept.
    plain = test_client.password_token("plain", user.username, user.password)
    assert _claims(plain)["iss"] == ISSUER
    with pytest.raises(Unauthenticated, match=r"(?i)audience"):
        verifier.verify(plain)
    # An ID token that names the API as audience is still not an access token.
    id_token = test_client.password_token("id-audience", user.username, user.password, "id")
    assert "rights-api" in _claims(id_token)["aud"]
    with pytest.raises(Unauthenticated, match="not an access token"):
        verifier.verify(id_token)


async def test_expired_token_is_refused(
    user: User, verifier: IdentityVerifier, test_client: TestClient
) -> None:
    token = test_client.password_token("expiring", user.username, user.password)
    claims = _claims(token)
    assert claims["exp"] - claims["iat"] == 2
    assert verifier.verify(token).party_id == user.party_id

    async def refused_as_expired() -> bool:
        try:
            verifier.verify(token)
        except Unauthenticated as exc:
            return "expired" in exc.message
        return False

    await eventually(refused_as_expired, timeout=15, what="the token expired")


class TestClient:
    """Throw-away clients with the password grant, made for these tests only: `plain` (no
    rights-api audience), `expiring` (the audience, tokens that live two seconds) and
    `id-audience` (the audience in ID tokens too)."""

    __test__ = False

    def __init__(self, admin: Admin) -> None:
        self.admin = admin
        self.ids: dict[str, str] = {}
        suffix = uuid.uuid4().hex[:8]
        audience = {
            "name": "audience rights-api",
            "protocol": "openid-connect",
            "protocolMapper": "oidc-audience-mapper",
            "config": {"included.custom.audience": "rights-api", "access.token.claim": "true"},
        }
        party = {
            "name": "party_id",
            "protocol": "openid-connect",
            "protocolMapper": "oidc-usermodel-attribute-mapper",
            "config": {
                "user.attribute": "party_id",
                "claim.name": "party_id",
                "jsonType.label": "String",
                "access.token.claim": "true",
            },
        }
        id_audience = {**audience, "config": {**audience["config"], "id.token.claim": "true"}}
        for name, attributes, mappers in (
            ("plain", {}, [party]),
            ("expiring", {"access.token.lifespan": "2"}, [audience, party]),
            ("id-audience", {}, [id_audience, party]),
        ):
            client_id = f"test-{name}-{suffix}"
            answer = admin.http.post(
                "/clients",
                json={
                    "clientId": client_id,
                    "publicClient": True,
                    "directAccessGrantsEnabled": True,
                    "standardFlowEnabled": False,
                    "attributes": attributes,
                    "protocolMappers": mappers,
                },
            )
            assert answer.status_code == 201, answer.text
            self.ids[name] = client_id

    def password_token(self, name: str, username: str, password: str, kind: str = "access") -> str:
        answer = httpx.post(
            TOKEN_URL,
            data={
                "grant_type": "password",
                "client_id": self.ids[name],
                "username": username,
                "password": password,
                "scope": "openid",
            },
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()[f"{kind}_token"])

    def delete(self) -> None:
        for client_id in self.ids.values():
            self.admin.http.delete(f"/clients/{self.admin.client(client_id)['id']}")


@pytest.fixture(scope="module")
def test_client(admin: Admin) -> Iterator[TestClient]:
    clients = TestClient(admin)
    yield clients
    clients.delete()


def test_member_of_an_organisation_carries_it_in_the_token(
    admin: Admin, user: User, verifier: IdentityVerifier
) -> None:
    admin.add_member(admin.organization("amrs")["id"], user.id)
    without = verifier.verify(sign_in(user.username, user.password).access_token)
    assert without.organizations == frozenset()
    caller = verifier.verify(
        sign_in(user.username, user.password, scope="openid organization").access_token
    )
    assert caller.organizations == frozenset({"amrs"})
