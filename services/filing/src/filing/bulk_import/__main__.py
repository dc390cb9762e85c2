"""`python -m filing.bulk_import --works works.csv [--parties parties.csv] --format csv|cwr
--filer PARTY_UUID [--database-url URL] [--report errors.csv] [--summary-json summary.json]`:
imports the files into filing's database with a progress bar, writes the error report and the
summary. Exit 0 when the files were processed (even with refused rows), 2 on a bad file."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO
from uuid import UUID

import asyncpg
from contracts.errors import DomainError
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from runtime.db import connect_args

from filing.bulk_import import cwr, files, reader
from filing.bulk_import.importer import BulkImport, ImportSummary
from filing.settings import FilingSettings


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m filing.bulk_import", description=__doc__)
    parser.add_argument("--works", type=Path, required=True)
    parser.add_argument("--parties", type=Path)
    parser.add_argument("--format", choices=("csv", "cwr"), default="csv")
    parser.add_argument("--filer", type=UUID, required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--report", type=Path, default=Path("errors.csv"))
    parser.add_argument("--summary-json", type=Path)
    parser.add_argument(
        "--parse-in-child", action=argparse.BooleanOptionalAction, default=True,
        help="read and check the works in a child process while this one writes (the "
        "default: a quarter faster on 2 idle cores; slower on a machine already busy)",
    )
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="rows per transaction (default FILING_BULK_IMPORT_CHUNK_SIZE)")
    return parser.parse_args(argv)


def _follow(position: list[int], raw: BinaryIO, bar: _Bar) -> None:
    position[0] = raw.tell()
    bar.update()


def plain_url(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


class _Bar:
    """The progress bar of a file: how far into it the reader is (`position[0]`, bytes)."""

    def __init__(
        self, progress: Progress | None, name: str, position: list[int], size: int
    ) -> None:
        self.progress, self.position = progress, position
        self.task: Any = progress.add_task(name, total=size) if progress else None

    def update(self) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=self.position[0])


@contextlib.contextmanager
def _text(path: Path) -> Iterator[tuple[TextIO, BinaryIO]]:
    raw = path.open("rb")
    try:
        yield files.text_stream(raw), raw
    finally:
        raw.close()


async def run(
    args: argparse.Namespace, *, report: TextIO, progress: Progress | None
) -> ImportSummary:
    settings = FilingSettings()
    url = args.database_url or settings.database_url
    conn = await asyncpg.connect(plain_url(url), **connect_args(url))
    try:
        importer = BulkImport(
            conn,
            filer=args.filer,
            on_error=files.ErrorReport(report),
            chunk_size=args.chunk_size or settings.bulk_import_chunk_size,
            consent_days=settings.consent_days,
        )
        country = await importer.check_filer()
        # Every header is checked before a row is written: a bad file changes nothing.
        with contextlib.ExitStack() as stack:
            if args.format == "cwr":
                first_pass, _ = stack.enter_context(_text(args.works))
                party_rows = files.opened(cwr.parties_in(first_pass, country=country))
            else:
                header, _ = stack.enter_context(_text(args.works))
                files.opened(files.works_rows(header))
                party_rows = iter(())
                if args.parties is not None:
                    parties, _ = stack.enter_context(_text(args.parties))
                    party_rows = files.opened(files.parties_rows(parties))
            await importer.import_parties(party_rows)
        position = [0]
        bar = _Bar(progress, "works", position, args.works.stat().st_size)
        importer.progress = lambda _n: bar.update()
        if args.parse_in_child:
            await importer.import_parsed(
                reader.parsed_in_child(
                    args.works, file_format=args.format, filer=args.filer, country=country,
                    chunk_size=importer.chunk_size, position=position,
                )
            )
        else:
            with contextlib.ExitStack() as stack:
                works, raw = stack.enter_context(_text(args.works))
                rows = (
                    files.works_rows(works)
                    if args.format == "csv"
                    else cwr.works_rows(works, filer=args.filer, country=country)
                )
                importer.progress = lambda _n: _follow(position, raw, bar)
                await importer.import_works(rows)
        bar.update()
        return await importer.finish()
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    reader.bulk_gc()
    progress = (
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
        )
        if sys.stderr.isatty()
        else None
    )
    with args.report.open("w", encoding="utf-8", newline="") as report:
        try:
            with progress or contextlib.nullcontext():
                summary = asyncio.run(run(args, report=report, progress=progress))
        except DomainError as error:
            print(f"error: {error.field}: {error.message}", file=sys.stderr)
            return 2
    result = summary.as_json()
    if args.summary_json is not None:
        args.summary_json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
