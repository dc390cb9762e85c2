"""Parties: the public part of the register (contact settings never appear here), the caller's
own party, and sign-up."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import TYPE_CHECKING, Annotated, Protocol

import strawberry
from contracts.identifiers import parse_ipi_name_number, parse_isni
from contracts.territories import parse_country
from email_validator import EmailNotValidError, validate_email

from gateway.backends import Json, with_retries
from gateway.errors import BackendFailure, UserError
from gateway.schema.common import (
    Connection,
    FromReply,
    Info,
    UserErrorType,
    attempt,
    present,
)
from gateway.schema.enums import PartyKind
from gateway.schema.inputs import RegisterPartyInput

if TYPE_CHECKING:
    from gateway.schema.works import Work

# Party ids derived from a registration key live in their own UUID namespace.
REGISTRATION_NAMESPACE = uuid.UUID("6f1c2d0e-5b7a-4c61-9a53-2f0e8b7d9c41")


@strawberry.type
class Party(FromReply):
    id: strawberry.ID
    name: str
    kind: PartyKind
    country: str
    ipi_name_number: str | None
    isni: str | None


    @strawberry.field
    async def works(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[Work, strawberry.lazy("gateway.schema.works")]]:
        from gateway.schema.works import WorkFilter, search_works

        return await search_works(info, WorkFilter(holder_id=self.id), first, after)


async def load_party(info: Info, party_id: str) -> Party | None:
    data = await info.context.loaders.party.load(party_id)
    return Party.of(data) if data is not None else None


async def require_party(info: Info, party_id: str) -> Party:
    """A party another object names: it must exist (the register never forgets parties)."""
    party = await load_party(info, party_id)
    return present(party, f"party {party_id} named by a record is not in the register")


class NamesParty(Protocol):
    party_id: str


async def named_party(root: strawberry.Parent[NamesParty], info: Info) -> Party:
    """The resolver of `party` on what holds a share by party id (a holder, a statement line)."""
    return await require_party(info, root.party_id)



@strawberry.type
class RegisterPartyPayload:
    party: Party | None
    token: str | None = strawberry.field(description="a bearer token for that party")
    errors: list[UserErrorType]



def registration_party_id(key: str | None) -> str:
    """A fresh id, or the same id for the same secret key, so a retried sign-up completes."""
    if key is None:
        return str(uuid.uuid4())
    digest = hashlib.sha256(key.encode()).hexdigest()
    return str(uuid.uuid5(REGISTRATION_NAMESPACE, digest))


def _registration_bodies(data: RegisterPartyInput) -> tuple[Json, Json]:
    if not data.name.strip():
        raise UserError("INVALID_INPUT", "name must not be empty", "name")
    party: Json = {
        "name": data.name.strip(),
        "kind": data.kind.value,
        "country": parse_country(data.country, field="country"),
        "ipi_name_number": (
            parse_ipi_name_number(data.ipi_name_number, field="ipiNameNumber")
            if data.ipi_name_number
            else None
        ),
        "isni": parse_isni(data.isni, field="isni") if data.isni else None,
    }
    # Only what the party gave: the service treats a key that is present as a change.
    contacts: Json = {}
    if data.email:
        try:
            contacts["email"] = validate_email(data.email, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise UserError("INVALID_INPUT", f"email: {exc}", "email") from None
    if data.webhook_url:
        if not re.match(r"^https?://[^\s/]+", data.webhook_url) or len(data.webhook_url) > 2000:
            raise UserError("INVALID_INPUT", "webhookUrl must be an http(s) URL", "webhookUrl")
        contacts["webhook_url"] = data.webhook_url
    if data.webhook_secret is not None:
        if len(data.webhook_secret) < 16:
            raise UserError(
                "INVALID_INPUT", "webhookSecret must be at least 16 characters", "webhookSecret"
            )
        contacts["webhook_secret"] = data.webhook_secret
    if data.webhook_url and not data.webhook_secret:
        raise UserError(
            "INVALID_INPUT", "a webhookUrl needs a webhookSecret to sign its calls",
            "webhookSecret",
        )
    if data.registration_key is not None and len(data.registration_key) < 16:
        raise UserError(
            "INVALID_INPUT", "registrationKey must be at least 16 characters", "registrationKey"
        )
    return party, contacts



@strawberry.type
class PartyQuery:
    @strawberry.field(description="The caller's own party, once registered.")
    async def me(self, info: Info) -> Party | None:
        principal = info.context.require_principal()
        return await load_party(info, principal.party_id)

    @strawberry.field
    async def party(self, info: Info, id: strawberry.ID) -> Party | None:
        info.context.require_principal()
        return await load_party(info, id)


@strawberry.type
class PartyMutation:
    @strawberry.mutation(description="Open: this is sign-up.")
    async def register_party(self, info: Info, input: RegisterPartyInput) -> RegisterPartyPayload:
        ctx = info.context

        async def register() -> tuple[Party, str]:
            party_body, contacts = _registration_bodies(input)
            party_id = registration_party_id(input.registration_key)
            token = ctx.state.keys.mint(party_id, ["party"], ctx.settings.token_ttl_seconds)
            backends = ctx.backends
            try:
                # Contacts first: they are private and emit no event, so a half-done sign-up
                # never announces a party the notifications service cannot reach yet.
                await with_retries(
                    lambda: backends.notifications.put_contacts(party_id, contacts, token)
                )
                stored = await with_retries(
                    lambda: backends.filing.register_party(party_id, party_body, token)
                )
            except BackendFailure:
                raise UserError(
                    "REGISTRATION_INCOMPLETE",
                    "registration could not be completed right now; retry with the same "
                    "registrationKey to finish it",
                    None,
                ) from None
            return Party.of(stored), token

        result, errors = await attempt(register)
        if result is None:
            return RegisterPartyPayload(party=None, token=None, errors=errors)
        return RegisterPartyPayload(party=result[0], token=result[1], errors=[])
