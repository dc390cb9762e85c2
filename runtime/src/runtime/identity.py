"""Access tokens from the platform's identity provider (Keycloak), verified against its JWKS.

The provider signs; services and the gateway only verify, with the public keys the provider
publishes (fetched by PyJWT's `PyJWKClient` and cached). A token is accepted only when its
signature, issuer, audience (`rights-api`), type and expiry all check. It is the only way a
token is accepted anywhere in the platform (services: `runtime.auth`; the gateway: its
`auth` module).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.auth import ROLES, Principal, Unauthenticated


class IdentitySettings(BaseSettings):
    """Where the provider is and what its tokens must say (`IDENTITY_*` variables)."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    # The realm's issuer exactly as the provider writes it into `iss`.
    issuer: str = "http://127.0.0.1:8080/realms/rights"
    # Empty: the realm's standard certs endpoint under the issuer.
    jwks_url: str = ""
    audience: str = "rights-api"
    algorithms: list[str] = ["RS256"]
    # Keys are re-read at most this often, and at once when a token names an unknown key id.
    jwks_cache_seconds: int = 300
    jwks_timeout_seconds: float = 5.0
    # Tolerated clock difference with the provider, for exp/iat/nbf.
    leeway_seconds: float = 0.0
    # Verified tokens kept per process until they expire (only their verified claims).
    verified_cache_size: int = 10_000

    @property
    def jwks_endpoint(self) -> str:
        return self.jwks_url or f"{self.issuer.rstrip('/')}/protocol/openid-connect/certs"


class IdentityProviderUnavailable(Exception):
    """The provider's keys could not be fetched: the caller is not at fault (HTTP 503)."""


@dataclass(frozen=True)
class Caller:
    """Who a verified provider token speaks for."""

    subject: str
    # The party the caller acts for; None for a caller without one (an examiner, a machine).
    party_id: str | None
    roles: frozenset[str]
    # The client the token was issued to (`azp`): `rights-web`, a machine client, ...
    client_id: str
    organizations: frozenset[str]
    expires_at: datetime

    def principal(self) -> Principal:
        """The caller as services judge it (`runtime.auth`); a caller without a party is
        known by its subject."""
        return Principal(party_id=self.party_id or self.subject, roles=self.roles)


def _organizations(claim: Any) -> frozenset[str]:
    # Keycloak writes a list of aliases, or, when ids are added, objects keyed by alias.
    items = claim if isinstance(claim, list) else [claim] if isinstance(claim, dict) else []
    aliases: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            aliases.update(str(alias) for alias in item)
        elif isinstance(item, str):
            aliases.add(item)
    return frozenset(aliases)


def caller_from_claims(claims: dict[str, Any]) -> Caller:
    """Maps verified claims to a caller; roles the platform does not know are left out."""
    roles = claims.get("roles", [])
    if not isinstance(roles, list):
        raise Unauthenticated("the token's roles are not a list", field="Authorization")
    party_id = claims.get("party_id")
    return Caller(
        subject=str(claims["sub"]),
        party_id=str(party_id) if party_id else None,
        roles=frozenset(str(role) for role in roles) & ROLES,
        client_id=str(claims.get("azp", "")),
        organizations=_organizations(claims.get("organization")),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
    )


class IdentityVerifier:
    """Verifies the provider's access tokens; one per process (it holds the key cache)."""

    def __init__(
        self, settings: IdentitySettings | None = None, *, keys: jwt.PyJWKSet | None = None
    ) -> None:
        """`keys`: a fixed key set instead of the provider's endpoint (unit tests' fake
        provider)."""
        self.settings = settings or IdentitySettings()
        self._fixed = keys
        # Tokens verified by this process, least recently used first (verify_async).
        self._verified: OrderedDict[str, Caller] = OrderedDict()
        self._keys = jwt.PyJWKClient(
            self.settings.jwks_endpoint,
            cache_jwk_set=True,
            lifespan=self.settings.jwks_cache_seconds,
            timeout=int(self.settings.jwks_timeout_seconds),
        )

    def verify(self, token: str) -> Caller:
        """The caller the token speaks for, or Unauthenticated. Blocks on a JWKS fetch when the
        key cache is cold: from async code use `verify_async`."""
        try:
            key = self._signing_key(token)
        except jwt.PyJWKClientConnectionError as exc:
            raise IdentityProviderUnavailable(
                f"cannot fetch the identity provider's keys from {self.settings.jwks_endpoint}"
            ) from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}", field="Authorization") from exc
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=self.settings.algorithms,
                issuer=self.settings.issuer,
                audience=self.settings.audience,
                leeway=self.settings.leeway_seconds,
                options={"require": ["sub", "exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("the token has expired", field="Authorization") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}", field="Authorization") from exc
        # ID tokens are signed by the same keys; only an access token grants access.
        if claims.get("typ") != "Bearer":
            raise Unauthenticated("not an access token", field="Authorization")
        return caller_from_claims(claims)

    def _signing_key(self, token: str) -> jwt.PyJWK:
        if self._fixed is None:
            return self._keys.get_signing_key_from_jwt(token)
        kid = jwt.get_unverified_header(token).get("kid")
        for key in self._fixed.keys:
            if key.key_id == kid:
                return key
        raise jwt.PyJWKClientError(f"no key {kid!r} in the key set")

    async def verify_async(self, token: str) -> Caller:
        """`verify` off the event loop (a key fetch blocks). A token verified before is known
        until it expires: the gateway and then each service it calls check the same token,
        and a client sends it many times in its few minutes."""
        known = self._verified.get(token)
        if known is not None:
            if known.expires_at.timestamp() + self.settings.leeway_seconds > time.time():
                self._verified.move_to_end(token)
                return known
            del self._verified[token]
        caller = await asyncio.to_thread(self.verify, token)
        self._verified[token] = caller
        if len(self._verified) > self.settings.verified_cache_size:
            self._verified.popitem(last=False)
        return caller
