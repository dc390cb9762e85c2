"""Bearer tokens: EdDSA-signed JWTs minted by the gateway and verified by every service.

Only the gateway (and the operator CLI) hold the private key; services read the public key.
A service trusts nothing else about the caller: no identity header, no network position.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import jwt
from contracts.errors import DomainError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from runtime.settings import PlatformSettings

ROLES = frozenset({"party", "examiner", "society", "operator"})
ALGORITHM = "EdDSA"


class Unauthenticated(DomainError):
    """No token, or one that is expired, forged or malformed (HTTP 401)."""

    code = "UNAUTHENTICATED"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a party id and the roles the token grants."""

    party_id: str
    roles: frozenset[str]

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_examiner(self) -> bool:
        return "examiner" in self.roles

    @property
    def is_society(self) -> bool:
        return "society" in self.roles

    @property
    def is_operator(self) -> bool:
        return "operator" in self.roles


def private_key_path(settings: PlatformSettings) -> Path:
    return settings.rights_state_dir / "keys" / "jwt-private.pem"


def ensure_keypair(directory: Path) -> tuple[Path, Path]:
    """Creates a local Ed25519 key pair once (never committed: it lives in the state dir)."""
    directory.mkdir(parents=True, exist_ok=True)
    private, public = directory / "jwt-private.pem", directory / "jwt-public.pem"
    if not private.exists() or not public.exists():
        key = Ed25519PrivateKey.generate()
        tmp = directory / f".jwt-private.{uuid.uuid4().hex}"
        tmp.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        tmp.chmod(0o600)
        public.write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        tmp.replace(private)
    return private, public


def mint_token(
    private_key_pem: bytes,
    *,
    party_id: str,
    roles: Iterable[str],
    ttl: timedelta = timedelta(hours=12),
    issuer: str = "rights-gateway",
    audience: str = "rights-platform",
) -> str:
    roles = sorted(set(roles))
    unknown = set(roles) - ROLES
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; known: {sorted(ROLES)}")
    now = datetime.now(UTC)
    claims = {
        "sub": party_id,
        "roles": roles,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "iss": issuer,
        "aud": audience,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, private_key_pem, algorithm=ALGORITHM)


@lru_cache(maxsize=8)
def _read_key(path: Path) -> bytes:
    return path.read_bytes()


def verify_token(
    token: str,
    public_key_pem: bytes,
    *,
    issuer: str = "rights-gateway",
    audience: str = "rights-platform",
) -> Principal:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public_key_pem,
            algorithms=[ALGORITHM],
            issuer=issuer,
            audience=audience,
            options={"require": ["sub", "exp", "iat", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the token has expired", field="Authorization") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"invalid token: {exc}", field="Authorization") from exc
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not set(roles) <= ROLES:
        raise Unauthenticated("the token carries unknown roles", field="Authorization")
    return Principal(party_id=str(claims["sub"]), roles=frozenset(roles))


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("a bearer token is required", field="Authorization")
    return token.strip()


# Declares the scheme in each service's OpenAPI document; the token itself is read and refused
# by `bearer_token`, so a missing or malformed one is a 401 body like every other error.
BEARER_SCHEME = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="JWT",
    description="The caller's EdDSA-signed token (the gateway forwards it)",
    auto_error=False,
)


async def principal_from_request(
    request: Request,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER_SCHEME)] = None,
) -> Principal:
    # async: FastAPI would run a plain def in its thread pool on every request; this does no I/O.
    settings: PlatformSettings = request.app.state.platform_settings
    return verify_token(
        bearer_token(request),
        _read_key(settings.public_key_path),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )


CurrentPrincipal = Annotated[Principal, Depends(principal_from_request)]
"""FastAPI parameter type: the verified caller of this request."""
