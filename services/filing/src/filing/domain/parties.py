"""Parties: the people and organisations of the register, and the rules for writing them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypedDict
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


class PartyChanges(TypedDict, total=False):
    """The public fields a request sets, each already parsed; absent keys stay as they are."""

    name: str
    kind: PartyKind
    country: str
    ipi_name_number: str | None
    isni: str | None


def parse_name(value: object) -> str:
    return required_text(value, field="name", max_length=NAME_MAX)


def parse_kind(value: object) -> PartyKind:
    return parse_enum(PartyKind, value, field="kind")


def parse_party_country(value: object) -> str:
    return parse_country(required_text(value, field="country", max_length=16), field="country")


def parse_ipi(value: object) -> str | None:
    text = optional_text(value, field="ipi_name_number", max_length=32)
    return None if text is None else parse_ipi_name_number(text, field="ipi_name_number")


def parse_party_isni(value: object) -> str | None:
    text = optional_text(value, field="isni", max_length=32)
    return None if text is None else parse_isni(text, field="isni")


def ensure_self(caller_id: UUID, party_id: UUID) -> None:
    """A party's record is written only under that party's own token."""
    if caller_id != party_id:
        raise NotThisParty("only the party itself may write its record", field="party_id")


def register_party(
    *,
    party_id: UUID,
    name: str,
    kind: PartyKind,
    country: str,
    ipi_name_number: str | None = None,
    isni: str | None = None,
    now: datetime,
) -> Party:
    """A new party, created and last changed `now`."""
    return Party(
        id=party_id,
        name=name,
        kind=kind,
        country=country,
        ipi_name_number=ipi_name_number,
        isni=isni,
        created_at=now,
        updated_at=now,
    )


def update_party(
    party: Party, changes: PartyChanges, *, now: datetime
) -> tuple[Party, tuple[str, ...]]:
    """The party with `changes` applied, and the names of the fields that really changed."""
    changed = tuple(name for name, value in changes.items() if getattr(party, name) != value)
    if not changed:
        return party, ()
    return replace(party, **changes, updated_at=now), changed
