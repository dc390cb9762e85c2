"""Reading CWR 2.1 and 3.0 files (CISAC Common Works Registration, fixed-width records)
streamed, a transaction at a time, as the rows of the CSV format (DOMAIN.md, "Bulk import").

A transaction is an NWR or REV (2.1) or WRK (3.0) record and the records after it up to the
next one: SPU (publishers) and SWR (writers) give the rights holders, SPT/SWT their shares
where the SPU/SWR records carry none (3.0), ALT the alternate titles. PER (performers) and
REC (recordings) are read and checked for shape but not stored: a performer has no share, and
a recording's ISRC identifies a SOUND_RECORDING, a work of its own in this register, not the
musical work. Each party becomes a row of the parties file keyed by its interested party
number; the SPU of the file's sender (its IPI or name in HDR) is the filer itself.

Shares: CWR gives each holder performing (PR), mechanical (MR) and synchronisation (SR)
ownership shares and a society per right; the register keeps them all (`share` is the PR
share) when the MR and SR shares are complete (`_by_right`), else the PR share alone. OPU and
OWR (other publishers and writers) are holders as SPU and SWR are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO
from uuid import UUID

from filing.domain.bulk import ROW_FAULT

WORK_RECORDS = ("NWR", "REV", "WRK")
PUBLISHER_ROLES = {"E": "PUBLISHER", "AM": "PUBLISHER", "SE": "PUBLISHER", "AQ": "PUBLISHER",
                   "PA": "PUBLISHER", "ES": "PUBLISHER"}
WRITER_ROLES = {"CA": "COMPOSER", "C": "COMPOSER", "A": "LYRICIST", "AR": "ARRANGER",
                "AD": "ARRANGER", "SR": "ARRANGER", "SA": "LYRICIST", "TR": "OTHER"}

RawRow = tuple[int, dict[str, str | None]]


class CwrFault(ValueError):
    """A record that is not what its type says (the row and field it names go to the report)."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


@dataclass
class Header:
    version: str = "2.1"
    sender_id: str = ""
    sender_name: str = ""


@dataclass
class Holder:
    code: str
    name: str
    role: str
    ipi: str | None
    pr_share: Decimal | None
    publisher: bool
    # MR and SR ownership shares and the society per right (2.1 SPU/SWR/OPU/OWR).
    mr_share: Decimal | None = None
    sr_share: Decimal | None = None
    societies: tuple[str, str, str] = ("", "", "")


@dataclass
class Transaction:
    row: int
    title: str
    code: str
    iswc: str | None
    alternate_titles: list[str] = field(default_factory=list)
    holders: list[Holder] = field(default_factory=list)
    territory_shares: dict[str, Decimal] = field(default_factory=dict)
    faults: list[tuple[str, str]] = field(default_factory=list)


def _cut(line: str, start: int, end: int) -> str:
    return line[start:end].strip()


