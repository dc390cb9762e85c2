"""The generated register as a bulk import's files: `parties.csv` and `works.csv`.

The format is the bulk import's (docs/design/DOMAIN.md, "Bulk import"): UTF-8, RFC 4180,
a header row. Every party is written (writers and publishers), then every work, streamed
row by row from the generator, so memory stays flat at any size; the same (works, seed)
gives the same bytes.

Row keys are the filer's own keys: a party's is `p` and its generated id in hex, a work's
`w` and its generated id in hex; a work names its holders by their parties' row keys. The
import gives the rows ids of its own (from the filer and the row key), examines every work
and numbers it, so what the files carry is what a filer would send: no status, numbers,
history or folded columns.

One import has one filer, and a filer files only works it holds a share of (fileWork's
rule, which the import keeps). Each generated work's first holder is the party that filed
it; given `filer` (a party already in the register), the files are one catalogue filed by
that party: it takes the first holder's place (role and share) in every work, by its UUID,
and the other holders stay.
"""

from __future__ import annotations

import csv
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devstack.register.generator import PartyRecord, Register, WorkRecord
from devstack.register.loader import Reporter, _Silent

PARTIES_FILE = "parties.csv"
WORKS_FILE = "works.csv"
PARTY_HEADER = ("row_key", "name", "kind", "country", "ipi_name_number", "isni")
WORK_HEADER = (
    "row_key", "title", "alternate_titles", "kind", "country_of_origin", "iswc", "isrc",
    "isbn", "holders",
)  # fmt: skip
ALTERNATE_SEPARATOR = "|"
HOLDER_SEPARATOR = ";"
# Rows between two progress updates (a call per row would cost more than the row).
PROGRESS_EVERY = 10_000
WRITE_BUFFER = 1 << 20


def party_row_key(party_id: uuid.UUID) -> str:
    return f"p{party_id.hex}"


def work_row_key(work_id: uuid.UUID) -> str:
    return f"w{work_id.hex}"


def party_row(party: PartyRecord) -> tuple[str, ...]:
    return (
        party_row_key(party.id),
        party.name,
        party.kind.value,
        party.country,
        party.ipi_name_number or "",
        party.isni or "",
    )


def work_row(work: WorkRecord, filer: uuid.UUID | None = None) -> tuple[str, ...]:
    if any(ALTERNATE_SEPARATOR in t for t in work.alternate_titles):
        raise ValueError(f"an alternate title of {work.id} holds {ALTERNATE_SEPARATOR!r}")
    keys = [party_row_key(h.party_id) for h in work.holders]
    if filer is not None:
        keys[0] = str(filer)
    holders = HOLDER_SEPARATOR.join(
        f"{key}:{h.role.value}:{h.share}" for key, h in zip(keys, work.holders, strict=True)
    )
    return (
        work_row_key(work.id),
        work.title,
        ALTERNATE_SEPARATOR.join(work.alternate_titles),
        work.kind.value,
        work.country_of_origin,
        work.iswc or "",
        work.isrc or "",
        work.isbn or "",
        holders,
    )


@dataclass(frozen=True)
class CsvRegister:
    parties_path: Path
    works_path: Path
    parties: int
    works: int
    seconds: float

    @property
    def works_per_second(self) -> float:
        return self.works / self.seconds if self.seconds else 0.0


def write_register(
    directory: Path,
    works: int,
    *,
    seed: int = 16,
    filer: uuid.UUID | None = None,
    reporter: Reporter | None = None,
    on_party: Callable[[PartyRecord], None] | None = None,
    on_work: Callable[[WorkRecord], None] | None = None,
) -> CsvRegister:
    """Writes the register of `works` works made from `seed` into `directory` (created if
    missing; files there are replaced), as filed by `filer` if given (the module's note).
    `on_party` and `on_work` see every record as it is written (the benchmark samples its
    queries from them)."""
    started = time.perf_counter()
    report = reporter or _Silent()
    register = Register(works, seed=seed)
    directory.mkdir(parents=True, exist_ok=True)
    parties_path, works_path = directory / PARTIES_FILE, directory / WORKS_FILE
    report.phase("parties", register.party_count)
    parties = 0
    with parties_path.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER) as out:
        writer = csv.writer(out)
        writer.writerow(PARTY_HEADER)
        for parties, party in enumerate(register.parties(), start=1):
            writer.writerow(party_row(party))
            if on_party is not None:
                on_party(party)
            if parties % PROGRESS_EVERY == 0:
                report.advance(PROGRESS_EVERY)
    report.advance(parties % PROGRESS_EVERY)
    report.phase("works", works)
    written = 0
    with works_path.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER) as out:
        writer = csv.writer(out)
        writer.writerow(WORK_HEADER)
        for written, work in enumerate(register.works(), start=1):
            writer.writerow(work_row(work, filer))
            if on_work is not None:
                on_work(work)
            if written % PROGRESS_EVERY == 0:
                report.advance(PROGRESS_EVERY)
    report.advance(written % PROGRESS_EVERY)
    return CsvRegister(
        parties_path, works_path, parties, written, time.perf_counter() - started
    )
