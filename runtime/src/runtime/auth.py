"""Who is calling a service: the bearer token of the request, verified against the identity
provider's keys (runtime.identity), as a `Principal`.

The platform signs no token itself: people and machines get theirs from the provider
(Keycloak, realm `rights`), and the gateway forwards the caller's own. A service trusts nothing
else about the caller: no identity header, no network position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from contracts.errors import DomainError
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

if TYPE_CHECKING:
    from runtime.identity import IdentityVerifier

# The realm roles the platform reads; any other role in a token is ignored. `registrar` is the
# gateway's own: it writes a new party's record for the signed-in account that asked.
ROLES = frozenset({"party", "examiner", "society", "operator", "registrar"})


class Unauthenticated(DomainError):
    """No token, or one that is expired, forged or malformed (HTTP 401)."""

    code = "UNAUTHENTICATED"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the party it acts for and the roles its token grants. A caller whose
    account has no party yet (or a machine without one) is known by its subject, which is
    never a party's id."""

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
    description="The caller's access token from the identity provider (the gateway forwards it)",
    auto_error=False,
)


async def principal_from_request(
    request: Request,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER_SCHEME)] = None,
) -> Principal:
    verifier: IdentityVerifier = request.app.state.identity
    caller = await verifier.verify_async(bearer_token(request))
    return caller.principal()


CurrentPrincipal = Annotated[Principal, Depends(principal_from_request)]
"""FastAPI parameter type: the verified caller of this request."""
