"""A CWR 2.1 file (CISAC Common Works Registration, fixed-width records) for one society,
made from works and their parties: pure, no I/O (DOMAIN.md, "CWR export").

Layouts are CWR 2.1's (CISAC CWR User Manual, revision 7): every record starts with its
type (3), the transaction sequence number (8) and the record sequence number within the
transaction (8). A holder affiliated with the society for any right is *controlled* (SPU
with its SPT, SWR with its SWT and PWR); the others are *other* parties (OPU, OWR), so the
society sees every share of the work and knows whose it registers.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from contracts.enums import Role
from contracts.shares import RIGHTS, collection_share

from filing.domain.holders import RightsHolder
from filing.domain.romanisation import latin

VERSION_21 = "2.1"
WORLD_TIS = "2136"
CRLF = "\r\n"
# Roles as CWR writer designations; a PUBLISHER is a publisher (E, original publisher); the
# register's other holders (producer, performer, other) are income participants (PA).
WRITER_DESIGNATIONS = {
    Role.COMPOSER: "C", Role.LYRICIST: "A", Role.AUTHOR: "CA", Role.ARRANGER: "AR",
}  # fmt: skip
PUBLISHER_TYPES = {Role.PUBLISHER: "E"}
INCOME_PARTICIPANT = "PA"
_NOT_CWR_ASCII = re.compile(r"[^ -~]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class CwrParty:
    """What a CWR file says of a party: its name, IPI name number and kind."""

    id: UUID
    name: str
    ipi_name_number: str | None
    person: bool


@dataclass(frozen=True)
class CwrWork:
    """A work as it is registered: its submitter number (the register's registration
    number), titles, ISWC and holders; `revision` when the society was sent it before."""

    work_id: UUID
    submitter_work_number: str
    title: str
    alternate_titles: tuple[str, ...]
    iswc: str | None
    holders: tuple[RightsHolder, ...]
    revision: bool = False


@dataclass(frozen=True)
class Sender:
    """Who sends the file: type (PB publisher, AA administrative agency, SO society, WR
    writer), its id (IPI name number or the society's code for it) and name, and the short
    code the file's name carries."""

    type: str
    id: str
    name: str
    code: str


@dataclass(frozen=True)
class CwrFile:
    name: str
    text: str
    transactions: int
    records: int


def ascii_text(text: str) -> str:
    """Text as CWR 2.1 allows it (upper-case ASCII): each non-Latin word romanised as the
    register's search romanises it (`romanisation.latin`), Latin letters without their
    diacritics, anything else left out."""
    words = [_ascii_word(word) for word in _SPACES.split(text.strip())]
    return _SPACES.sub(" ", " ".join(words)).strip().upper()


@functools.lru_cache(maxsize=1 << 16)
def _ascii_word(word: str) -> str:
    if not word.isascii():
        word = latin(unicodedata.normalize("NFC", word.casefold()))
    return _NOT_CWR_ASCII.sub("", word)


def party_number(party_id: UUID) -> str:
    """The interested party number of a party: 9 base-36 characters of its id, the same in
    every file (a society's database keys parties by it)."""
    value = party_id.int >> 64
    digits = ""
    for _ in range(9):
        value, rest = divmod(value, 36)
        digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rest] + digits
    return digits


def _a(value: str | None, width: int) -> str:
    """An alphanumeric field: left-aligned, space-filled, cut to its width."""
    return (value or "")[:width].ljust(width)


def _n(value: int, width: int) -> str:
    return str(value).zfill(width)[-width:]


def _share(value: Decimal) -> str:
    """A share: five digits, two implied decimals (50.00 → "05000")."""
    return _n(int((value * 100).to_integral_value()), 5)


def _ipi(value: str | None) -> str:
    return _a(value, 11) if value else " " * 11


def _society(value: str | None) -> str:
    return _a(value, 3)


def _iswc(value: str | None) -> str:
    return _a(value.replace("-", "").replace(".", "") if value else None, 11)


