"""`rights export cwr SOCIETY` and `rights import acks FILE`: a society's CWR file out and its
acknowledgements in, through filing's own command (`filing.cwr_export`: the same unit of work
as the API's and the schedule's, so a file made here is recorded as sent like any other)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Annotated

import typer
from contracts.errors import DomainError
from filing.cwr_export import run as run_cwr

from rights_ops.imports import imports
from rights_ops.output import errors, print_json

exports = typer.Typer(help="Files for the societies: CWR.", no_args_is_help=True)


def _run(args: argparse.Namespace) -> None:
    try:
        print_json(asyncio.run(run_cwr(args)))
    except DomainError as error:
        errors.print(f"error: {error.field}: {error.message}")
        raise typer.Exit(2) from None


@exports.command("cwr")
def export_cwr(
    society: Annotated[str, typer.Argument(help="the society's CISAC code (3 digits)")],
    everything: Annotated[
        bool, typer.Option("--all", help="every member work, not only the new or revised")
    ] = False,
    out: Annotated[Path, typer.Option(help="the folder the file is written into")] = Path("."),
    database_url: Annotated[str | None, typer.Option(help="default FILING_DATABASE_URL")] = None,
) -> None:
    """Makes the society's next CWR 2.1 file (DOMAIN.md, "CWR export"), records it as sent
    and writes it under its CWR name; prints a summary as JSON (`"file": null` when there was
    nothing new to send)."""
    _run(argparse.Namespace(society=society, all=everything, out=out, ack=None,
                            ack_society=None, database_url=database_url))


@imports.command("acks")
def import_acks(
    ack: Annotated[Path, typer.Argument(help="the society's ACK file", exists=True,
                                        dir_okay=False, readable=True)],
    society: Annotated[str | None, typer.Option(help="its CISAC code, if not in the file")]
    = None,
    database_url: Annotated[str | None, typer.Option(help="default FILING_DATABASE_URL")] = None,
) -> None:
    """Applies a society's acknowledgement file (DOMAIN.md, "Acknowledgements"): each work's
    society id, status and assigned ISWC; applying it again changes nothing."""
    _run(argparse.Namespace(society=None, all=False, out=Path("."), ack=ack,
                            ack_society=society, database_url=database_url))
