"""The deal timeline: the work's filing history, the licence's events, usage reports, statements
and notifications, merged into one time-ordered list (plain data, no I/O)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from gateway.replies import (
    HistoryReply,
    LicenceEventReply,
    NotificationReply,
    StatementReply,
    UsageReportReply,
)

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
_TOLD_BY_REPORTS = {"usage.reported", "royalty.statement_issued", "royalty.statement_released"}


def short_type(event_type: str) -> str:
    """`org.aseanip.licensing.licence.offered.v1` -> `licence.offered`."""
    match = _CE_TYPE.match(event_type)
    return match.group("name") if match else event_type


def as_utc(value: str) -> datetime.datetime:
    """A service's timestamp; one without a zone is UTC (every service writes UTC)."""
    parsed = datetime.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _period(item: UsageReportReply | StatementReply) -> str:
    return f"{item['period_start']} to {item['period_end']}"


def _statement_entry(s: StatementReply) -> Entry:
    # DOMAIN.md, "Suspense while a work is disputed": a release, and a held statement, say so.
    if s.get("kind") == "RELEASE":
        return Entry(
            as_utc(s["issued_at"]), "licensing", "royalty.statement_released",
            f"Released from suspense for {_period(s)}: payable {s['payable']} {s['currency']}",
        )  # fmt: skip
    held = " (held in suspense while the work is disputed)" if s.get("held") else ""
    return Entry(
        as_utc(s["issued_at"]), "licensing", "royalty.statement_issued",
        f"Statement for {_period(s)}: royalty {s['royalty']}, recouped {s['recouped']}, "
        f"payable {s['payable']} {s['currency']}{held}",
    )  # fmt: skip


def merge_timeline(
    *,
    history: Iterable[HistoryReply],
    licence_events: Iterable[LicenceEventReply],
    usage_reports: Iterable[UsageReportReply],
    statements: Iterable[StatementReply],
    notifications: Iterable[NotificationReply],
    currency: str,
) -> list[Entry]:
    entries = [
        Entry(as_utc(h["at"]), "filing", h["action"], h["detail"] or h["action"])
        for h in history
    ]
    entries += [
        Entry(as_utc(e["at"]), "licensing", short_type(e["type"]), e["summary"] or e["type"])
        for e in licence_events
        if short_type(e["type"]) not in _TOLD_BY_REPORTS
    ]
    entries += [
        Entry(
            as_utc(r["created_at"]),
            "licensing",
            "usage.reported",
            f"Usage for {_period(r)}: {r['units']} units, gross {r['gross_revenue']} {currency}",
        )
        for r in usage_reports
    ]
    entries += [_statement_entry(s) for s in statements]
    entries += [
        Entry(as_utc(n["created_at"]), "notifications", short_type(n["event_type"]), n["message"])
        for n in notifications
    ]
    unique = list(dict.fromkeys(entries))
    return sorted(unique, key=lambda e: (e.at, _SOURCE_ORDER.get(e.source, 9)))
