"""Usage report periods and the correction rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from contracts.enums import LicenceStatus
from contracts.errors import DomainError
from licensing.domain.terms import Period
from licensing.domain.usage import ReportedUsage, check_correction, check_report, covered_period

# Dates in the current year (UTC): the rules take every date as a parameter, so nothing
# here depends on the calendar, and no date is fixed.
THIS_YEAR = datetime.now(UTC).year

LICENCE = Period(date(THIS_YEAR, 1, 1), date(THIS_YEAR, 12, 31))
JAN = ReportedUsage(UUID(int=1), Period(date(THIS_YEAR, 1, 1), date(THIS_YEAR, 1, 31)), 100,
                    Decimal("1000.00"))


def report(**overrides: Any) -> Period:
    raw: dict[str, Any] = {
        "status": LicenceStatus.ACTIVE,
        "licence_period": LICENCE,
        "period_start": date(THIS_YEAR, 2, 1),
        "period_end": date(THIS_YEAR, 2, 28),
        "units": 10,
        "gross": Decimal("50.00"),
        "earlier": [JAN],
    }
    raw.update(overrides)
    return check_report(**raw)


def test_report_inside_the_licence_and_after_earlier_reports_is_accepted() -> None:
    assert report() == Period(date(THIS_YEAR, 2, 1), date(THIS_YEAR, 2, 28))


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"period_start": date(THIS_YEAR - 1, 12, 31)}, "USAGE_OUTSIDE_LICENCE", "period_start"),
        ({"period_end": date(THIS_YEAR + 1, 1, 1)}, "USAGE_OUTSIDE_LICENCE", "period_end"),
        ({"period_start": date(THIS_YEAR, 1, 31)}, "USAGE_OVERLAP", "period_start"),
        ({"period_end": date(THIS_YEAR, 1, 31)}, "INVALID_PERIOD", "period_end"),
        ({"units": -1}, "INVALID_INPUT", "units"),
        ({"gross": Decimal("-1.00")}, "INVALID_INPUT", "gross_revenue"),
        ({"status": LicenceStatus.OFFERED}, "ILLEGAL_TRANSITION", "licence_id"),
        ({"status": LicenceStatus.DECLINED}, "ILLEGAL_TRANSITION", "licence_id"),
        ({"status": LicenceStatus.WITHDRAWN}, "ILLEGAL_TRANSITION", "licence_id"),
    ],
)
def test_bad_usage_reports_are_refused_naming_the_rule(
    overrides: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(DomainError) as error:
        report(**overrides)
    assert (error.value.code, error.value.field) == (code, field)


def test_report_in_an_open_ended_licence_may_run_any_time_after_its_start() -> None:
    assert report(licence_period=Period(date(THIS_YEAR, 1, 1)), period_end=date(THIS_YEAR + 5, 1, 1))


def test_expired_licence_accepts_usage_for_a_period_it_covered() -> None:
    last = report(status=LicenceStatus.EXPIRED, period_start=date(THIS_YEAR, 12, 1),
                  period_end=date(THIS_YEAR, 12, 31))
    assert last == Period(date(THIS_YEAR, 12, 1), date(THIS_YEAR, 12, 31))


def test_expired_licence_refuses_usage_after_its_end_date() -> None:
    with pytest.raises(DomainError) as error:
        report(status=LicenceStatus.EXPIRED, period_start=date(THIS_YEAR, 12, 1),
               period_end=date(THIS_YEAR + 1, 1, 1))
    assert (error.value.code, error.value.field) == ("USAGE_OUTSIDE_LICENCE", "period_end")


def test_terminated_licence_accepts_usage_up_to_and_including_the_termination_date() -> None:
    covered = report(status=LicenceStatus.TERMINATED, terminated_on=date(THIS_YEAR, 6, 15),
                     period_start=date(THIS_YEAR, 6, 1), period_end=date(THIS_YEAR, 6, 15))
    assert covered == Period(date(THIS_YEAR, 6, 1), date(THIS_YEAR, 6, 15))


@pytest.mark.parametrize(
    ("start", "end"),
    [((6, 1), (6, 16)), ((6, 16), (6, 30)), ((12, 1), (12, 31))],
)
def test_terminated_licence_refuses_usage_after_the_termination_date(
    start: tuple[int, int], end: tuple[int, int]
) -> None:
    with pytest.raises(DomainError) as error:
        report(status=LicenceStatus.TERMINATED, terminated_on=date(THIS_YEAR, 6, 15),
               period_start=date(THIS_YEAR, *start), period_end=date(THIS_YEAR, *end))
    assert (error.value.code, error.value.field) == ("USAGE_OUTSIDE_LICENCE", "period_end")
    assert f"terminated on {date(THIS_YEAR, 6, 15)}" in error.value.message


def test_reports_after_the_licence_ended_still_may_not_overlap() -> None:
    for status in (LicenceStatus.EXPIRED, LicenceStatus.TERMINATED):
        with pytest.raises(DomainError) as error:
            report(status=status, terminated_on=date(THIS_YEAR, 6, 15),
                   period_start=date(THIS_YEAR, 1, 15), period_end=date(THIS_YEAR, 2, 15))
        assert (error.value.code, error.value.field) == ("USAGE_OVERLAP", "period_start")


def test_covered_period_is_cut_at_the_termination_date_only_when_it_came_first() -> None:
    june = date(THIS_YEAR, 6, 15)
    status = LicenceStatus.TERMINATED
    assert covered_period(status=status, licence_period=LICENCE, terminated_on=june) == Period(
        LICENCE.start, june)
    assert covered_period(status=status, licence_period=Period(LICENCE.start),
                          terminated_on=june) == Period(LICENCE.start, june)
    # Terminated after its end date (before the expiry job ran): it covered its whole period.
    late = date(THIS_YEAR + 1, 1, 2)
    assert covered_period(status=status, licence_period=LICENCE, terminated_on=late) == LICENCE
    assert covered_period(status=LicenceStatus.EXPIRED, licence_period=LICENCE,
                          terminated_on=None) == LICENCE


def test_licence_terminated_before_its_start_accepts_no_usage() -> None:
    licence = Period(date(THIS_YEAR, 7, 1), date(THIS_YEAR, 12, 31))
    with pytest.raises(DomainError) as error:
        report(status=LicenceStatus.TERMINATED, licence_period=licence, earlier=[],
               terminated_on=date(THIS_YEAR, 6, 15), period_start=date(THIS_YEAR, 7, 1),
               period_end=date(THIS_YEAR, 7, 1))
    assert (error.value.code, error.value.field) == ("USAGE_OUTSIDE_LICENCE", "period_end")


def test_corrections_do_not_count_as_overlaps() -> None:
    fix = ReportedUsage(UUID(int=2), Period(date(THIS_YEAR, 2, 1), date(THIS_YEAR, 2, 28)), 0,
                        Decimal("-1.00"), corrects=UUID(int=7))
    assert report(period_start=date(THIS_YEAR, 2, 1), earlier=[fix])


def correction(**overrides: Any) -> Period:
    raw: dict[str, Any] = {
        "status": LicenceStatus.ACTIVE,
        "original": JAN,
        "corrections": [],
        "period_start": None,
        "period_end": None,
        "units": 0,
        "gross": Decimal("-100.00"),
    }
    raw.update(overrides)
    return check_correction(**raw)


def test_correction_covers_the_corrected_report_period() -> None:
    assert correction() == JAN.period
    assert correction(period_start=JAN.period.start, period_end=JAN.period.end) == JAN.period


def test_correction_is_allowed_after_the_licence_ended() -> None:
    assert correction(status=LicenceStatus.EXPIRED) == JAN.period
    assert correction(status=LicenceStatus.TERMINATED) == JAN.period


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period_start": date(THIS_YEAR, 1, 2)}, "period_start"),
        ({"period_end": date(THIS_YEAR, 2, 1)}, "period_end"),
        ({"units": 0, "gross": Decimal("0.00")}, "gross_revenue"),
        ({"gross": Decimal("-1000.01")}, "gross_revenue"),
        ({"units": -1}, "units"),
        (
            {
                "corrections": [
                    ReportedUsage(UUID(int=3), JAN.period, 0, Decimal("-600.00"), JAN.id)
                ],
                "gross": Decimal("-400.01"),
            },
            "gross_revenue",
        ),
        (
            {"original": ReportedUsage(UUID(int=3), JAN.period, 0, Decimal("-1.00"), JAN.id)},
            "corrects_report_id",
        ),
    ],
)
def test_correction_may_not_take_a_report_below_zero_or_change_its_period(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as error:
        correction(**overrides)
    assert error.value.field == field


def test_correction_needs_a_licence_that_had_usage() -> None:
    with pytest.raises(DomainError):
        correction(status=LicenceStatus.OFFERED)
