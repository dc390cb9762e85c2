"""Parties: the people and organisations of the register, and the rules for writing them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from contracts.enums import PartyKind
from contracts.identifiers import parse_ipi_name_number, parse_isni
from contracts.territories import parse_country

from filing.domain.errors import NotThisParty
from filing.domain.text import NAME_MAX, optional_text, parse_enum, required_text


@dataclass(frozen=True)
class Party:
    """The public part of a party; contact settings live in the notifications service."""

    id: UUID
    name: str
    kind: PartyKind
    country: str
    ipi_name_number: str | None
    isni: str | None
    created_at: datetime
    updated_at: datetime


# The fields of a party that a request may set, each with its parser.
PARTY_FIELDS = ("name", "kind", "country", "ipi_name_number", "isni")


def _parse_field(name: str, value: Any) -> Any:
    if name == "name":
        return required_text(value, field="name", max_length=NAME_MAX)
    if name == "kind":
        return parse_enum(PartyKind, value, field="kind")
    if name == "country":
        return parse_country(_string(value, "country"), field="country")
    if name == "ipi_name_number":
        text = optional_text(value, field="ipi_name_number", max_length=32)
        return None if text is None else parse_ipi_name_number(text, field="ipi_name_number")
    if name == "isni":
        text = optional_text(value, field="isni", max_length=32)
        return None if text is None else parse_isni(text, field="isni")
    raise KeyError(name)


def _string(value: Any, field: str) -> str:
    return required_text(value, field=field, max_length=16)


def ensure_self(caller_id: UUID, party_id: UUID) -> None:
    """A party's record is written only under that party's own token."""
    if caller_id != party_id:
        raise NotThisParty("only the party itself may write its record", field="party_id")


def register_party(
    *,
    party_id: UUID,
    name: object,
    kind: object,
    country: object,
    ipi_name_number: object = None,
    isni: object = None,
    now: datetime,
) -> Party:
    """A new party from raw request values, each checked and normalised."""
    return Party(
        id=party_id,
        name=_parse_field("name", name),
        kind=_parse_field("kind", kind),
        country=_parse_field("country", country),
        ipi_name_number=_parse_field("ipi_name_number", ipi_name_number),
        isni=_parse_field("isni", isni),
        created_at=now,
        updated_at=now,
    )


def update_party(
    party: Party, changes: dict[str, Any], *, now: datetime
) -> tuple[Party, tuple[str, ...]]:
    """The party with `changes` applied, and the names of the fields that really changed.

    Only the keys present in `changes` are touched; an optional identifier set to None is
    cleared, while a required field set to None is an error.
    """
    parsed: dict[str, Any] = {}
    for name in PARTY_FIELDS:
        if name in changes:
            parsed[name] = _parse_field(name, changes[name])
    changed = tuple(name for name, value in parsed.items() if getattr(party, name) != value)
    if not changed:
        return party, ()
    return replace(party, **{name: parsed[name] for name in changed}, updated_at=now), changed
