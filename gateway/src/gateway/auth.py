"""Who is calling: the bearer token read from the request, verified, and minted for sign-ups.

The gateway is the only holder of the signing key; services verify the forwarded token with
the public key (runtime.auth) and enforce their own rules, and the gateway checks the same
rules for every object it returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from contracts import access
from gateway.settings import GatewaySettings
from runtime import auth as runtime_auth

ROLES = runtime_auth.ROLES


class Unauthenticated(Exception):
    """No token, or one that is invalid or expired."""


@dataclass(frozen=True)
class Principal(runtime_auth.Principal):
    """The verified caller (its roles read as the services read them) and the token the
    gateway forwards to the services on their behalf."""

    token: str

    @cached_property
    def caller(self) -> access.Caller:
        """The caller as `contracts.access` judges it."""
        return access.Caller.of(self.party_id, self.roles)


class TokenKeys:
    """The key pair's files, read lazily so a process that only verifies needs no private key."""

    def __init__(self, private_key_path: Path, public_key_path: Path, issuer: str, audience: str):
        self.private_key_path = private_key_path
        self.public_key_path = public_key_path
        self.issuer = issuer
        self.audience = audience

    @cached_property
    def private_key(self) -> bytes:
        return self.private_key_path.read_bytes()

    @cached_property
    def public_key(self) -> bytes:
        return self.public_key_path.read_bytes()

    def mint(self, party_id: str, roles: Iterable[str], ttl_seconds: int) -> str:
        return runtime_auth.mint_token(
            self.private_key,
            party_id=party_id,
            roles=roles,
            ttl=timedelta(seconds=ttl_seconds),
            issuer=self.issuer,
            audience=self.audience,
        )

    def verify(self, token: str) -> Principal:
        try:
            verified = runtime_auth.verify_token(
                token, self.public_key, issuer=self.issuer, audience=self.audience
            )
        except runtime_auth.Unauthenticated as exc:
            # runtime's message may quote the JWT library; the client gets a plain reason.
            expired = "expired" in exc.message
            reason = "the token has expired" if expired else "the token is not valid"
            raise Unauthenticated(reason) from None
        return Principal(party_id=verified.party_id, roles=verified.roles, token=token)


def ensure_key_pair(private_key_path: Path, public_key_path: Path) -> None:
    """Create the local key pair on first run when both live in one folder (never committed)."""
    if private_key_path.exists() and public_key_path.exists():
        return
    if private_key_path.parent != public_key_path.parent:
        raise FileNotFoundError(f"token keys missing: {private_key_path}, {public_key_path}")
    private, public = runtime_auth.ensure_keypair(private_key_path.parent)
    if private != private_key_path or public != public_key_path:
        raise FileNotFoundError(f"token keys must be named {private.name} and {public.name}")


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


def token_keys(settings: GatewaySettings) -> TokenKeys:
    return TokenKeys(
        private_key_path=settings.private_key_path,
        public_key_path=settings.platform.public_key_path,
        issuer=settings.platform.jwt_issuer,
        audience=settings.platform.jwt_audience,
    )
