"""The demo's licences and reports are laid around the day it is loaded, so the demo reads the
same whenever `make run` loads it: nothing in it is fixed to a calendar date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from devstack.demo import demo_periods, month_start

TODAY = datetime.now(UTC).date()
# Today and the days where month arithmetic goes wrong first.
DAYS = [TODAY, date(TODAY.year, 1, 1), date(TODAY.year, 12, 31), date(2028, 2, 29)]


def test_month_start_crosses_year_ends_both_ways() -> None:
    assert month_start(date(2027, 1, 15), -1) == date(2026, 12, 1)
    assert month_start(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert month_start(date(2026, 5, 31), -18) == date(2024, 11, 1)


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_running_licences_cover_today_and_their_reported_quarters_are_over(today: date) -> None:
    periods = demo_periods(today)
    for name in ("active", "song", "withdrawn", "terminated", "declined"):
        start, end = periods[name]
        assert start <= today and (end is None or end >= today), name
    for licence, quarter in (("active", "active_q1"), ("active", "active_q2"),
                             ("song", "song_q1")):
        (l_start, l_end), (q_start, q_end) = periods[licence], periods[quarter]
        assert q_end is not None and l_start <= q_start <= q_end < today, quarter
        assert l_end is None or q_end <= l_end, quarter
    assert periods["active_q1"][1] == periods["active_q2"][0] - timedelta(days=1)


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_the_ended_licence_ended_and_the_offer_starts_later(today: date) -> None:
    periods = demo_periods(today)
    ended_end = periods["ended"][1]
    assert ended_end is not None and ended_end < today
    assert periods["offered"][0] > today
