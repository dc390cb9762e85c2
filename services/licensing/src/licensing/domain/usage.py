"""Usage reports: where a report's period may fall, and how a correction amends a report.

Normal reports: the licence is ACTIVE, the period lies inside the licence period, it
overlaps no other normal report of the licence, and units and gross are not negative.

Corrections (the rule for amending a stated report, since statements are immutable):
- a correction names the normal report it corrects (`corrects_report_id`) and covers exactly
  that report's period (given dates must equal it; omitted dates default to it), so it never
  counts as an overlap and its statement splits by the same end-of-period shares;
- its gross is a signed adjustment (usually negative) that keeps the corrected report's net
  gross (original plus every correction) >= 0; its units are units the original missed
  (>= 0, usually 0: the usage event carries no negative unit counts); not both zero;
- it is allowed while the licence is ACTIVE, TERMINATED or EXPIRED: a period already
  licensed can still be put right after the licence ends; a correction of a correction is
  refused (correct the original).
Its statement goes through the same cumulative recoupment, so a negative gross gives a
negative royalty and, once the advance is recouped, a negative payable split to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from contracts.enums import LicenceStatus
from contracts.errors import InvalidInput

from licensing.domain.errors import (
    InvalidCorrection,
    LicenceStateError,
    UsageOutsideLicence,
    UsageOverlap,
)
from licensing.domain.terms import Period, parse_period

CORRECTABLE = frozenset({LicenceStatus.ACTIVE, LicenceStatus.TERMINATED, LicenceStatus.EXPIRED})


@dataclass(frozen=True)
class ReportedUsage:
    id: UUID
    period: Period
    units: int
    gross: Decimal
    corrects: UUID | None = None


def check_report(
    *,
    status: LicenceStatus,
    licence_period: Period,
    period_start: date,
    period_end: date,
    units: int,
    gross: Decimal,
    earlier: Iterable[ReportedUsage],
) -> Period:
    """The validated period of a new normal report."""
    if status != LicenceStatus.ACTIVE:
        raise LicenceStateError(
            f"usage can only be reported on an ACTIVE licence; this one is {status.value}",
            field="licence_id",
        )
    period = parse_period(
        period_start, period_end, start_field="period_start", end_field="period_end"
    )
    if period.start < licence_period.start:
        raise UsageOutsideLicence(
            f"period_start {period.start} is before the licence starts ({licence_period.start})",
            field="period_start",
        )
    if not licence_period.contains(period):
        raise UsageOutsideLicence(
            f"period_end {period.end} is after the licence ends ({licence_period.end})",
            field="period_end",
        )
    if units < 0:
        raise InvalidInput("units cannot be negative on a usage report", field="units")
    if gross < 0:
        raise InvalidInput(
            "gross_revenue cannot be negative; correct an earlier report instead",
            field="gross_revenue",
        )
    for report in earlier:
        if report.corrects is None and report.period.overlaps(period):
            raise UsageOverlap(
                f"the period overlaps report {report.id} ({report.period})",
                field="period_start",
            )
    return period


def check_correction(
    *,
    status: LicenceStatus,
    original: ReportedUsage,
    corrections: Iterable[ReportedUsage],
    period_start: date | None,
    period_end: date | None,
    units: int,
    gross: Decimal,
) -> Period:
    """The period of a correction to `original` (its own period), after the rules above."""
    if status not in CORRECTABLE:
        raise LicenceStateError(
            f"a {status.value} licence has no usage to correct", field="licence_id"
        )
    if original.corrects is not None:
        raise InvalidCorrection(
            f"report {original.id} is itself a correction; correct report {original.corrects}",
            field="corrects_report_id",
        )
    if period_start is not None and period_start != original.period.start:
        raise InvalidCorrection(
            f"a correction covers its report's period ({original.period})", field="period_start"
        )
    if period_end is not None and period_end != original.period.end:
        raise InvalidCorrection(
            f"a correction covers its report's period ({original.period})", field="period_end"
        )
    if units < 0:
        raise InvalidCorrection(
            "a correction adjusts gross_revenue; units it adds cannot be negative", field="units"
        )
    if units == 0 and gross == 0:
        raise InvalidCorrection("a correction must change units or gross", field="gross_revenue")
    earlier = list(corrections)
    net_gross = original.gross + sum((c.gross for c in earlier), Decimal(0)) + gross
    if net_gross < 0:
        raise InvalidCorrection(
            f"the correction would take report {original.id}'s gross below zero",
            field="gross_revenue",
        )
    return original.period
