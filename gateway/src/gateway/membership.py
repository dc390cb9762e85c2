"""Who may change a party's members (DOMAIN.md, "Accounts and members"): plain rules over the
accounts as the identity provider records them. No I/O: `auth.GatewayIdentity` reads and
writes the records, the `parties` schema module asks these rules in between."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.errors import UserError


class PartyMemberRole(enum.Enum):
    ADMIN = "admin"
    MEMBER = "member"


@dataclass(frozen=True)
class Account:
    """An account as the provider records it: whose party it acts for, in which role."""

    id: str
    username: str
    email_verified: bool
    enabled: bool
    party_id: str | None
    role: PartyMemberRole | None

    @classmethod
    def of(cls, user: Mapping[str, Any]) -> Account:
        """From the admin API's user representation."""
        attributes = user.get("attributes") or {}
        party = (attributes.get("party_id") or [None])[0]
        role = (attributes.get("party_role") or [None])[0]
        known = {r.value for r in PartyMemberRole}
        return cls(
            id=str(user["id"]),
            username=str(user.get("username", "")),
            email_verified=bool(user.get("emailVerified", False)),
            enabled=bool(user.get("enabled", True)),
            party_id=str(party) if party else None,
            # A bound account without a role predates roles: it acts, it does not manage.
            role=PartyMemberRole(role) if role in known else (
                PartyMemberRole.MEMBER if party else None
            ),
        )


def _refuse(code: str, message: str, field: str | None = None) -> UserError:
    return UserError(code, message, field)


def require_admin(caller: Account) -> str:
    """The party the caller manages; refused unless it is an admin of one."""
    if caller.party_id is None or caller.role is not PartyMemberRole.ADMIN:
        raise _refuse("FORBIDDEN", "only an admin of a party manages its members")
    return caller.party_id


def check_add(caller: Account, candidate: Account | None) -> str:
    """An admin adds an existing, enabled, verified account that belongs to no party. One
    answer for every refusal: an admin must not learn which addresses have accounts."""
    party_id = require_admin(caller)
    if (
        candidate is None
        or not candidate.enabled
        or not candidate.email_verified
        or candidate.party_id is not None
    ):
        raise _refuse(
            "ACCOUNT_UNAVAILABLE",
            "no account with that email can join: it must exist, have a verified email and "
            "belong to no party",
            "email",
        )
    return party_id


def _admins(members: Sequence[Account]) -> int:
    return sum(1 for m in members if m.role is PartyMemberRole.ADMIN)


def check_change(
    caller: Account,
    member: Account | None,
    role: PartyMemberRole | None,
    members: Sequence[Account],
) -> str:
    """An admin changes a member's role (`role`) or removes it (`None`); the party keeps at
    least one admin."""
    party_id = require_admin(caller)
    if member is None or member.party_id != party_id:
        raise _refuse("NOT_FOUND", "no member of your party has that account id", "accountId")
    if (
        member.role is PartyMemberRole.ADMIN
        and role is not PartyMemberRole.ADMIN
        and _admins(members) <= 1
    ):
        raise _refuse(
            "LAST_ADMIN", "the party's last admin stays: make another member admin first",
            "accountId",
        )
    return party_id
