"""Rights holders of a work: who holds which role with what share, and share transfers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from contracts.enums import Role
from contracts.errors import InvalidInput
from contracts.shares import (
    RIGHTS,
    check_right_totals,
    check_total,
    ownership_share,
    parse_right_share,
    parse_share,
    parse_society,
)
from contracts.territories import parse_country

from filing.domain.errors import (
    DuplicateHolding,
    NotAnOwner,
    ShareExceedsHolding,
    TerritorySharesFixed,
    UnknownParty,
)
from filing.domain.text import parse_enum

# A work with more holders than this is a data-entry error, not a real split.
HOLDERS_MAX = 100
# More territories than countries exist would be a data-entry error too.
TERRITORIES_MAX = 250
_T = TypeVar("_T")


@dataclass(frozen=True)
class TerritoryShare:
    """What a holder collects in one territory, per right; None: its ownership share."""

    territory: str
    performing_share: Decimal | None = None
    mechanical_share: Decimal | None = None
    sync_share: Decimal | None = None


@dataclass(frozen=True)
class RightsHolder:
    """A holding: `share` is the performing share and the share of every right not stated
    otherwise (DOMAIN.md, "Shares by right, societies and territories")."""

    party_id: UUID
    role: Role
    share: Decimal
    mechanical_share: Decimal | None = None
    sync_share: Decimal | None = None
    performing_society: str | None = None
    mechanical_society: str | None = None
    sync_society: str | None = None
    territory_shares: tuple[TerritoryShare, ...] | None = None

    def share_of(self, right: str) -> Decimal:
        """The ownership share of `right` (`performing`, `mechanical`, `sync`)."""
        return ownership_share(self, right)

    def society_of(self, right: str) -> str | None:
        society: str | None = getattr(self, f"{right}_society")
        return society

    def societies(self) -> frozenset[str]:
        return frozenset(s for s in (self.society_of(r) for r in RIGHTS) if s)

    @property
    def by_right(self) -> bool:
        """Whether the holding states anything beyond its one share."""
        return any(
            v is not None
            for v in (self.mechanical_share, self.sync_share, self.performing_society,
                      self.mechanical_society, self.sync_society, self.territory_shares)
        )  # fmt: skip


def _optional(item: dict[str, object], name: str, parse: Callable[[object, str], _T], at: str
              ) -> _T | None:
    value = item.get(name)
    return None if value is None else parse(value, f"{at}.{name}")


def _territory_shares(raw: object, at: str) -> tuple[TerritoryShare, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or len(raw) > TERRITORIES_MAX:
        raise InvalidInput(
            f"{at} must be a list of at most {TERRITORIES_MAX} territories", field=at
        )
    items: list[TerritoryShare] = []
    for index, entry in enumerate(raw):
        here = f"{at}[{index}]"
        if not isinstance(entry, dict):
            raise InvalidInput(f"{here} must be an object", field=here)
        territory = parse_country(entry.get("territory"), field=f"{here}.territory")
        if any(t.territory == territory for t in items):
            raise InvalidInput(f"{here}.territory: {territory} is listed twice", field=here)
        items.append(
            TerritoryShare(
                territory=territory,
                **{
                    f"{right}_share": _optional(entry, f"{right}_share", parse_right_share, here)
                    for right in RIGHTS
                },
            )
        )
    return tuple(items) or None


def parse_holder_rights(item: dict[str, object], at: str) -> dict[str, Any]:
    """The by-right fields of one holder's request values (all optional)."""
    return {
        "mechanical_share": _optional(item, "mechanical_share", parse_right_share, at),
        "sync_share": _optional(item, "sync_share", parse_right_share, at),
        **{
            f"{right}_society": _optional(item, f"{right}_society", parse_society, at)
            for right in RIGHTS
        },
        "territory_shares": _territory_shares(
            item.get("territory_shares"), f"{at}.territory_shares"
        ),
    }


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
        rights = parse_holder_rights(item, at)
        for name in ("mechanical_share", "sync_share"):
            if rights[name] == share:  # the same as `share` is not "stated otherwise"
                rights[name] = None
        holders.append(RightsHolder(party_id=party_id, role=role, share=share, **rights))
    check_total([h.share for h in holders], field=field)
    check_right_totals(holders, field=field)
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
    if any(h.territory_shares for h in holders):
        raise TerritorySharesFixed(
            "this work has territory shares: an examiner replaces its holders", field="work_id"
        )
    # Rights the giver states otherwise stay with it; the ones that follow `share` move.
    moved = {r: amount if getattr(source, f"{r}_share") is None else Decimal(0)
             for r in RIGHTS[1:]}  # fmt: skip
    result: list[RightsHolder] = []
    received = False
    for holder in holders:
        if holder == source:
            remaining = holder.share - amount
            if remaining > 0:
                result.append(replace(holder, share=remaining))
            elif any(holder.share_of(r) - moved[r] > 0 for r in RIGHTS[1:]):
                raise ShareExceedsHolding(
                    "the giver would keep other rights with no performing share: transfer "
                    "less, or ask an examiner",
                    field="share",
                )
        elif holder.party_id == to_party_id and holder.role == source.role:
            result.append(_received(holder, holder.share + amount, moved))
            received = True
        else:
            result.append(holder)
    if not received:
        result.append(
            _received(RightsHolder(to_party_id, source.role, Decimal(0)), amount, moved)
        )
    check_right_totals(result, field="share")
    check_total([h.share for h in result], field="share")
    transfer = ShareTransfer(from_party_id, to_party_id, source.role, amount)
    return tuple(result), transfer


