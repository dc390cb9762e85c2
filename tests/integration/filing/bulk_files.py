"""Import files in the agreed CSV format (DOMAIN.md, "Bulk import") made from the generated
register (every ASEAN script), for the bulk import's tests and its throughput measurement.

The importing party is the first rights holder of every work (the filer must be one)."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

from devstack.register.generator import Register

PARTY_HEADER = ("row_key", "name", "kind", "country", "ipi_name_number", "isni")
WORK_HEADER = (
    "row_key", "title", "alternate_titles", "kind", "country_of_origin", "iswc", "isrc",
    "isbn", "holders",
)


def write_register_files(
    directory: Path, works: int, *, filer: uuid.UUID, seed: int = 16
) -> tuple[Path, Path]:
    """(parties.csv, works.csv) of a generated register of `works` works, streamed to disk."""
    register = Register(works, seed=seed)
    keys: dict[uuid.UUID, str] = {}
    parties_path, works_path = directory / "parties.csv", directory / "works.csv"
    with parties_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(PARTY_HEADER)
        for index, p in enumerate(register.parties()):
            keys[p.id] = f"p{index}"
            writer.writerow(
                (keys[p.id], p.name, p.kind.value, p.country, p.ipi_name_number or "",
                 p.isni or "")
            )
    with works_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(WORK_HEADER)
        for index, w in enumerate(register.works()):
            holders = []
            for position, h in enumerate(w.holders):
                party = str(filer) if position == 0 else keys[h.party_id]
                holders.append(f"{party}:{h.role.value}:{h.share}")
            writer.writerow(
                (f"w{index}", w.title, "|".join(w.alternate_titles), w.kind.value,
                 w.country_of_origin, w.iswc or "", w.isrc or "", w.isbn or "",
                 ";".join(holders))
            )
    return parties_path, works_path
