"""`rights dead-letters …`: the `<group>.dlq` topics, through the runtime's own reader and
redrive (`runtime.deadletters`): a redriven event goes back to its original topic and
partition, where the consumer's tracking rows apply it once however often it is redriven."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from runtime.deadletters import DeadLetter, DeadLetterError, DeadLetters
from runtime.settings import PlatformSettings

from rights_ops.output import console, json_line, print_json, table

dead_letters = typer.Typer(
    help="Events a consumer could not apply (the <group>.dlq topics).", no_args_is_help=True
)

JSON = Annotated[bool, typer.Option("--json", help="JSON for scripts")]
GROUPS = Annotated[list[str], typer.Option("--group", help="only this consumer group")]


def _letters() -> DeadLetters:
    return DeadLetters(PlatformSettings())


def _refused(exc: DeadLetterError) -> typer.BadParameter:
    return typer.BadParameter(str(exc), param_hint="REF")


@dead_letters.command("list")
def list_letters(group: GROUPS = [], as_json: JSON = False) -> None:  # noqa: B006
    """Every dead letter with its error and where it came from."""
    rows = [d.summary() for d in asyncio.run(_letters().of_groups(group))]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no dead letters")
        return
    table(
        f"{len(rows)} dead letter(s)",
        ["ref", "event type", "error", "from", "failed at", "tries"],
        [
            (
                r["ref"], r["event_type"], f"{r['error_type']}: {r['error']}",
                f"{r['original_topic']}:{r['original_partition']}:{r['original_offset']}",
                r["failed_at"], r["attempts"],
            )
            for r in rows
        ],
    )


@dead_letters.command("show")
def show(ref: Annotated[str, typer.Argument(help="<group>.dlq:<partition>:<offset>")]) -> None:
    """One dead letter in full: headers and payload."""
    try:
        letter = asyncio.run(_letters().get(ref))
    except DeadLetterError as exc:
        raise _refused(exc) from None
    print_json(letter.details())


@dead_letters.command("redrive")
def redrive(
    refs: Annotated[list[str], typer.Argument(help="<group>.dlq:<partition>:<offset> …")] = [],  # noqa: B006
    group: GROUPS = [],  # noqa: B006
    every: Annotated[bool, typer.Option("--all", help="every dead letter of --group")] = False,
    as_json: JSON = False,
) -> None:
    """Republishes dead letters to their original topic and partition, once the cause is
    fixed. Redriving one twice applies it once."""
    letters = _letters()

    async def chosen() -> list[DeadLetter]:
        if every:
            if not group:
                raise DeadLetterError("--all needs --group (which consumer's dead letters)")
            return await letters.of_groups(group)
        if not refs:
            raise DeadLetterError("name dead letters (REF …) or use --group G --all")
        return [await letters.get(ref) for ref in refs]

    async def run() -> list[tuple[DeadLetter, str]]:
        return await letters.redrive(await chosen())

    try:
        sent = asyncio.run(run())
    except DeadLetterError as exc:
        raise _refused(exc) from None
    for letter, target in sent:
        if as_json:
            json_line({"ref": letter.ref, "event_id": letter.header("ce_id"),
                       "redriven_to": target})
        else:
            console.print(f"{letter.ref} -> {target}")