def _names(party: CwrParty) -> tuple[str, str]:
    """A person's last and first names (CWR asks for both; the register keeps one name:
    its last word is the last name)."""
    name = ascii_text(party.name) or "UNKNOWN"
    if not party.person or " " not in name:
        return name, ""
    first, _, last = name.rpartition(" ")
    return last, first


class _Transaction:
    """One transaction's records, numbered as CWR numbers them."""

    def __init__(self, sequence: int) -> None:
        self.sequence = sequence
        self.records: list[str] = []

    def add(self, kind: str, body: str) -> None:
        self.records.append(f"{kind}{_n(self.sequence, 8)}{_n(len(self.records), 8)}{body}")


def _holder_body(holder: RightsHolder, party: CwrParty, *, publisher_sequence: int) -> str:
    number = party_number(holder.party_id)
    shares = "".join(
        _society(holder.society_of(right)) + _share(holder.share_of(right)) for right in RIGHTS
    )
    if _is_publisher(holder):
        kind = PUBLISHER_TYPES.get(holder.role, INCOME_PARTICIPANT)
        return (
            _n(publisher_sequence, 2) + _a(number, 9) + _a(ascii_text(party.name), 45) + " "
            + _a(kind, 2) + " " * 9 + _ipi(party.ipi_name_number) + " " * 14 + shares
            + " " * 3 + " " * 13 + " " * 14 + " " * 14 + "  " + " "
        )  # fmt: skip
    last, first = _names(party)
    return (
        _a(number, 9) + _a(last, 45) + _a(first, 30) + " "
        + _a(WRITER_DESIGNATIONS.get(holder.role, "CA"), 2) + " " * 9
        + _ipi(party.ipi_name_number) + shares + " " * 4 + " " * 13 + " " * 12 + " "
    )  # fmt: skip


def _is_publisher(holder: RightsHolder) -> bool:
    return holder.role not in WRITER_DESIGNATIONS


@dataclass(frozen=True)
class TerritoryRecord:
    """One SPT/SWT record's territory: a TIS code (the world, or an ISO country to look up),
    included (`I`, at these collection shares per right) or excluded (`E`, shares zero)."""

    territory: str
    included: bool
    shares: Mapping[str, Decimal]


def territory_records(holder: RightsHolder) -> list[TerritoryRecord]:
    """A holder's territories as an expression read in order (DOMAIN.md, "Territories"): the
    world at its ownership shares, then each country where it collects otherwise excluded
    and, where it collects any share there, included again at its collection shares."""
    nothing = {right: Decimal(0) for right in RIGHTS}
    records = [TerritoryRecord(WORLD_TIS, True, {r: holder.share_of(r) for r in RIGHTS})]
    for listed in holder.territory_shares or ():
        country = listed.territory
        shares = {right: collection_share(holder, country, right) for right in RIGHTS}
        records.append(TerritoryRecord(country, False, nothing))
        if any(shares.values()):
            records.append(TerritoryRecord(country, True, shares))
    return records


def _territory_body(
    record: TerritoryRecord, sequence: int, tis_code: Callable[[str], str]
) -> str:
    """The shares, the indicator, the TIS code, shares change (blank) and the sequence."""
    code = record.territory if record.territory == WORLD_TIS else tis_code(record.territory)
    return (
        "".join(_share(record.shares[r]) for r in RIGHTS) + ("I" if record.included else "E")
        + _a(code, 4) + " " + _n(sequence, 3)
    )  # fmt: skip


