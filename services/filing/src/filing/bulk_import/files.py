"""Reading an import's files streamed (a row at a time, never the whole file) and writing its
error report (row, field, reason) as CSV."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from typing import BinaryIO, TextIO

from filing.domain import bulk
from filing.domain.bulk import RowError

REPORT_HEADER = ("row", "field", "reason")
Row = tuple[int, dict[str, str | None]]
Rows = Iterator[Row]
# A cell longer than this is not a title, a name or a list of holders: refuse the file's row.
CELL_MAX = 20_000


def text_stream(raw: BinaryIO) -> io.TextIOWrapper:
    """An import file's bytes as text: UTF-8 with a BOM dropped, newlines as the csv module
    wants them. Bytes that are not UTF-8 are kept as lone surrogates, which the domain's text
    checks refuse, so such a row is reported (row, column) and the rest of the file imports."""
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")


def csv_rows(
    stream: TextIO, *, file: str, required: Sequence[str], optional: Sequence[str]
) -> Rows:
    """(row number, cells by column) of each data row; the header is row 1 and is checked
    first (`bulk.BadHeader` names the column). A BOM before the header is tolerated."""
    csv.field_size_limit(CELL_MAX)
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        header = []
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    header = [column.strip() for column in header]
    bulk.check_header(header, file=file, required=required, optional=optional)
    width = len(header)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # A cell over CELL_MAX, or broken quoting: this row is refused, the next is read.
            yield reader.line_num, {bulk.ROW_FAULT: f"unreadable CSV: {error}"}
            continue
        row = reader.line_num
        if not cells or cells == [""]:
            continue
        if len(cells) != width:
            yield row, {bulk.ROW_FAULT: f"{len(cells)} cells where the header has {width}"}
            continue
        yield row, dict(zip(header, cells, strict=True))


# Each file of an import: its required and its optional columns (DOMAIN.md, "CSV format").
COLUMNS = {
    "works": (bulk.WORK_COLUMNS_REQUIRED, bulk.WORK_COLUMNS_OPTIONAL),
    "parties": (bulk.PARTY_COLUMNS_REQUIRED, bulk.PARTY_COLUMNS_OPTIONAL),
}


def rows_of(file: str, stream: TextIO) -> Rows:
    required, optional = COLUMNS[file]
    return csv_rows(stream, file=file, required=required, optional=optional)


def works_rows(stream: TextIO) -> Rows:
    return rows_of("works", stream)


def parties_rows(stream: TextIO) -> Rows:
    return rows_of("parties", stream)


def opened(rows: Rows) -> Rows:
    """`rows` with its header checked now (a reader checks it at its first row), so an
    import checks every file's header before it writes anything."""
    first = next(rows, None)
    return iter(()) if first is None else itertools.chain([first], rows)


class ErrorReport:
    """The per-row error report, written as the rows are refused (never held in memory)."""

    def __init__(self, stream: TextIO) -> None:
        self._writer = csv.writer(stream)
        self._writer.writerow(REPORT_HEADER)
        self.count = 0

    def __call__(self, error: RowError) -> None:
        self._writer.writerow((error.row, error.field, error.reason))
        self.count += 1
