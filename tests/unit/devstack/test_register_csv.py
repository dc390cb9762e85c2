"""The generated register as a bulk import's files (devstack.register.csv_files): read back
with the csv module, the files hold exactly the generated records, every holder names a
party of the same import, and the same seed writes the same bytes."""

from __future__ import annotations

import csv
import hashlib
import uuid
from decimal import Decimal
from pathlib import Path

from devstack.register.csv_files import (
    PARTY_HEADER,
    WORK_HEADER,
    party_row_key,
    work_row_key,
    write_register,
)
from devstack.register.generator import Register

SIZE = 1500
SEED = 5


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _digest(directory: Path) -> str:
    return hashlib.sha256(
        (directory / "parties.csv").read_bytes() + (directory / "works.csv").read_bytes()
    ).hexdigest()


def test_the_files_parse_back_to_the_generated_records(tmp_path: Path) -> None:
    written = write_register(tmp_path, SIZE, seed=SEED)
    register = Register(SIZE, seed=SEED)
    parties = list(register.parties())
    works = list(register.works())
    assert (written.parties, written.works) == (len(parties), len(works)) == (
        register.party_count,
        SIZE,
    )

    header, party_rows = _rows(written.parties_path)
    assert tuple(header) == PARTY_HEADER
    assert len(party_rows) == len(parties)
    for row, party in zip(party_rows, parties, strict=True):
        assert row == {
            "row_key": party_row_key(party.id),
            "name": party.name,
            "kind": party.kind.value,
            "country": party.country,
            "ipi_name_number": party.ipi_name_number or "",
            "isni": party.isni or "",
        }
    party_keys = {row["row_key"] for row in party_rows}
    assert len(party_keys) == len(party_rows)

    header, work_rows = _rows(written.works_path)
    assert tuple(header) == WORK_HEADER
    assert len(work_rows) == len(works)
    for row, work in zip(work_rows, works, strict=True):
        alternates = tuple(row["alternate_titles"].split("|")) if row["alternate_titles"] else ()
        holders = [entry.split(":") for entry in row["holders"].split(";")]
        assert row["row_key"] == work_row_key(work.id)
        assert row["title"] == work.title
        assert alternates == work.alternate_titles
        assert row["kind"] == work.kind.value
        assert row["country_of_origin"] == work.country_of_origin
        assert (row["iswc"], row["isrc"], row["isbn"]) == (
            work.iswc or "", work.isrc or "", work.isbn or ""
        )
        assert [(key, role, Decimal(share)) for key, role, share in holders] == [
            (party_row_key(h.party_id), h.role.value, h.share) for h in work.holders
        ]
        assert {key for key, _, _ in holders} <= party_keys
        assert sum(Decimal(share) for _, _, share in holders) == Decimal("100.00")
    assert len({row["row_key"] for row in work_rows}) == SIZE


def test_the_same_seed_writes_the_same_files_and_another_seed_others(tmp_path: Path) -> None:
    write_register(tmp_path / "a", 400, seed=SEED)
    write_register(tmp_path / "b", 400, seed=SEED)
    write_register(tmp_path / "c", 400, seed=SEED + 1)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b") != _digest(tmp_path / "c")


def test_row_keys_are_the_generated_ids() -> None:
    party, work = uuid.UUID(int=1), uuid.UUID(int=2)
    assert uuid.UUID(party_row_key(party)[1:]) == party
    assert uuid.UUID(work_row_key(work)[1:]) == work
    assert party_row_key(party) != work_row_key(party)


def test_a_filer_takes_each_works_first_holders_place_and_the_others_stay(
    tmp_path: Path,
) -> None:
    filer = uuid.UUID("0b6f3a52-5a1e-4a8e-9d2c-1f0e7d6c5b4a")
    written = write_register(tmp_path, 300, seed=SEED, filer=filer)
    works = list(Register(300, seed=SEED).works())
    _, rows = _rows(written.works_path)
    for row, work in zip(rows, works, strict=True):
        entries = [entry.split(":") for entry in row["holders"].split(";")]
        first, rest = entries[0], entries[1:]
        assert first == [str(filer), work.holders[0].role.value, str(work.holders[0].share)]
        assert rest == [
            [party_row_key(h.party_id), h.role.value, str(h.share)] for h in work.holders[1:]
        ]
