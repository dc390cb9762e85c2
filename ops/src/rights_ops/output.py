"""How the commands print: rich tables for people, JSON for scripts (`--json`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

# Messages are never wrapped at the terminal's width: they are copied and grepped.
console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(value: Any) -> None:
    # print(), not the console: JSON must not be wrapped at the terminal's width.
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def json_line(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str), flush=True)


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    shown = Table(title=title, show_lines=False)
    for column in columns:
        shown.add_column(column, overflow="fold")
    for row in rows:
        shown.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(shown)