def _share(text: str) -> Decimal | None:
    """A CWR share: five digits, percent with two implied decimals ("05000" = 50.00)."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise CwrFault("share", f"share {text!r} is not five digits")
    return Decimal(int(text)) / 100


def _ipi(text: str) -> str | None:
    text = text.strip()
    if not text or set(text) == {"0"}:
        return None
    return text.zfill(11)


def read_header(line: str) -> Header:
    """The sender and the version: 3.0 and 3.1 write theirs at 102, 2.1 and 2.2 use the
    2.1 layout (sender IPI at 5, name at 14)."""
    if not line.startswith("HDR"):
        raise CwrFault("HDR", "a CWR file starts with an HDR record")
    if line[102:105] in ("3.0", "3.1"):
        return Header("3.0", _cut(line, 5, 9), _cut(line, 9, 54))
    return Header("2.1", _cut(line, 5, 14), _cut(line, 14, 59))


def _rights(line: str, at: int) -> dict[str, object]:
    """PR, MR and SR society and ownership share, from `at` (2.1: society 3, share 5 each)."""
    return {
        "pr_share": _share(line[at + 3 : at + 8]),
        "mr_share": _share(line[at + 11 : at + 16]),
        "sr_share": _share(line[at + 19 : at + 24]),
        "societies": (_cut(line, at, at + 3), _cut(line, at + 8, at + 11),
                      _cut(line, at + 16, at + 19)),
    }  # fmt: skip


def _writer(line: str, version: str) -> Holder:
    ipi_at = (106, 117) if version == "3.0" else (115, 126)
    name = " ".join(p for p in (_cut(line, 73, 103), _cut(line, 28, 73)) if p)
    rights: dict[str, Any] = {"pr_share": None} if version == "3.0" else _rights(line, 126)
    return Holder(
        code=_cut(line, 19, 28),
        name=name,
        role=WRITER_ROLES.get(_cut(line, 104, 106), "OTHER"),
        ipi=_ipi(line[ipi_at[0] : ipi_at[1]]),
        publisher=False,
        **rights,
    )


def _publisher(line: str, version: str) -> Holder:
    rights: dict[str, Any] = {"pr_share": None} if version == "3.0" else _rights(line, 112)
    return Holder(
        code=_cut(line, 21, 30),
        name=_cut(line, 30, 75),
        role=PUBLISHER_ROLES.get(_cut(line, 76, 78), "PUBLISHER"),
        ipi=_ipi(line[87:98]),
        publisher=True,
        **rights,
    )


def _territory_share(line: str, version: str, *, publisher: bool) -> tuple[str, Decimal | None]:
    if version == "3.0":
        return _cut(line, 22, 31), _share(line[31:36])
    if publisher:
        return _cut(line, 19, 28), _share(line[34:39])
    return _cut(line, 19, 28), _share(line[28:33])


def transactions(stream: TextIO) -> Iterator[tuple[Header, Transaction]]:
    """Each work transaction of the file, with the file's header; read a line at a time."""
    header: Header | None = None
    current: Transaction | None = None
    for number, raw in enumerate(stream, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        kind = line[:3]
        if header is None:
            header = read_header(line)
            continue
        if kind in WORK_RECORDS:
            if current is not None:
                yield header, current
            current = Transaction(
                row=number,
                title=_cut(line, 19, 79),
                code=_cut(line, 81, 95),
                iswc=_cut(line, 95, 106) or None,
            )
            continue
        if current is None or kind in ("GRH", "GRT", "TRL"):
            if kind in ("GRT", "TRL") and current is not None:
                yield header, current
                current = None
            continue
        try:
            if kind in ("SPU", "OPU"):
                current.holders.append(_publisher(line, header.version))
            elif kind in ("SWR", "OWR"):
                current.holders.append(_writer(line, header.version))
            elif kind in ("SPT", "SWT"):
                code, share = _territory_share(line, header.version, publisher=kind == "SPT")
                if share is not None:
                    current.territory_shares.setdefault(code, share)
            elif kind == "ALT":
                title = _cut(line, 19, 79)
                if title:
                    current.alternate_titles.append(title)
            elif kind in ("PER", "REC"):
                pass
        except CwrFault as fault:
            current.faults.append((f"{kind}.{fault.field}", f"line {number}: {fault.reason}"))
    if current is not None and header is not None:
        yield header, current


def _is_sender(holder: Holder, header: Header) -> bool:
    if not holder.publisher:
        return False
    if holder.ipi and header.sender_id and holder.ipi.endswith(header.sender_id.zfill(9)):
        return True
    return bool(header.sender_name) and holder.name.casefold() == header.sender_name.casefold()


def _party_key(holder: Holder) -> str:
    return f"cwr:{holder.code or holder.ipi}"


def works_rows(stream: TextIO, *, filer: UUID, country: str) -> Iterator[RawRow]:
    """The works-file rows of the file's transactions (holders by party row key); CWR names
    no country of origin, so each work takes `country` (the filer's)."""
    for header, tx in transactions(stream):
        if tx.faults:
            field_name, reason = tx.faults[0]
            yield tx.row, {ROW_FAULT: f"{field_name}: {reason}"}
            continue
        by_right = _by_right(tx.holders)
        shares: dict[tuple[str, str], list[Decimal]] = {}
        societies: dict[tuple[str, str], tuple[str, str, str]] = {}
        for holder in tx.holders:
            share = holder.pr_share
            if share is None or share == 0:
                share = tx.territory_shares.get(holder.code)
            if share is None or share == 0:
                continue  # a holder without a performing share holds nothing here
            party = str(filer) if _is_sender(holder, header) else _party_key(holder)
            key = (party, holder.role)
            held = [share, holder.mr_share or Decimal(0), holder.sr_share or Decimal(0)]
            before = shares.get(key, [Decimal(0)] * 3)
            shares[key] = [a + b for a, b in zip(before, held, strict=True)]
            if any(holder.societies):
                societies.setdefault(key, holder.societies)
        entries = [
            f"{party}:{role}:"
            + ("/".join(f"{v:.2f}" for v in held) if by_right else f"{held[0]:.2f}")
            + ("@" + "/".join(societies[(party, role)]) if (party, role) in societies else "")
            for (party, role), held in shares.items()
        ]
        yield tx.row, {
            "row_key": f"cwr:{tx.code or tx.row}",
            "title": tx.title,
            "alternate_titles": "|".join(tx.alternate_titles),
            "kind": "MUSICAL_WORK",
            "country_of_origin": country,
            "iswc": tx.iswc,
            "holders": ";".join(entries),
        }


def _by_right(holders: list[Holder]) -> bool:
    """Whether the transaction's MR and SR shares are kept: each sums to 100 among its
    holders, and every holder of either has a PR share (the register's `share` is above
    0); otherwise (a sender that fills in PR shares only, say) the work keeps one share per
    holder, its PR share, as before (DOMAIN.md, "CWR 2.1 and 3.0")."""
    hundred = Decimal(100)
    for shares in ([h.mr_share for h in holders], [h.sr_share for h in holders]):
        if any(s is None for s in shares) or sum(s or 0 for s in shares) != hundred:
            return False
    return all(
        h.pr_share for h in holders if (h.mr_share or 0) > 0 or (h.sr_share or 0) > 0
    )


def parties_in(stream: TextIO, *, country: str) -> Iterator[RawRow]:
    """The parties-file rows of every SPU and SWR in the file, once each (a first pass over
    it); CWR names no party's country, so each takes `country` (the filer's)."""
    seen: set[str] = set()
    for header, tx in transactions(stream):
        for holder in tx.holders:
            key = _party_key(holder)
            if _is_sender(holder, header) or key in seen:
                continue
            seen.add(key)
            yield tx.row, {
                "row_key": key,
                "name": holder.name,
                "kind": "ORGANIZATION" if holder.publisher else "PERSON",
                "country": country,
                "ipi_name_number": holder.ipi,
                "isni": None,
            }
