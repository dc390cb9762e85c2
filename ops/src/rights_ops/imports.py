"""`rights import works`: the bulk import (`filing.bulk_import`) into filing's database, with
its progress bar; `rights import acks` (a society's acknowledgements) is in `exports`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from contracts.errors import DomainError
from filing.bulk_import.__main__ import run as run_import
from filing.bulk_import.reader import bulk_gc
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from rights_ops.output import errors, print_json

imports = typer.Typer(help="Bulk import of works and parties.", no_args_is_help=True)

EXISTING = {"exists": True, "dir_okay": False, "readable": True}


@imports.command("works")
def import_works(
    works: Annotated[Path, typer.Option(help="works.csv, or a CWR file", **EXISTING)],
    filer: Annotated[UUID, typer.Option(help="the party the works are filed by")],
    parties: Annotated[Path | None, typer.Option(help="parties.csv (CSV only)", **EXISTING)]
    = None,
    file_format: Annotated[str, typer.Option("--format", help="csv or cwr")] = "csv",
    report: Annotated[Path, typer.Option(help="where refused rows are written")] = Path(
        "errors.csv"
    ),
    database_url: Annotated[str | None, typer.Option(help="default FILING_DATABASE_URL")] = None,
    chunk_size: Annotated[int | None, typer.Option(min=1, help="rows per transaction")] = None,
    progress: Annotated[bool, typer.Option(help="show the progress bar")] = True,
) -> None:
    """Imports the files into filing's database (DOMAIN.md, "Bulk import"): every header is
    checked before a row is written; refused rows go to the report; the summary is printed
    as JSON."""
    if file_format not in ("csv", "cwr"):
        raise typer.BadParameter("csv or cwr", param_hint="--format")
    if file_format == "cwr" and parties is not None:
        raise typer.BadParameter("a CWR file carries its parties", param_hint="--parties")
    args = argparse.Namespace(
        works=works, parties=parties, format=file_format, filer=filer,
        database_url=database_url, chunk_size=chunk_size, parse_in_child=True,
    )
    bulk_gc()
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), console=errors, disable=not progress,
    )
    with report.open("w", encoding="utf-8", newline="") as out:
        try:
            with bar:
                summary = asyncio.run(run_import(args, report=out, progress=bar))
        except DomainError as error:
            errors.print(f"error: {error.field}: {error.message}")
            raise typer.Exit(2) from None
    print_json(summary.as_json())
