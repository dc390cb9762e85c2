"""`python -m devstack.register`: generates the register and loads it, with a progress bar.

Refuses (exit status 2) a database that already holds works; fill a scratch database with
`--database-url`. `--csv DIR` writes the register as a bulk import's files instead
(DIR/parties.csv, DIR/works.csv; `python -m filing.bulk_import` reads them) and touches no
database; `--filer PARTY_UUID` makes them one catalogue of that party (csv_files).
Settings: `REGISTER_*` (below), the database `FILING_DATABASE_URL`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path

from filing.settings import FilingSettings
from pydantic_settings import BaseSettings, SettingsConfigDict
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from devstack.register.csv_files import write_register
from devstack.register.loader import RegisterNotEmpty, load


class RegisterSettings(BaseSettings):
    """`REGISTER_*` variables: the size and seed of the register, and how it is loaded."""

    model_config = SettingsConfigDict(env_prefix="REGISTER_")

    works: int = 7_300_000
    seed: int = 16
    # Records generated, encoded and copied at a time (memory stays a few batches).
    batch: int = 20_000
    # Memory of each index build after the load (PostgreSQL's maintenance_work_mem).
    maintenance_work_mem: str = "256MB"


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")


class _RichReporter:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.total = 1

    def phase(self, name: str, total: int | None = None) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.total)
            self.progress.stop_task(self.task)
        self.total = total or 1
        self.task = self.progress.add_task(name, total=self.total)

    def advance(self, count: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, count)


def _arguments(settings: RegisterSettings) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devstack.register", description=__doc__)
    parser.add_argument("--works", type=int, default=settings.works)
    parser.add_argument("--seed", type=int, default=settings.seed)
    parser.add_argument("--batch", type=int, default=settings.batch)
    parser.add_argument(
        "--database-url",
        default=None,
        help="the database to fill (default: filing's, FILING_DATABASE_URL)",
    )
    parser.add_argument("--no-vacuum", action="store_true", help="skip VACUUM ANALYZE")
    parser.add_argument(
        "--csv",
        type=Path,
        default=None,
        metavar="DIR",
        help="write DIR/parties.csv and DIR/works.csv (the bulk import's format) instead",
    )
    parser.add_argument(
        "--filer",
        type=uuid.UUID,
        default=None,
        metavar="PARTY_UUID",
        help="with --csv: the party the files are filed by, a holder of every work "
        "(in each work's first holder's place)",
    )
    args = parser.parse_args()
    if args.filer is not None and args.csv is None:
        parser.error("--filer goes with --csv")
    return args


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _write_csv(args: argparse.Namespace, console: Console) -> int:
    with _progress(console) as progress:
        written = write_register(
            args.csv,
            args.works,
            seed=args.seed,
            filer=args.filer,
            reporter=_RichReporter(progress),
        )
    console.print(
        f"{written.works:,} works and {written.parties:,} parties in {written.seconds:,.1f} s "
        f"({written.works_per_second:,.0f} works/s): {written.works_path}, {written.parties_path}"
    )
    return 0


def main() -> int:
    settings = RegisterSettings()
    args = _arguments(settings)
    console = Console(stderr=True)
    if args.csv is not None:
        return _write_csv(args, console)
    url = args.database_url or FilingSettings().database_url
    try:
        with _progress(console) as progress:
            result = asyncio.run(
                load(
                    url,
                    args.works,
                    seed=args.seed,
                    batch_size=args.batch,
                    maintenance_work_mem=settings.maintenance_work_mem,
                    vacuum=not args.no_vacuum,
                    reporter=_RichReporter(progress),
                )
            )
    except RegisterNotEmpty as refused:
        console.print(f"[bold red]refused:[/] {refused}")
        return 2
    console.print(
        f"{result.works:,} works, {result.parties:,} parties, {result.holders:,} rights holders, "
        f"{result.history:,} history lines in {result.total_seconds:,.1f} s "
        f"({result.works_per_second:,.0f} works/s; copy {result.copy_seconds:,.1f} s, of which "
        f"{result.waiting_seconds:,.1f} s waiting for the generator; "
        f"indexes and keys {result.index_seconds:,.1f} s); "
        f"database {result.database_bytes / 2**30:,.2f} GiB"
    )
    slowest = sorted(result.phases.items(), key=lambda kv: -kv[1])[:5]
    console.print("slowest builds: " + ", ".join(f"{n} {s:,.1f} s" for n, s in slowest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
