"""The operator CLI `rights` (README, "Operating"): one command per task, each reading the
platform's own settings from the environment."""

from __future__ import annotations

import typer

from rights_ops.accounts import clients, users
from rights_ops.deadletters import dead_letters
from rights_ops.events import replay, tail
from rights_ops.exports import exports
from rights_ops.faults import faults
from rights_ops.health import health
from rights_ops.imports import imports
from rights_ops.rebuild import rebuild

app = typer.Typer(
    name="rights",
    help="Operate the rights platform: accounts, imports, read models, dead letters, events, "
    "health.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals hold passwords and tokens
)
app.add_typer(users, name="users")
app.add_typer(clients, name="clients")
app.add_typer(imports, name="import")
app.add_typer(exports, name="export")
app.add_typer(rebuild, name="rebuild")
app.add_typer(dead_letters, name="dead-letters")
app.command()(tail)
app.command()(replay)
app.command()(health)
app.command()(faults)


def main() -> None:
    app()
