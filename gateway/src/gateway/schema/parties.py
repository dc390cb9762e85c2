"""Parties: the public part of the register (contact settings never appear here), the caller's
own party, and registering one for a signed-in account."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from contracts.identifiers import parse_ipi_name_number, parse_isni
from contracts.territories import parse_country
from email_validator import EmailNotValidError, validate_email
from runtime.identity import IdentityProviderUnavailable

from gateway import membership
from gateway.backends import Json, with_retries
from gateway.errors import BackendFailure, UserError
from gateway.loaders import now_or_later
from gateway.membership import Account, PartyMemberRole
from gateway.replies import PartyReply
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

# A party registered by an account gets an id derived from the account in its own namespace:
# a retried registration completes the same party, and no one else's account can reach it.
ACCOUNT_PARTY_NAMESPACE = uuid.UUID("6f1c2d0e-5b7a-4c61-9a53-2f0e8b7d9c41")


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


def _named(shown: dict[str, Any], party_id: str, data: PartyReply | None) -> Party:
    party = present(Party.of(data) if data is not None else None,
                    f"party {party_id} named by a record is not in the register")
    shown[party_id] = party
    return party


def require_party(info: Info, party_id: str) -> Party | Awaitable[Party]:
    """A party another object names: it must exist (the register never forgets parties).
    At once when the request already loaded it (made once per request: a page names the same
    few parties again and again), else through the party loader's batch."""
    loaders = info.context.loaders
    party: Party | None = loaders.shown_parties.get(party_id)
    if party is not None:
        return party
    return now_or_later(loaders.party, party_id, partial(_named, loaders.shown_parties, party_id))


@strawberry.type
class RegisterPartyPayload:
    party: Party | None = strawberry.field(
        description="the account's party; refresh the access token to act for it"
    )
    errors: list[UserErrorType]


def account_party_id(subject: str) -> str:
    """The party id of the party an account registers: the same for every retry."""
    return str(uuid.uuid5(ACCOUNT_PARTY_NAMESPACE, subject))


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
            "INVALID_INPUT",
            "a webhookUrl needs a webhookSecret to sign its calls",
            "webhookSecret",
        )
    return party, contacts


# strawberry.enum registers the class itself (as schema/enums.py does for the domain's enums).
strawberry.enum(PartyMemberRole)


@strawberry.type
class PartyMember:
    """An account that acts for a party. Its email is the account's private contact: not shown."""

    account_id: strawberry.ID
    username: str
    role: PartyMemberRole

    @classmethod
    def of(cls, account: Account) -> PartyMember:
        return cls(
            account_id=strawberry.ID(account.id),
            username=account.username,
            role=account.role or PartyMemberRole.MEMBER,
        )


@strawberry.type
class PartyMembersPayload:
    members: list[PartyMember] | None
    errors: list[UserErrorType]


async def _caller_account(info: Info) -> Account:
    """The caller's account as the provider records it now (not as a token minutes old)."""
    principal = info.context.require_principal()
    user = await info.context.state.account.user(principal.subject)
    if user is None:
        raise UserError("FORBIDDEN", "only an admin of a party manages its members")
    return Account.of(user)


async def _members(info: Info, party_id: str) -> list[Account]:
    return [Account.of(u) for u in await info.context.state.account.members(party_id)]


def _account_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise UserError("INVALID_INPUT", "accountId is not an account id", "accountId") from None


async def _checked_change(
    info: Info, caller: Account, account_id: str, role: PartyMemberRole | None
) -> tuple[str, str]:
    """(the member's account id, the caller's party) once the rules allow the caller to give
    that member `role` (None: to remove it)."""
    member_id = _account_id(account_id)
    found = await info.context.state.account.user(member_id)
    members = await _members(info, caller.party_id) if caller.party_id else []
    party_id = membership.check_change(
        caller, Account.of(found) if found else None, role, members
    )
    return member_id, party_id


