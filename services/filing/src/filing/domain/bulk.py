"""Bulk import (DOMAIN.md, "Bulk import"): the rows of a works file and a parties file checked
with the same parsers as a single filing, their deterministic ids, and the examination of a
chunk of rows in file order against what the register and the earlier rows hold.

No I/O here: the importer (`filing.bulk_import`) reads the files and the register.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from contracts.enums import WorkKind, WorkStatus
from contracts.errors import DomainError, InvalidInput
from contracts.shares import RIGHTS
from contracts.territories import parse_country

from filing.domain import parties as party_rules
from filing.domain.consents import filing_outcome
from filing.domain.examination import Examination, ExistingWork, examine
from filing.domain.holders import parse_rights_holders
from filing.domain.identifiers import parse_identifiers
from filing.domain.parties import Party
from filing.domain.search_index import search_columns
from filing.domain.text import TITLE_MAX, parse_enum, required_text
from filing.domain.works import (
    HOLDING_STATUSES,
    REGISTERED_STATUSES,
    WorkDraft,
    parse_alternate_titles,
)

# The ids of imported rows: uuid5 of the filer and the row key, so a re-run finds its rows.
BULK_NAMESPACE = UUID("6f1d3c52-8a4e-5b7a-9c0d-2e4f6a8b0c1d")
ROW_KEY_MAX = 200
ALTERNATE_SEPARATOR = "|"
HOLDER_SEPARATOR = ";"

PARTY_COLUMNS_REQUIRED = ("row_key", "name", "kind", "country")
PARTY_COLUMNS_OPTIONAL = ("ipi_name_number", "isni")
WORK_COLUMNS_REQUIRED = ("row_key", "title", "kind", "country_of_origin", "holders")
WORK_COLUMNS_OPTIONAL = ("alternate_titles", "iswc", "isrc", "isbn")


class BadHeader(InvalidInput):
    """A file's header names an unknown column or lacks a required one: nothing is imported."""

    code = "BAD_HEADER"


@dataclass(frozen=True)
class RowError:
    """One line of the error report: the file's row number (the header is row 1), the
    column at fault and why the row was not imported."""

    row: int
    field: str
    reason: str


