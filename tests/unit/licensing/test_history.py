"""Licence history: segments over valid time, and what blocks availability as of a date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from uuid import UUID

import pytest
from contracts.enums import LicenceStatus, Medium
from licensing.domain.availability import find_conflicts
from licensing.domain.errors import SpansAmendment
from licensing.domain.history import (
    Segment,
    Snapshot,
    VersionTerms,
    cut,
    holdings,
    segment_for,
    segments,
)
from licensing.domain.terms import Period

# Dates relative to the current year, so nothing expires.
Y = datetime.now(UTC).year
L1, L2 = UUID(int=1), UUID(int=2)
S = (Medium.STREAMING,)


def version(frm: date, end: date | None, territories: str = "TH", rate: str = "10") -> VersionTerms:
    return VersionTerms(frm, end, tuple(territories.split(",")), S, False, Decimal(rate))


def test_one_version_is_one_segment_over_the_period() -> None:
    found = segments([version(date(Y, 1, 1), date(Y, 12, 31))])
    assert [s.period for s in found] == [Period(date(Y, 1, 1), date(Y, 12, 31))]


def test_an_amendment_cuts_the_earlier_terms_at_its_effective_date() -> None:
    found = segments(
        [
            version(date(Y, 1, 1), date(Y, 12, 31), "TH"),
            version(date(Y, 7, 1), date(Y + 1, 6, 30), "TH,VN", "12"),
        ]
    )
    assert [(s.period, s.territories, s.royalty_rate) for s in found] == [
        (Period(date(Y, 1, 1), date(Y, 6, 30)), ("TH",), Decimal("10")),
        (Period(date(Y, 7, 1), date(Y + 1, 6, 30)), ("TH", "VN"), Decimal("12")),
    ]


def test_a_later_version_from_an_earlier_date_replaces_the_versions_it_covers() -> None:
    found = segments(
        [
            version(date(Y, 1, 1), date(Y, 12, 31), "TH"),
            version(date(Y, 7, 1), date(Y, 12, 31), "VN"),
            version(date(Y, 3, 1), date(Y, 9, 30), "MY"),
        ]
    )
    assert [(s.period, s.territories) for s in found] == [
        (Period(date(Y, 1, 1), date(Y, 2, 28 if Y % 4 else 29)), ("TH",)),
        (Period(date(Y, 3, 1), date(Y, 9, 30)), ("MY",)),
    ]


def test_a_termination_cuts_valid_time() -> None:
    found = segments([version(date(Y, 1, 1), None)])
    assert cut(found, date(Y, 5, 1))[0].period == Period(date(Y, 1, 1), date(Y, 5, 1))
    assert cut(found, date(Y - 1, 5, 1)) == ()


def snap(
    licence: UUID, status: LicenceStatus, start: date, end: date | None,
    until: date | None = None, territories: str = "TH",
) -> Snapshot:  # fmt: skip
    return Snapshot(licence, status, segments([version(start, end, territories)]), until)


def test_without_as_of_only_active_licences_block() -> None:
    expired = snap(L1, LicenceStatus.EXPIRED, date(Y - 1, 1, 1), date(Y - 1, 12, 31))
    active = snap(L2, LicenceStatus.ACTIVE, date(Y, 1, 1), date(Y, 12, 31))
    assert [h.licence_id for h in holdings([expired, active], as_of=None)] == [L2]


def test_as_of_a_date_the_licences_in_force_that_day_block_even_since_expired() -> None:
    expired = snap(L1, LicenceStatus.EXPIRED, date(Y - 1, 1, 1), date(Y - 1, 12, 31))
    later = snap(L2, LicenceStatus.ACTIVE, date(Y, 1, 1), date(Y, 12, 31))
    assert [h.licence_id for h in holdings([expired, later], as_of=date(Y - 1, 3, 1))] == [L1]
    assert [h.licence_id for h in holdings([expired, later], as_of=date(Y, 3, 1))] == [L2]


def test_as_of_a_date_after_a_termination_the_licence_no_longer_blocks() -> None:
    ended = snap(L1, LicenceStatus.TERMINATED, date(Y, 1, 1), date(Y, 12, 31), date(Y, 4, 30))
    assert holdings([ended], as_of=date(Y, 5, 1)) == []
    (held,) = holdings([ended], as_of=date(Y, 4, 30))
    assert held.footprint.period == Period(date(Y, 1, 1), date(Y, 4, 30))


@pytest.mark.parametrize("status", [LicenceStatus.OFFERED, LicenceStatus.DECLINED])
def test_licences_never_accepted_are_never_in_force(status: LicenceStatus) -> None:
    offered = snap(L1, status, date(Y, 1, 1), date(Y, 12, 31))
    assert holdings([offered], as_of=date(Y, 3, 1)) == []


def test_every_segment_of_an_amended_licence_blocks() -> None:
    found = segments(
        [version(date(Y, 1, 1), date(Y, 12, 31), "TH"), version(date(Y, 7, 1), None, "VN")]
    )
    amended = Snapshot(L1, LicenceStatus.ACTIVE, found)
    query = Segment(Period(date(Y, 1, 1), date(Y, 1, 31)), ("VN",), S, True, Decimal(0))
    # VN was only added from July: January in VN is free; July in VN is not.
    assert find_conflicts(query.footprint, holdings([amended], as_of=None)) == []
    july = Segment(Period(date(Y, 7, 1), date(Y, 7, 31)), ("VN",), S, True, Decimal(0))
    assert len(find_conflicts(july.footprint, holdings([amended], as_of=None))) == 1


def test_a_report_uses_the_segment_it_lies_in_and_a_span_is_refused_naming_the_day() -> None:
    found = segments(
        [version(date(Y, 1, 1), date(Y, 12, 31), rate="10"), version(date(Y, 7, 1), None, rate="12")]
    )
    assert segment_for(found, Period(date(Y, 7, 1), date(Y, 9, 30))).royalty_rate == 12
    assert segment_for(found, Period(date(Y, 1, 1), date(Y, 6, 30))).royalty_rate == 10
    with pytest.raises(SpansAmendment, match=f"{Y}-07-01"):
        segment_for(found, Period(date(Y, 6, 1), date(Y, 7, 31)))


def test_segments_never_overlap_and_cover_start_to_end() -> None:
    found = segments(
        [
            version(date(Y, 1, 1) + timedelta(days=d), date(Y, 12, 31) + timedelta(days=e))
            for d, e in [(0, 0), (40, 10), (20, -5), (100, 30)]
        ]
    )
    for a, b in pairwise(found):
        assert a.period.end is not None and a.period.end + timedelta(days=1) == b.period.start
    assert found[0].period.start == date(Y, 1, 1)
    assert found[-1].period.end == date(Y, 12, 31) + timedelta(days=30)