async def _change_members(
    info: Info, change: Callable[[Account], Awaitable[str]]
) -> PartyMembersPayload:
    """Runs one membership change for the calling admin; answers the party's members after."""

    async def run() -> list[PartyMember]:
        try:
            party_id = await change(await _caller_account(info))
            members = await _members(info, party_id)
        except (BackendFailure, IdentityProviderUnavailable):
            raise UserError(
                "UNAVAILABLE", "the members cannot be changed right now; retry shortly", None
            ) from None
        return sorted((PartyMember.of(m) for m in members), key=lambda m: m.username)

    members, errors = await attempt(run)
    return PartyMembersPayload(members=members, errors=errors)


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

    @strawberry.field(description="The members of the caller's party (none without one).")
    async def party_members(self, info: Info) -> list[PartyMember]:
        principal = info.context.require_principal()
        if not principal.has_party:
            return []
        members = await _members(info, principal.party_id)
        return sorted((PartyMember.of(m) for m in members), key=lambda m: m.username)


@strawberry.type
class PartyMutation:
    @strawberry.mutation(
        description="Registers a party for the signed-in account and binds the account to it "
        "(once: the same account again gets the same party, its contacts updated). Sign in "
        "first; afterwards refresh the access token, whose new `party_id` claim acts for it."
    )
    async def register_party(self, info: Info, input: RegisterPartyInput) -> RegisterPartyPayload:
        ctx = info.context

        async def register() -> Party:
            principal = ctx.require_principal()
            party_body, contacts = _registration_bodies(input)
            account = ctx.state.account
            backends = ctx.backends
            try:
                # The account's record, not its token (minutes old), says whether it already
                # acts for a party (say, as a member just added to an organisation).
                bound = principal.party_id if principal.has_party else None
                if bound is None:
                    record = await account.user(principal.subject)
                    bound = Account.of(record).party_id if record else None
                party_id = bound or account_party_id(principal.subject)
                registrar = await account.token()
                # Contacts first: they are private and emit no event, so a half-done sign-up
                # never announces a party the notifications service cannot reach yet. The
                # account is bound last: its token names the party only once it exists.
                await with_retries(
                    lambda: backends.notifications.put_contacts(party_id, contacts, registrar)
                )
                stored = await with_retries(
                    lambda: backends.filing.register_party(party_id, party_body, registrar)
                )
                if bound is None:
                    await account.bind_account(principal.subject, party_id)
            except (BackendFailure, IdentityProviderUnavailable):
                raise UserError(
                    "REGISTRATION_INCOMPLETE",
                    "registration could not be completed right now; retry it: the same "
                    "account completes the same party",
                    None,
                ) from None
            return Party.of(stored)

        party, errors = await attempt(register)
        return RegisterPartyPayload(party=party, errors=errors)

    @strawberry.mutation(
        description="An admin of a party adds an existing account (by its verified email) as "
        "a member; its next token acts for the party."
    )
    async def add_party_member(
        self, info: Info, email: str, role: PartyMemberRole
    ) -> PartyMembersPayload:
        account = info.context.state.account

        async def add(caller: Account) -> str:
            found = await account.user_by_email(email.strip())
            party_id = membership.check_add(caller, Account.of(found) if found else None)
            assert found is not None
            await account.set_membership(str(found["id"]), party_id, role.value)
            return party_id

        return await _change_members(info, add)

    @strawberry.mutation(description="An admin changes a member's role.")
    async def set_party_member_role(
        self, info: Info, account_id: strawberry.ID, role: PartyMemberRole
    ) -> PartyMembersPayload:
        account = info.context.state.account

        async def change(caller: Account) -> str:
            member_id, party_id = await _checked_change(info, caller, account_id, role)
            await account.set_membership(member_id, party_id, role.value)
            return party_id

        return await _change_members(info, change)

    @strawberry.mutation(
        description="An admin removes a member (itself too, unless it is the last admin): the "
        "account's sessions end and its next token acts for no party."
    )
    async def remove_party_member(
        self, info: Info, account_id: strawberry.ID
    ) -> PartyMembersPayload:
        account = info.context.state.account

        async def remove(caller: Account) -> str:
            member_id, party_id = await _checked_change(info, caller, account_id, None)
            await account.set_membership(member_id, None, None)
            await account.end_sessions(member_id)
            return party_id

        return await _change_members(info, remove)
