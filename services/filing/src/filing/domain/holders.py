"""Rights holders of a work: who holds which role with what share, and share transfers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from contracts.enums import Role
from contracts.errors import InvalidInput
from contracts.shares import check_total, parse_share

from filing.domain.errors import DuplicateHolding, NotAnOwner, ShareExceedsHolding, UnknownParty
from filing.domain.text import parse_enum

# A work with more holders than this is a data-entry error, not a real split.
HOLDERS_MAX = 100


@dataclass(frozen=True)
class RightsHolder:
    party_id: UUID
    role: Role
    share: Decimal


def _parse_uuid(value: object, *, field: str) -> UUID:
    if isinstance(value, UUID):
        return value
    if isinstance(value, str) and len(value) <= 64:
        try:
            return UUID(value)
        except ValueError:
            pass
    raise InvalidInput(f"{field} must be a UUID", field=field)


def parse_party_id(value: object, *, field: str) -> UUID:
    """A party id from a request, or `InvalidInput` naming the field."""
    return _parse_uuid(value, field=field)


def parse_rights_holders(raw: object, *, field: str = "rights_holders") -> tuple[RightsHolder, ...]:
    """Rights holders from request values: known roles, valid shares summing to 100.00,
    and each party at most once per role (DOMAIN.md, Works)."""
    if not isinstance(raw, list | tuple) or not raw:
        raise InvalidInput(f"{field} must list at least one rights holder", field=field)
    if len(raw) > HOLDERS_MAX:
        raise InvalidInput(f"{field} may list at most {HOLDERS_MAX} holders", field=field)
    holders: list[RightsHolder] = []
    seen: set[tuple[UUID, Role]] = set()
    for index, item in enumerate(raw):
        at = f"{field}[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{at} must be an object", field=at)
        party_id = _parse_uuid(item.get("party_id"), field=f"{at}.party_id")
        role = parse_enum(Role, item.get("role"), field=f"{at}.role")
        share = parse_share(item.get("share"), field=f"{at}.share")
        if (party_id, role) in seen:
            raise DuplicateHolding(
                f"party {party_id} appears more than once as {role.value}", field=f"{at}.role"
            )
        seen.add((party_id, role))
        holders.append(RightsHolder(party_id=party_id, role=role, share=share))
    check_total([h.share for h in holders], field=field)
    return tuple(holders)


def holder_ids(holders: Iterable[RightsHolder]) -> frozenset[UUID]:
    return frozenset(h.party_id for h in holders)


def ensure_known_parties(
    holders: Sequence[RightsHolder], known: Iterable[UUID], *, field: str = "rights_holders"
) -> None:
    """Every holder must be a registered party."""
    known_ids = set(known)
    for index, holder in enumerate(holders):
        if holder.party_id not in known_ids:
            raise UnknownParty(
                f"party {holder.party_id} is not registered", field=f"{field}[{index}].party_id"
            )


def ensure_owner(holders: Sequence[RightsHolder], party_id: UUID) -> None:
    if party_id not in holder_ids(holders):
        raise NotAnOwner("only a rights holder of this work may do this", field="work_id")


@dataclass(frozen=True)
class ShareTransfer:
    from_party_id: UUID
    to_party_id: UUID
    role: Role
    share: Decimal


def move_share(
    holders: Sequence[RightsHolder],
    *,
    from_party_id: UUID,
    to_party_id: UUID,
    share: Decimal,
    role: Role | None = None,
) -> tuple[tuple[RightsHolder, ...], ShareTransfer]:
    """The holders after `from_party_id` gives `share` of one of its holdings to `to_party_id`.

    The receiver holds the moved share in the same role (added to its holding in that role
    if it has one); a holding given away entirely disappears. The total stays 100.00.
    """
    ensure_owner(holders, from_party_id)
    if to_party_id == from_party_id:
        raise InvalidInput("a party cannot transfer a share to itself", field="to_party_id")
    amount = share
    own = [h for h in holders if h.party_id == from_party_id]
    if role is None:
        if len(own) > 1:
            raise InvalidInput(
                "the caller holds this work in several roles: name the role to transfer from",
                field="role",
            )
        source = own[0]
    else:
        matching = [h for h in own if h.role == role]
        if not matching:
            raise InvalidInput(f"the caller holds no {role.value} share", field="role")
        source = matching[0]
    if amount > source.share:
        raise ShareExceedsHolding(
            f"cannot transfer {amount}: the caller holds {source.share} as {source.role.value}",
            field="share",
        )
    result: list[RightsHolder] = []
    received = False
    for holder in holders:
        if holder == source:
            remaining = holder.share - amount
            if remaining > 0:
                result.append(RightsHolder(holder.party_id, holder.role, remaining))
        elif holder.party_id == to_party_id and holder.role == source.role:
            result.append(RightsHolder(holder.party_id, holder.role, holder.share + amount))
            received = True
        else:
            result.append(holder)
    if not received:
        result.append(RightsHolder(to_party_id, source.role, amount))
    check_total([h.share for h in result], field="share")
    transfer = ShareTransfer(from_party_id, to_party_id, source.role, amount)
    return tuple(result), transfer