class RowRefused(Exception):
    """A row that cannot be imported; becomes a `RowError`."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


# Parties recur on many rows of a file: their ids are worth remembering.
@functools.lru_cache(maxsize=65536)
def party_id_of(filer: UUID, row_key: str) -> UUID:
    return uuid.uuid5(BULK_NAMESPACE, f"{filer}/party/{row_key}")


def work_id_of(filer: UUID, row_key: str) -> UUID:
    return uuid.uuid5(BULK_NAMESPACE, f"{filer}/work/{row_key}")


def check_header(
    columns: Sequence[str] | None, *, file: str, required: Sequence[str], optional: Sequence[str]
) -> None:
    """Columns in any order; an unknown, repeated or missing column names itself."""
    if not columns:
        raise BadHeader(f"{file} has no header row", field=file)
    known = set(required) | set(optional)
    seen: set[str] = set()
    for column in columns:
        if column not in known:
            raise BadHeader(f"{file}: unknown column {column!r}", field=column[:80])
        if column in seen:
            raise BadHeader(f"{file}: column {column!r} appears twice", field=column)
        seen.add(column)
    for column in required:
        if column not in seen:
            raise BadHeader(f"{file}: required column {column!r} is missing", field=column)


# Fields of the domain's parsers → the column of the file that holds them.
_COLUMN_OF = (
    (re.compile(r"^identifiers\.(iswc|isrc|isbn)$"), r"\1"),
    (re.compile(r"^rights_holders.*"), "holders"),
    (re.compile(r"^alternate_titles.*"), "alternate_titles"),
)


def column_of(field_name: str | None, default: str) -> str:
    if not field_name:
        return default
    for pattern, column in _COLUMN_OF:
        if pattern.match(field_name):
            return pattern.sub(column, field_name)
    return field_name


def _refused(error: DomainError, default: str) -> RowRefused:
    return RowRefused(column_of(error.field, default), error.message)


# The cell a reader puts in place of a row it cannot read as the header's cells (their number
# differs, or the CSV is broken there): its value is the reason.
ROW_FAULT = "__row__"


def _check_width(raw: Mapping[str, str | None]) -> None:
    if ROW_FAULT in raw:
        raise RowRefused("row", str(raw[ROW_FAULT]))


def parse_row_key(value: object) -> str:
    try:
        return required_text(value, field="row_key", max_length=ROW_KEY_MAX)
    except DomainError as error:
        raise _refused(error, "row_key") from None


# --- parties --------------------------------------------------------------------------------


def parse_party_row(raw: Mapping[str, str | None], *, filer: UUID, now: datetime) -> Party:
    """A parties-file row as the party it creates (id from the filer and its row key)."""
    _check_width(raw)
    row_key = parse_row_key(raw.get("row_key"))
    try:
        return party_rules.register_party(
            party_id=party_id_of(filer, row_key),
            name=party_rules.parse_name(raw.get("name")),
            kind=party_rules.parse_kind((raw.get("kind") or "").strip()),
            country=party_rules.parse_party_country(raw.get("country")),
            ipi_name_number=party_rules.parse_ipi(raw.get("ipi_name_number")),
            isni=party_rules.parse_party_isni(raw.get("isni")),
            now=now,
        )
    except DomainError as error:
        raise _refused(error, "row") from None


# --- works ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedWork:
    """A checked works-file row: its draft, its id, and the folded title it is examined by."""

    row: int
    row_key: str
    id: UUID
    draft: WorkDraft
    # The row's search columns (`search_index.search_columns`), as every writer of works has.
    search: Mapping[str, object]
    # Holders named by a UUID (parties already in the register): checked against it per chunk.
    named_party_ids: frozenset[UUID] = field(default_factory=frozenset)

    @property
    def title_key(self) -> str:
        return str(self.search["title_key"])


def _holder_items(value: str | None, *, filer: UUID) -> tuple[list[dict[str, object]], set[UUID]]:
    text = (value or "").strip()
    if not text:
        raise RowRefused("holders", "holders must list at least one PARTY:ROLE:SHARE")
    items: list[dict[str, object]] = []
    by_uuid: set[UUID] = set()
    for index, entry in enumerate(text.split(HOLDER_SEPARATOR)):
        parts = entry.strip().rsplit(":", 2)
        if len(parts) != 3 or not parts[0].strip():
            raise RowRefused(
                "holders", f"holders entry {index + 1} {entry.strip()!r} is not PARTY:ROLE:SHARE"
            )
        party, role, share = (p.strip() for p in parts)
        try:
            party_id = UUID(party)
            by_uuid.add(party_id)
        except ValueError:
            party_id = party_id_of(filer, party)
        items.append({"party_id": party_id, "role": role.upper(), **_by_right(share, index)})
    return items, by_uuid


def _by_right(text: str, index: int) -> dict[str, object]:
    """SHARE, or PR/MR/SR shares, optionally `@PRSOC/MRSOC/SRSOC` (DOMAIN.md, CSV format)."""
    shares, _, societies = text.partition("@")
    values = shares.split("/")
    if len(values) not in (1, 3):
        raise RowRefused("holders", f"holders entry {index + 1}: SHARE or PR/MR/SR shares")
    item: dict[str, object] = {"share": values[0]}
    if len(values) == 3:
        item["mechanical_share"], item["sync_share"] = values[1], values[2]
    if societies:
        codes = societies.split("/")
        if len(codes) != 3:
            raise RowRefused(
                "holders", f"holders entry {index + 1}: societies are PR/MR/SR society codes"
            )
        for right, code in zip(RIGHTS, codes, strict=True):
            if code.strip():
                item[f"{right}_society"] = code
    return item


def _alternate_titles(value: str | None) -> tuple[str, ...]:
    text = (value or "").strip()
    if not text:
        return ()
    titles = [t.strip() for t in text.split(ALTERNATE_SEPARATOR) if t.strip()]
    return parse_alternate_titles(titles)


def parse_work_row(row: int, raw: Mapping[str, str | None], *, filer: UUID) -> ImportedWork:
    """A works-file row checked as `fileWork` checks a filing; `RowRefused` names the column.

    Columns are checked in the file format's order (DOMAIN.md, "Bulk import"); a holder is a
    row key of a party of the same import (or of an earlier one by the same filer) or the
    UUID of a party in the register.
    """
    _check_width(raw)
    row_key = parse_row_key(raw.get("row_key"))
    try:
        title = required_text(raw.get("title"), field="title", max_length=TITLE_MAX)
        alternates = _alternate_titles(raw.get("alternate_titles"))
        kind = parse_enum(WorkKind, (raw.get("kind") or "").strip().upper(), field="kind")
        country = parse_country(
            required_text(raw.get("country_of_origin"), field="country_of_origin", max_length=16),
            field="country_of_origin",
        )
        identifiers = parse_identifiers(
            {name: raw.get(name) for name in ("iswc", "isrc", "isbn") if raw.get(name)}
        )
        items, by_uuid = _holder_items(raw.get("holders"), filer=filer)
        holders = parse_rights_holders(items)
        draft = WorkDraft(
            title=title,
            kind=kind,
            country_of_origin=country,
            rights_holders=holders,
            filed_by=filer,
            alternate_titles=alternates,
            identifiers=identifiers,
        )
    except DomainError as error:
        raise _refused(error, "row") from None
    return ImportedWork(
        row=row,
        row_key=row_key,
        id=work_id_of(filer, row_key),
        draft=draft,
        search=search_columns(title, alternates, country=country, kind=kind.value),
        named_party_ids=frozenset(by_uuid),
    )


# --- examination of a chunk -----------------------------------------------------------------

# `examine`'s outcome for a work with no candidate.
REGISTER = Examination(status=WorkStatus.REGISTERED, reason=None)


@dataclass
class ChunkExamination:
    """Examines rows in file order, each against the register's candidates and the rows
    examined before it (in this chunk and earlier ones of the same run): the rules of
    `examination.examine`, with the candidates gathered set-based by the importer.

    `existing_by_identifier`: holding works of the register by (name, value);
    `existing_by_title_holder`: registered works by (title key, holder party id).
    """

    existing_by_identifier: dict[tuple[str, str], list[ExistingWork]] = field(default_factory=dict)
    existing_by_title_holder: dict[tuple[str, UUID], list[ExistingWork]] = field(
        default_factory=dict
    )

    def add_existing(self, works: Iterable[ExistingWork], title_keys: Mapping[UUID, str]) -> None:
        """Register works found by the chunk's queries (`title_keys`: each one's title key)."""
        for work in works:
            self._index(work, title_keys.get(work.id))

    def _index(self, work: ExistingWork, key: str | None) -> None:
        if work.status in HOLDING_STATUSES:
            for pair in work.identifiers.items():
                self.existing_by_identifier.setdefault(pair, []).append(work)
        if key and work.status in REGISTERED_STATUSES:
            for party in work.holder_ids:
                self.existing_by_title_holder.setdefault((key, party), []).append(work)

    def examine(self, work: ImportedWork, filing_number: str) -> Examination:
        """The row's outcome; the row then counts as a candidate for the rows after it,
        under the filing number it will be stored with."""
        pairs = work.draft.identifiers.items()
        holder_ids = frozenset(h.party_id for h in work.draft.rights_holders)
        key = work.title_key
        candidates: dict[UUID, ExistingWork] = {}
        by_identifier = self.existing_by_identifier
        for pair in pairs:
            for other in by_identifier.get(pair, ()):
                candidates[other.id] = other
        by_title = self.existing_by_title_holder
        if key:
            for party in holder_ids:
                for other in by_title.get((key, party), ()):
                    candidates[other.id] = other
        # With no candidate, `examine` registers the work: most rows of an import have none,
        # and `examine` would fold their titles again.
        examined_now = examine(work.draft, candidates.values()) if candidates else REGISTER
        # A row naming another party waits for its consent, like a filing (DOMAIN.md).
        outcome = filing_outcome(work.draft, examined_now)
        if outcome.status is not WorkStatus.REJECTED:
            # As `_index` would (both outcomes hold their identifiers), without asking twice.
            examined = ExistingWork(
                id=work.id,
                filing_number=filing_number,
                title=work.draft.title,
                status=outcome.status,
                identifiers=work.draft.identifiers,
                holder_ids=holder_ids,
            )
            for pair in pairs:
                by_identifier.setdefault(pair, []).append(examined)
            if key and outcome.status in REGISTERED_STATUSES:
                for party in holder_ids:
                    by_title.setdefault((key, party), []).append(examined)
        return outcome
