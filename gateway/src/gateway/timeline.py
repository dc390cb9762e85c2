"""The deal timeline: the work's filing history, the licence's events, usage reports, statements
and notifications, merged into one time-ordered list (plain data, no I/O)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]

# When two entries share a timestamp, cause comes before effect: filing, then licensing,
# then the notifications they caused.
_SOURCE_ORDER = {"filing": 0, "licensing": 1, "notifications": 2}


@dataclass(frozen=True)
class Entry:
    at: datetime.datetime
    source: str
    type: str
    summary: str


_CE_TYPE = re.compile(r"^org\.aseanip\.[a-z]+\.(?P<name>.+)\.v\d+$")
# Told by the usage reports and statements themselves, with their amounts.
_TOLD_BY_REPORTS = {"usage.reported", "royalty.statement_issued"}


def short_type(event_type: str) -> str:
    """`org.aseanip.licensing.licence.offered.v1` -> `licence.offered`."""
    match = _CE_TYPE.match(event_type)
    return match.group("name") if match else event_type


def _time(value: Any) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _period(item: Json) -> str:
    return f"{item['period_start']} to {item['period_end']}"


def merge_timeline(
    *,
    history: Iterable[Json],
    licence_events: Iterable[Json],
    usage_reports: Iterable[Json],
    statements: Iterable[Json],
    notifications: Iterable[Json],
    currency: str,
) -> list[Entry]:
    entries = [
        Entry(_time(h["at"]), "filing", str(h["action"]), str(h.get("detail") or h["action"]))
        for h in history
    ]
    entries += [
        Entry(_time(e["at"]), "licensing", short_type(str(e["type"])),
              str(e.get("summary") or e["type"]))
        for e in licence_events
        if short_type(str(e["type"])) not in _TOLD_BY_REPORTS
    ]
    entries += [
        Entry(
            _time(r["created_at"]),
            "licensing",
            "usage.reported",
            f"Usage for {_period(r)}: {r['units']} units, gross {r['gross_revenue']} {currency}",
        )
        for r in usage_reports
    ]
    entries += [
        Entry(
            _time(s["issued_at"]),
            "licensing",
            "royalty.statement_issued",
            f"Statement for {_period(s)}: royalty {s['royalty']}, recouped {s['recouped']}, "
            f"payable {s['payable']} {s.get('currency', currency)}",
        )
        for s in statements
    ]
    entries += [
        Entry(_time(n["created_at"]), "notifications", short_type(str(n["event_type"])),
              str(n["message"]))
        for n in notifications
    ]
    unique = list(dict.fromkeys(entries))
    return sorted(unique, key=lambda e: (e.at, _SOURCE_ORDER.get(e.source, 9)))
