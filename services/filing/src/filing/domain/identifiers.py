"""A work's identifiers (ISWC, ISRC, ISBN): parsing them from a request, and which kinds of
work each may identify (DOMAIN.md, Identifiers)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from contracts.enums import WorkKind
from contracts.errors import InvalidInput
from contracts.identifiers import parse_isbn13, parse_isrc, parse_iswc

from filing.domain.errors import IdentifierNotForKind
from filing.domain.text import optional_text

IDENTIFIER_KINDS: Mapping[str, frozenset[WorkKind]] = {
    "iswc": frozenset({WorkKind.MUSICAL_WORK}),
    "isrc": frozenset({WorkKind.SOUND_RECORDING, WorkKind.AUDIOVISUAL}),
    "isbn": frozenset({WorkKind.LITERARY}),
}
_PARSERS: Mapping[str, Callable[..., str]] = {
    "iswc": parse_iswc,
    "isrc": parse_isrc,
    "isbn": parse_isbn13,
}


@dataclass(frozen=True)
class Identifiers:
    iswc: str | None = None
    isrc: str | None = None
    isbn: str | None = None

    def items(self) -> tuple[tuple[str, str], ...]:
        """The identifiers that are set, as (field name, normalised value)."""
        pairs = (("iswc", self.iswc), ("isrc", self.isrc), ("isbn", self.isbn))
        return tuple((name, value) for name, value in pairs if value is not None)


def parse_identifiers(raw: object) -> Identifiers:
    """Identifiers from a request, check digits verified; blank ones are absent."""
    if raw is None:
        return Identifiers()
    if isinstance(raw, Identifiers):
        return raw
    if not isinstance(raw, dict):
        raise InvalidInput("identifiers must be an object", field="identifiers")
    values: dict[str, str] = {}
    for name, value in raw.items():
        field = f"identifiers.{name}"
        if name not in _PARSERS:
            raise InvalidInput(f"unknown identifier {name!r}", field=field[:80])
        text = optional_text(value, field=field, max_length=32)
        if text is not None:
            values[name] = _PARSERS[name](text, field=field)
    return Identifiers(**values)


def check_identifier_kinds(identifiers: Identifiers, kind: WorkKind) -> None:
    """Each identifier names only its own kinds of work: an ISWC is never a book's."""
    for name, _ in identifiers.items():
        if kind not in IDENTIFIER_KINDS[name]:
            kinds = ", ".join(sorted(k.value for k in IDENTIFIER_KINDS[name]))
            raise IdentifierNotForKind(
                f"{name.upper()} identifies only {kinds} works", field=f"identifiers.{name}"
            )
