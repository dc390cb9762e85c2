"""The README's table of the last fault run (between its markers), from bench/faults.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

BEGIN, END = "<!-- faults:begin -->", "<!-- faults:end -->"


def table(document: dict[str, Any]) -> str:
    faults = document["faults"]
    rows = [
        ("seed", document["seed"]),
        ("operations (ok / fail / unknown)",
         f"{document['operations']} ({document['acknowledged']} / "
         f"{document['results'].get('fail', 0)} / {document['results'].get('unknown', 0)})"),
        ("acknowledged by kind", ", ".join(f"{k} {v['ok']}"
                                           for k, v in document["by_kind"].items())),
        ("faults injected", ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in faults.items())),
        ("lost (acknowledged but absent)", document["lost"]),
        ("duplicated effects", document["duplicated"]),
        ("per-aggregate order violations", document["order_violations"]),
        ("mails and webhook calls sent again under their delivery id", document["redelivered"]),
        ("time to drain after recovery", f"{document['drain_s']} s"),
        ("run time", f"{document['run_s']} s"),
    ]
    lines = ["| measure | last run |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines)


def update_readme(readme: Path, document: dict[str, Any]) -> None:
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        return
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{table(document)}\n{END}{tail}")
