"""`rights rebuild register`: licensing's register read model replayed from the compacted
topics into fresh tables and swapped in (KAFKA.md, "Rebuilding a read model without a gap"),
with a progress bar over the records replayed."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from licensing.rebuild import rebuild_read_model
from licensing.settings import LicensingSettings
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from rights_ops.output import console, errors

rebuild = typer.Typer(help="Rebuild read models by replaying their topics.", no_args_is_help=True)


@rebuild.command("register")
def rebuild_register(
    progress: Annotated[bool, typer.Option(help="show the progress bar")] = True,
) -> None:
    """Replays filing's register topics from offset 0 into licensing's register read model,
    beside the live one, and swaps it in; safe while licensing serves (its consumer's
    group, offsets and tracking rows are left alone)."""
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=errors, disable=not progress,
    )
    replayed = [0]
    with bar:
        task = bar.add_task("replaying the register topics", total=None)

        def told(done: int, total: int) -> None:
            replayed[0] = done
            bar.update(task, completed=done, total=total)

        asyncio.run(rebuild_read_model(LicensingSettings(), progress=told))
    console.print(f"register read model rebuilt from {replayed[0]} records and swapped in")
