"""`rights faults`: the fault suite's last verdict (`make faults` writes it to FAULTS_OUT,
default bench/faults.json; README, "Fault suite")."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from runtime.settings import WORKSPACE_ROOT

from rights_ops.output import console, print_json, table

# The measures that say whether the delivery guarantees held.
VERDICT = ("lost", "duplicated", "order_violations", "undelivered")


def last_report() -> Path:
    return Path(os.environ.get("FAULTS_OUT") or WORKSPACE_ROOT / "bench" / "faults.json")


def faults(
    report: Annotated[Path | None, typer.Option(help="default FAULTS_OUT or bench/faults.json")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="the whole report as JSON")] = False,
) -> None:
    """The last fault run: what was done to the platform, and whether anything was lost,
    duplicated or out of order. Exits 1 when it was, 2 when there is no report."""
    path = report or last_report()
    try:
        run: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        console.print(f"no fault report at {path}: run `make faults` first")
        raise typer.Exit(2) from None
    except ValueError as exc:
        raise typer.BadParameter(f"{path} is not a fault report: {exc}",
                                 param_hint="--report") from None
    held = all(not run.get(name) for name in VERDICT)
    if as_json:
        print_json(run)
    else:
        rows: list[tuple[str, Any]] = [
            ("finished", run.get("finished_at")),
            ("seed", run.get("seed")),
            ("operations", run.get("operations")),
            ("acknowledged", run.get("acknowledged")),
            ("faults", ", ".join(f"{k} {v}" for k, v in (run.get("faults") or {}).items())),
            *((name, run.get(name)) for name in VERDICT),
            ("redelivered (same delivery id)", run.get("redelivered")),
            ("time to agree again (s)", run.get("drain_s")),
        ]
        table(f"fault suite: {'guarantees held' if held else 'GUARANTEES BROKEN'}",
              ["measure", "last run"], rows)
    if not held:
        raise typer.Exit(1)
