"""Who is calling: the identity provider's access token read from the request and verified
(runtime.identity), and the gateway's own identity at that provider.

The gateway signs nothing. People sign in at the provider (Keycloak) and machines use client
credentials; the gateway verifies their token, forwards it to the services (which verify it
again and enforce their own rules), and checks the same rules for every object it returns.
Its own client (`rights-gateway`) does two things only: register a party for the signed-in
account that asks, and bind that account to it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import httpx
from runtime.identity import IdentityProviderUnavailable, IdentitySettings, IdentityVerifier

from contracts import access
from gateway.errors import BackendFailure
from runtime import auth as runtime_auth

ROLES = runtime_auth.ROLES
# A party's members, as many as the admin API is asked for at once.
MAX_MEMBERS = 100


class AccountNotFound(Exception):
    """The provider knows no such account."""


class Unauthenticated(Exception):
    """No token, or one that is invalid or expired."""


@dataclass(frozen=True)
class Principal(runtime_auth.Principal):
    """The verified caller (its roles read as the services read them), its account, and the
    token the gateway forwards to the services on its behalf."""

    token: str
    # The account (or machine client) at the provider: what a new party is bound to.
    subject: str = ""
    # Whether the token names a party yet (the `party_id` claim): an account that has not
    # registered one acts for none.
    has_party: bool = True

    @cached_property
    def caller(self) -> access.Caller:
        """The caller as `contracts.access` judges it."""
        return access.Caller.of(self.party_id if self.has_party else None, self.roles)


async def verify(identity: IdentityVerifier, token: str) -> Principal:
    """The caller a token speaks for; Unauthenticated with a plain reason otherwise (the
    verifier's message may quote the JWT library)."""
    try:
        caller = await identity.verify_async(token)
    except runtime_auth.Unauthenticated as exc:
        expired = "expired" in exc.message
        raise Unauthenticated(
            "the token has expired" if expired else "the token is not valid"
        ) from None
    return Principal(
        party_id=caller.party_id or caller.subject,
        roles=caller.roles,
        token=token,
        subject=caller.subject,
        has_party=caller.party_id is not None,
    )


def bearer_token(headers: Mapping[str, Any]) -> str | None:
    """The token of an `Authorization: Bearer` header (HTTP) or connection_init payload (WS)."""
    value = None
    for name in ("authorization", "Authorization"):
        if name in headers:
            value = headers[name]
            break
    if value is None and isinstance(headers.get("token"), str):
        return str(headers["token"])
    if not isinstance(value, str):
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class GatewayIdentity:
    """The gateway's own client at the provider: a client-credentials token (kept until
    shortly before it expires) and the realm's user admin API, which it may use to bind an
    account to a party."""

    # A token is fetched again this long before it expires.
    RENEW_SECONDS = 30

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: IdentitySettings,
        client_id: str,
        client_secret: str,
    ) -> None:
        self.http = http
        self.client_id = client_id
        self._secret = client_secret
        issuer = settings.issuer.rstrip("/")
        self.token_url = f"{issuer}/protocol/openid-connect/token"
        self.users_url = issuer.replace("/realms/", "/admin/realms/", 1) + "/users"
        self._token = ""
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if time.monotonic() >= self._expires - self.RENEW_SECONDS:
                answer = await self._call(
                    "POST",
                    self.token_url,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": self.client_id,
                        "client_secret": self._secret,
                    },
                )
                body = answer.json()
                self._token = str(body["access_token"])
                self._expires = time.monotonic() + float(body.get("expires_in", 60))
            return self._token

    async def _admin(self, method: str, path: str = "", **kwargs: Any) -> httpx.Response:
        headers = {"authorization": f"Bearer {await self.token()}"}
        return await self._call(method, self.users_url + path, headers=headers, **kwargs)

    async def user(self, account_id: str) -> dict[str, Any] | None:
        """The account's record (the admin API's user representation), None if unknown."""
        try:
            return dict((await self._admin("GET", f"/{account_id}")).json())
        except AccountNotFound:
            return None

    async def user_by_email(self, email: str) -> dict[str, Any] | None:
        found = (await self._admin("GET", params={"email": email, "exact": "true"})).json()
        return dict(found[0]) if len(found) == 1 else None

    async def members(self, party_id: str) -> list[dict[str, Any]]:
        """Every account bound to the party (attribute search), at most `MAX_MEMBERS`."""
        found = await self._admin(
            "GET", params={"q": f"party_id:{party_id}", "max": str(MAX_MEMBERS)}
        )
        return [dict(user) for user in found.json()]

    async def set_membership(
        self, account_id: str, party_id: str | None, role: str | None
    ) -> None:
        """Writes the account's `party_id` and `party_role` (attributes only the realm's admins
        may change; its next token carries them); None removes them. Same values: no write."""
        user = await self.user(account_id)
        if user is None:
            raise AccountNotFound(account_id)
        attributes = dict(user.get("attributes") or {})
        wanted = {"party_id": party_id, "party_role": role}
        if all(attributes.get(k) == ([v] if v else None) for k, v in wanted.items()):
            return
        for key, value in wanted.items():
            if value:
                attributes[key] = [value]
            else:
                attributes.pop(key, None)
        user["attributes"] = attributes
        await self._admin("PUT", f"/{account_id}", json=user)

    async def set_realm_role(self, account_id: str, role: str, *, granted: bool) -> None:
        """Grants or takes back one of the realm's roles (`society`); the account's next token
        says so. The realm's roles live one level above its users in the admin API."""
        realm_url = self.users_url.removesuffix("/users")
        headers = {"authorization": f"Bearer {await self.token()}"}
        found = (await self._call("GET", f"{realm_url}/roles/{role}", headers=headers)).json()
        await self._admin(
            "POST" if granted else "DELETE", f"/{account_id}/role-mappings/realm", json=[found]
        )

    async def end_sessions(self, account_id: str) -> None:
        """Signs the account out everywhere: its refresh tokens stop working at once."""
        await self._admin("POST", f"/{account_id}/logout")

    async def bind_account(self, subject: str, party_id: str) -> None:
        """Makes the account that registered the party its first admin."""
        await self.set_membership(subject, party_id, "admin")

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = await self.http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise IdentityProviderUnavailable(f"identity provider unreachable: {exc}") from exc
        if answer.status_code == 404:
            raise AccountNotFound(url.rsplit("/", 1)[-1])
        if answer.status_code >= 300:
            # The provider's answer may name clients and users: it goes to the log, not out.
            raise BackendFailure(f"identity provider answered {answer.status_code} to {method}")
        return answer