def _received(holder: RightsHolder, share: Decimal, moved: dict[str, Decimal]) -> RightsHolder:
    """The receiver's holding: its share grown, each other right grown by what moved, stated
    only where it differs from the new share."""
    rights: dict[str, Decimal | None] = {}
    for right, amount in moved.items():
        total = holder.share_of(right) + amount
        rights[f"{right}_share"] = None if total == share else total
    return replace(holder, share=share, **rights)  # type: ignore[arg-type]


# --- how a holding's by-right fields are stored (one JSON object, as events carry them) ----


def rights_json(holder: RightsHolder) -> dict[str, Any] | None:
    """The holding's stated by-right fields as JSON (the event's names and forms), or None
    for a holding with one share for every right."""
    if not holder.by_right:
        return None
    data: dict[str, Any] = {}
    for name in ("mechanical_share", "sync_share"):
        value = getattr(holder, name)
        if value is not None:
            data[name] = f"{value:.2f}"
    for right in RIGHTS:
        society = holder.society_of(right)
        if society is not None:
            data[f"{right}_society"] = society
    if holder.territory_shares:
        data["territory_shares"] = [
            {"territory": t.territory}
            | {f"{r}_share": f"{getattr(t, f'{r}_share'):.2f}"
               for r in RIGHTS if getattr(t, f"{r}_share") is not None}
            for t in holder.territory_shares
        ]  # fmt: skip
    return data


def with_rights(holder: RightsHolder, data: dict[str, Any] | None) -> RightsHolder:
    """The holding with the by-right fields `rights_json` stored (trusted: checked once)."""
    if not data:
        return holder

    def share(source: dict[str, Any], name: str) -> Decimal | None:
        value = source.get(name)
        return None if value is None else Decimal(value)

    territories = data.get("territory_shares")
    return replace(
        holder,
        mechanical_share=share(data, "mechanical_share"),
        sync_share=share(data, "sync_share"),
        performing_society=data.get("performing_society"),
        mechanical_society=data.get("mechanical_society"),
        sync_society=data.get("sync_society"),
        territory_shares=tuple(
            TerritoryShare(t["territory"], *(share(t, f"{r}_share") for r in RIGHTS))
            for t in territories
        ) if territories else None,
    )  # fmt: skip
