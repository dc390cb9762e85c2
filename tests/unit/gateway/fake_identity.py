"""An in-memory stand-in for the identity provider, for unit tests only: it signs tokens shaped
like the realm's (issuer, audience `rights-api`, `typ`, `party_id`, `roles`, `azp`) with its
own RSA key, and `verifier()` is the platform's real `IdentityVerifier` trusting that key.

It also answers the few provider calls the gateway makes (client credentials, and reading and
updating a user for the account binding) through `handle`, for a MockTransport."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from runtime.auth import Principal
from runtime.identity import IdentitySettings, IdentityVerifier

REGISTRAR_CLIENT = "rights-gateway"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeIdentityProvider:
    def __init__(
        self,
        settings: IdentitySettings | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> None:
        """`key`: a signing key to share between fakes (making one takes a while)."""
        self.settings = settings or IdentitySettings()
        self._key = key or new_key()
        self.kid = f"fake-{hash(self._key.public_key().public_numbers().n) & 0xFFFFFF:x}"
        public = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        self.keys = jwt.PyJWKSet([{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}])
        # Accounts by subject: their attributes, as the admin API shows and changes them.
        self.users: dict[str, dict[str, Any]] = {}
        self.registrar_subject = str(uuid.uuid4())
        self.admin_calls: list[tuple[str, str]] = []
        self.signed_out: set[str] = set()

    def verifier(self) -> IdentityVerifier:
        return IdentityVerifier(self.settings, keys=self.keys)

    def principal(self, token: str) -> Principal:
        """What a service makes of a forwarded token (raises Unauthenticated)."""
        return self.verifier().verify(token).principal()

    def token(
        self,
        party_id: str | None,
        *roles: str,
        subject: str | None = None,
        client_id: str = "rights-web",
        expires_in: int = 300,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "typ": "Bearer",
            "sub": subject or party_id or str(uuid.uuid4()),
            "azp": client_id,
            "roles": list(roles or ("party",)),
            "iat": now,
            "exp": now + expires_in,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        if party_id is not None:
            body["party_id"] = party_id
        return jwt.encode(body, self._key, algorithm="RS256", headers={"kid": self.kid})

    def account(self, email: str | None = None, *, verified: bool = True) -> tuple[str, str]:
        """A signed-in account without a party: (subject, its access token)."""
        subject = str(uuid.uuid4())
        self.users[subject] = {
            "id": subject,
            "username": f"user-{subject[:8]}",
            "email": email or f"{subject[:8]}@example.org",
            "emailVerified": verified,
            "enabled": True,
            "attributes": {},
        }
        return subject, self.token(None, "party", subject=subject)

    def refreshed(self, subject: str) -> str:
        """The account's next token: it names the party the account is bound to."""
        bound = self.users[subject].get("attributes", {}).get("party_id", [None])[0]
        return self.token(bound, "party", subject=subject)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/protocol/openid-connect/token"):
            form = dict(httpx.QueryParams(request.content.decode()))
            if form.get("client_id") != REGISTRAR_CLIENT:
                return httpx.Response(401, json={"error": "invalid_client"})
            token = self.token(
                None, "registrar", subject=self.registrar_subject, client_id=REGISTRAR_CLIENT
            )
            return httpx.Response(200, json={"access_token": token, "expires_in": 300})
        if "/admin/realms/" not in path:
            return httpx.Response(404, json={"error": "not found"})
        self.admin_calls.append((request.method, path))
        if "/roles/" in path and request.method == "GET":
            name = path.rsplit("/", 1)[-1]
            return httpx.Response(200, json={"id": f"role-{name}", "name": name})
        tail = path.split("/users", 1)[1].strip("/").split("/")
        if tail == [""] and request.method == "GET":
            return httpx.Response(200, json=self._search(dict(request.url.params)))
        subject = tail[0]
        if subject not in self.users:
            return httpx.Response(404, json={"error": "User not found"})
        if tail[1:] == ["role-mappings", "realm"]:
            roles = self.users[subject].setdefault("realmRoles", [])
            for role in json.loads(request.content):
                if request.method == "POST" and role["name"] not in roles:
                    roles.append(role["name"])
                elif request.method == "DELETE" and role["name"] in roles:
                    roles.remove(role["name"])
            return httpx.Response(204)
        if tail[1:] == ["logout"] and request.method == "POST":
            self.signed_out.add(subject)
            return httpx.Response(204)
        if request.method == "GET":
            return httpx.Response(200, json=self.users[subject])
        if request.method == "PUT":
            self.users[subject] = json.loads(request.content)
            return httpx.Response(204)
        return httpx.Response(405)

    def _search(self, params: dict[str, str]) -> list[dict[str, Any]]:
        if "email" in params:
            return [u for u in self.users.values() if u.get("email") == params["email"]]
        key, _, value = params.get("q", "").partition(":")
        return [u for u in self.users.values() if u.get("attributes", {}).get(key) == [value]]
