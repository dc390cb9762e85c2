"""Usage reports: where a report's period may fall, and how a correction amends a report.

Normal reports: the licence is ACTIVE, EXPIRED or TERMINATED, the period lies inside the
period the licence actually covered (`covered_period`: its start to its end date, or to the
termination date when terminated earlier), it overlaps no other normal report of the licence,
and units and gross are not negative. There is no deadline after the licence ends: the last
periods' royalties are owed whenever they are reported, and the overlap rule stops a period
being reported twice.

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

# A licence that was once in force: it covered a period whose usage is owed royalties.
REPORTABLE = frozenset({LicenceStatus.ACTIVE, LicenceStatus.TERMINATED, LicenceStatus.EXPIRED})
CORRECTABLE = REPORTABLE


@dataclass(frozen=True)
class ReportedUsage:
    id: UUID
    period: Period
    units: int
    gross: Decimal
    corrects: UUID | None = None
    # A line report (DOMAIN.md, "Usage lines and matching"): its lines are unique by key, so
    # it is not checked for overlap, and it cannot be corrected as a period report is.
    line_report: bool = False


def covered_period(
    *, status: LicenceStatus, licence_period: Period, terminated_on: date | None
) -> Period:
    """The period the licence was (or is) in force: its terms' period, cut at the UTC date
    of termination when TERMINATED (that day itself still covered). An EXPIRED licence
    covered its whole period. A licence terminated before its start covers no day at all."""
    if status != LicenceStatus.TERMINATED:
        return licence_period
    if terminated_on is None:
        raise ValueError("a TERMINATED licence needs its termination date")
    if licence_period.end is not None and licence_period.end <= terminated_on:
        return licence_period
    return Period(licence_period.start, terminated_on)


def check_report(
    *,
    status: LicenceStatus,
    licence_period: Period,
    period_start: date,
    period_end: date,
    units: int,
    gross: Decimal,
    earlier: Iterable[ReportedUsage],
    terminated_on: date | None = None,
) -> Period:
    """The validated period of a new normal report; `terminated_on` is the UTC date a
    TERMINATED licence was terminated (ignored otherwise)."""
    if status not in REPORTABLE:
        raise LicenceStateError(
            f"usage can only be reported on a licence that was in force (ACTIVE, EXPIRED or "
            f"TERMINATED); this one is {status.value}",
            field="licence_id",
        )
    period = parse_period(
        period_start, period_end, start_field="period_start", end_field="period_end"
    )
    covered = covered_period(
        status=status, licence_period=licence_period, terminated_on=terminated_on
    )
    if period.start < covered.start:
        raise UsageOutsideLicence(
            f"period_start {period.start} is before the licence starts ({covered.start})",
            field="period_start",
        )
    if not covered.contains(period):
        ended = (
            f"the licence was terminated on {covered.end}"
            if covered != licence_period
            else f"the licence ends ({covered.end})"
        )
        raise UsageOutsideLicence(
            f"period_end {period.end} is after {ended}", field="period_end"
        )
    if units < 0:
        raise InvalidInput("units cannot be negative on a usage report", field="units")
    if gross < 0:
        raise InvalidInput(
            "gross_revenue cannot be negative; correct an earlier report instead",
            field="gross_revenue",
        )
    for report in earlier:
        if report.corrects is None and not report.line_report and report.period.overlaps(period):
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
    if original.line_report:
        raise InvalidCorrection(
            f"report {original.id} is a line report; lines cannot be corrected yet",
            field="corrects_report_id",
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