def transaction_records(
    work: CwrWork,
    sequence: int,
    parties: Mapping[UUID, CwrParty],
    society: str,
    tis_code: Callable[[str], str],
) -> list[str]:
    """The records of one work's NWR (or REV) transaction."""
    tx = _Transaction(sequence)
    tx.add(
        "REV" if work.revision else "NWR",
        _a(ascii_text(work.title) or "UNTITLED", 60) + "  " + _a(work.submitter_work_number, 14)
        + _iswc(work.iswc) + " " * 8 + " " * 12 + "UNC" + "000000" + "U" + " " * 3 + " " * 3
        + "ORI" + " " * 3 + " " * 3 + " " * 3 + " " * 30 + " " * 10 + "  " + " " + "000"
        + " " * 8 + " " + " " * 25 + " " * 25 + " ",
    )  # fmt: skip
    controlled = [h for h in work.holders if society in h.societies()]
    others = [h for h in work.holders if society not in h.societies()]
    publishers = [h for h in controlled if _is_publisher(h)]
    for index, holder in enumerate(publishers, start=1):
        tx.add("SPU", _holder_body(holder, parties[holder.party_id], publisher_sequence=index))
        for number, record in enumerate(territory_records(holder), start=1):
            body = _territory_body(record, number, tis_code)
            tx.add("SPT", _a(party_number(holder.party_id), 9) + " " * 6 + body)
    for index, holder in enumerate((h for h in others if _is_publisher(h)), start=1):
        body = _holder_body(holder, parties[holder.party_id], publisher_sequence=index)
        tx.add("OPU", body)
    first_publisher = publishers[0] if publishers else None
    for holder in (h for h in controlled if not _is_publisher(h)):
        party = parties[holder.party_id]
        tx.add("SWR", _holder_body(holder, party, publisher_sequence=0))
        for number, record in enumerate(territory_records(holder), start=1):
            body = _territory_body(record, number, tis_code)
            tx.add("SWT", _a(party_number(holder.party_id), 9) + body)
        if first_publisher is not None:
            publisher = parties[first_publisher.party_id]
            tx.add(
                "PWR",
                _a(party_number(first_publisher.party_id), 9)
                + _a(ascii_text(publisher.name), 45) + " " * 14 + " " * 14
                + _a(party_number(holder.party_id), 9),
            )  # fmt: skip
    for holder in (h for h in others if not _is_publisher(h)):
        tx.add("OWR", _holder_body(holder, parties[holder.party_id], publisher_sequence=0))
    for title in work.alternate_titles:
        text = ascii_text(title)
        if text:
            tx.add("ALT", _a(text, 60) + "AT" + "  ")
    for holder in work.holders:
        if holder.role is Role.PERFORMER:
            last, first = _names(parties[holder.party_id])
            tx.add("PER", _a(last, 45) + _a(first, 30) + " " * 11 + " " * 13)
    return tx.records


def cwr_file(
    works: Iterable[CwrWork],
    parties: Mapping[UUID, CwrParty],
    *,
    society: str,
    sender: Sender,
    created: datetime,
    file_sequence: int,
    tis_code: Callable[[str], str],
) -> CwrFile:
    """The whole file: HDR, one group of NWR/REV transactions (GRH … GRT), TRL; its name
    `CWyynnnnSSS_RRR.V21` (year, sequence, sender's code, the society's code)."""
    stamp_date, stamp_time = created.strftime("%Y%m%d"), created.strftime("%H%M%S")
    lines = [
        "HDR" + _a(sender.type, 2) + _a(sender.id, 9).replace(" ", "0") + _a(sender.name, 45)
        + "01.10" + stamp_date + stamp_time + stamp_date + " " * 15,
    ]  # fmt: skip
    # A group holds transactions of one type, numbered from 0 (new works, then revisions).
    by_kind: dict[str, list[CwrWork]] = {"NWR": [], "REV": []}
    for work in works:
        by_kind["REV" if work.revision else "NWR"].append(work)
    groups = [(kind, listed) for kind, listed in by_kind.items() if listed] or [("NWR", [])]
    transactions = 0
    for group_id, (kind, listed) in enumerate(groups, start=1):
        records = [
            record
            for sequence, work in enumerate(listed)
            for record in transaction_records(work, sequence, parties, society, tis_code)
        ]
        lines.append("GRH" + kind + _n(group_id, 5) + "02.10" + " " * 10 + "  ")
        lines.extend(records)
        lines.append("GRT" + _n(group_id, 5) + _n(len(listed), 8) + _n(len(records) + 2, 8))
        transactions += len(listed)
    lines.append("TRL" + _n(len(groups), 5) + _n(transactions, 8) + _n(len(lines) + 1, 8))
    name = f"CW{created:%y}{_n(file_sequence, 4)}{sender.code}_{society}.V21"
    return CwrFile(
        name=name, text=CRLF.join(lines) + CRLF, transactions=transactions, records=len(lines)
    )

