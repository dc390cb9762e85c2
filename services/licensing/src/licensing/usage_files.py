"""Reading usage files a line at a time (DOMAIN.md, "Usage lines and matching"): CSV with a
header, and a simplified DDEX DSR flat file (tab-separated HEAD / SY01 / SU01 / FOOT records).
Each reader yields a line's raw cells or the error that keeps it out, never the whole file."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import IO, TextIO

from contracts.errors import InvalidInput

from licensing.domain.usage_lines import COLUMNS, REQUIRED

# A cell larger than this is refused (csv's own limit, set once for the reader).
MAX_CELL = 20_000
# An upload stays in memory up to this size, then goes to a temporary file.
SPOOL_IN_MEMORY = 4 * 1024 * 1024


class UsageFormat(StrEnum):
    CSV = "CSV"
    DSR = "DSR"


@dataclass(frozen=True)
class RawLine:
    number: int
    cells: dict[str, str | None]


@dataclass(frozen=True)
class LineError:
    number: int
    field: str
    reason: str


Read = RawLine | LineError


def read_lines(stream: TextIO, fmt: UsageFormat) -> Iterator[Read]:
    """The file's lines; a header that cannot be read refuses the whole file (InvalidInput)."""
    return _csv_lines(stream) if fmt is UsageFormat.CSV else _dsr_lines(stream)


def _csv_lines(stream: TextIO) -> Iterator[Read]:
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(stream, strict=True)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        raise InvalidInput("the file is empty: a header row is required", field="file") from None
    for name in header:
        if name not in COLUMNS:
            raise InvalidInput(f"unknown column {name!r}", field=name)
        if header.count(name) > 1:
            raise InvalidInput(f"column {name!r} appears twice", field=name)
    for name in REQUIRED:
        if name not in header:
            raise InvalidInput(f"the header lacks the required column {name!r}", field=name)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield LineError(reader.line_num, "row", f"unreadable CSV: {exc}")
            continue
        if not row:
            continue
        if len(row) != len(header):
            yield LineError(
                reader.line_num, "row", f"{len(row)} cells where the header has {len(header)}"
            )
            continue
        yield RawLine(reader.line_num, dict(zip(header, row, strict=True)))


# The simplified DSR: each record's cells after its type, in this order.
DSR_HEAD = ("format", "period_start", "period_end", "territory", "currency", "file_id")
DSR_SUMMARY = ("territory", "currency", "lines", "units", "revenue")
DSR_USAGE = ("line_key", "isrc", "iswc", "title", "performers", "writers", "units", "revenue")


@dataclass
class _Summary:
    number: int
    territory: str
    currency: str
    lines: int
    units: Decimal
    revenue: Decimal
    seen_lines: int = 0
    seen_units: Decimal = Decimal(0)
    seen_revenue: Decimal = Decimal(0)

    def mismatch(self) -> str | None:
        told = (self.lines, self.units, self.revenue)
        seen = (self.seen_lines, self.seen_units, self.seen_revenue)
        if told == seen:
            return None
        return f"SY01 states {told[0]} lines, {told[1]} units, revenue {told[2]}; " \
            f"its SU01 records hold {seen[0]}, {seen[1]}, {seen[2]}"


def _cells(names: Iterable[str], values: list[str]) -> dict[str, str]:
    return dict(zip(names, (v.strip() for v in values), strict=False))


def _decimal(text: str | None) -> Decimal:
    try:
        return Decimal(text or "")
    except InvalidOperation:
        return Decimal(-1)


def _dsr_lines(stream: TextIO) -> Iterator[Read]:
    records = (line.rstrip("\r\n").split("\t") for line in stream)
    first = next(records, None)
    if first is None or first[0].lstrip("\ufeff") != "HEAD":
        raise InvalidInput("a DSR file starts with its HEAD record", field="HEAD")
    head = _cells(DSR_HEAD, first[1:])
    if head.get("format") != "DSR" or len(first) - 1 < len(DSR_HEAD) - 1:
        raise InvalidInput(
            "HEAD: HEAD, DSR, period start, period end, territory, currency, file id",
            field="HEAD",
        )
    context = {k: head.get(k) for k in ("period_start", "period_end", "territory", "currency")}
    summary: _Summary | None = None
    usages = 0
    footed = False
    for number, cells in enumerate(records, start=2):
        kind = cells[0]
        if footed:
            yield LineError(number, "record", "a record after FOOT")
        elif kind == "SY01":
            if summary is not None and (wrong := summary.mismatch()):
                yield LineError(summary.number, "SY01", wrong)
            told = _cells(DSR_SUMMARY, cells[1:])
            context.update(territory=told.get("territory"), currency=told.get("currency"))
            summary = _Summary(number, told.get("territory") or "", told.get("currency") or "",
                               int(_decimal(told.get("lines"))), _decimal(told.get("units")),
                               _decimal(told.get("revenue")))  # fmt: skip
        elif kind == "SU01":
            usages += 1
            if len(cells) - 1 != len(DSR_USAGE):
                yield LineError(number, "row", f"SU01 has {len(DSR_USAGE)} cells after its type")
                continue
            raw: dict[str, str | None] = {**context, **_cells(DSR_USAGE, cells[1:])}
            if summary is not None:
                summary.seen_lines += 1
                summary.seen_units += _decimal(raw.get("units"))
                summary.seen_revenue += _decimal(raw.get("revenue"))
            yield RawLine(number, raw)
        elif kind == "FOOT":
            footed = True
            if summary is not None and (wrong := summary.mismatch()):
                yield LineError(summary.number, "SY01", wrong)
            if cells[1:2] != [str(usages)]:
                yield LineError(number, "FOOT", f"FOOT states {cells[1:2]} SU01 records, "
                                                f"the file holds {usages}")  # fmt: skip
        elif kind.strip():
            yield LineError(number, "record", f"unknown DSR record type {kind!r}")
    if not footed:
        yield LineError(0, "FOOT", "the file ends without its FOOT record")


async def spool(chunks: AsyncIterator[bytes], max_bytes: int) -> tuple[IO[bytes], str]:
    """The upload written to a temporary file as it streams in (memory stays bounded),
    checked to be UTF-8 text as it passes; and its SHA-256, the file's key when none is given.
    A file over `max_bytes` or not UTF-8 is refused whole (field `file`), nothing stored."""
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise InvalidInput(f"the file is larger than {max_bytes} bytes", field="file")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                raise InvalidInput(
                    f"the file is not UTF-8 text (byte {size - len(chunk)} onwards)", field="file"
                ) from None
            digest.update(chunk)
            spooled.write(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        spooled.close()
        raise InvalidInput("the file ends inside a UTF-8 character", field="file") from None
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return spooled, f"sha256:{digest.hexdigest()}"


def as_text(spooled: IO[bytes]) -> TextIO:
    """The spooled bytes as text (a BOM dropped), newlines left to the readers."""
    return io.TextIOWrapper(spooled, encoding="utf-8-sig", newline="")
