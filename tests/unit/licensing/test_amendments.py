"""Amendments and renewals: who proposes and answers, and what availability re-checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import product
from uuid import UUID

import pytest
from contracts.enums import LicenceStatus, Medium
from hypothesis import given
from hypothesis import strategies as st
from licensing.domain import amendments
from licensing.domain.amendments import ProposalState, Side, added_footprints
from licensing.domain.errors import (
    AmendmentPending,
    InvalidPeriod,
    LicenceStateError,
    NotAParty,
    NotTheOtherSide,
)
from licensing.domain.history import Segment, VersionTerms, segments
from licensing.domain.lifecycle import Licence
from licensing.domain.terms import Period, Terms
from licensing.domain.usage_lines import LicenceCover, UsageLine, covers_by_terms, licence_for

Y = datetime.now(UTC).year
OWNER, LICENSEE, CO_OWNER, STRANGER = (UUID(int=i) for i in range(1, 5))
START, END = date(Y, 1, 1), date(Y, 12, 31)


def licence(status: LicenceStatus = LicenceStatus.ACTIVE, end: date | None = END) -> Licence:
    terms = Terms(("TH",), (Medium.STREAMING,), False, Period(START, end), Decimal("10"),
                  Decimal("0"), "USD")  # fmt: skip
    return Licence(UUID(int=99), UUID(int=98), OWNER, LICENSEE, terms, status)


def current(lic: Licence) -> tuple[Segment, ...]:
    return segments([amendments.original(lic).terms])


def new_terms(frm: date = date(Y, 7, 1), end: date | None = END) -> VersionTerms:
    return VersionTerms(frm, end, ("TH", "VN"), (Medium.STREAMING,), False, Decimal("12"))


def propose(lic: Licence, actor: UUID = LICENSEE, **kw: object) -> amendments.Proposal:
    return amendments.propose_amendment(
        lic, current(lic), actor=actor, owners={OWNER, CO_OWNER}, number=2, pending=None,
        terms=kw.pop("terms", new_terms()),  # type: ignore[arg-type]
    )  # fmt: skip


def test_either_side_proposes_and_only_the_other_side_accepts() -> None:
    lic = licence()
    by_licensee = propose(lic)
    assert by_licensee.side == Side.LICENSEE and by_licensee.state == ProposalState.PENDING
    with pytest.raises(NotTheOtherSide):
        amendments.accept(by_licensee, lic, actor=LICENSEE, owners={OWNER, CO_OWNER})
    # Any owner answers for the licensor's side.
    accepted = amendments.accept(by_licensee, lic, actor=CO_OWNER, owners={OWNER, CO_OWNER})
    assert accepted.state == ProposalState.ACCEPTED and accepted.decided_by == CO_OWNER
    by_owner = propose(lic, actor=CO_OWNER)
    with pytest.raises(NotTheOtherSide):
        amendments.accept(by_owner, lic, actor=OWNER, owners={OWNER, CO_OWNER})
    assert amendments.accept(by_owner, lic, actor=LICENSEE, owners={OWNER}).decided_by == LICENSEE


def test_a_stranger_can_neither_propose_nor_answer() -> None:
    with pytest.raises(NotAParty):
        propose(licence(), actor=STRANGER)
    with pytest.raises(NotAParty):
        amendments.decline(propose(licence()), licence(), actor=STRANGER, owners={OWNER})


def test_one_pending_proposal_at_a_time_and_answered_once() -> None:
    lic = licence()
    pending = propose(lic)
    with pytest.raises(AmendmentPending):
        amendments.propose_renewal(
            lic, current(lic), actor=OWNER, owners={OWNER}, number=3, pending=pending,
            end=END + timedelta(days=365),
        )  # fmt: skip
    declined = amendments.decline(pending, lic, actor=OWNER, owners={OWNER})
    assert declined.state == ProposalState.DECLINED
    with pytest.raises(LicenceStateError):
        amendments.accept(declined, lic, actor=OWNER, owners={OWNER})


@pytest.mark.parametrize("status", [LicenceStatus.OFFERED, LicenceStatus.TERMINATED])
def test_only_an_active_licence_is_amended(status: LicenceStatus) -> None:
    with pytest.raises(LicenceStateError):
        propose(licence(status))
    pending = propose(licence())
    with pytest.raises(LicenceStateError):
        amendments.accept(pending, licence(status), actor=OWNER, owners={OWNER})


@pytest.mark.parametrize(
    ("frm", "end", "field"),
    [
        (START - timedelta(days=1), END, "effective_from"),
        (END + timedelta(days=2), END + timedelta(days=30), "effective_from"),
        (date(Y, 7, 1), date(Y, 6, 30), "end"),
    ],
)
def test_amendment_dates_are_checked_naming_the_field(
    frm: date, end: date, field: str
) -> None:
    with pytest.raises(InvalidPeriod) as refused:
        propose(licence(), terms=new_terms(frm, end))
    assert refused.value.field == field


def test_a_renewal_continues_the_last_terms_from_the_day_after_the_end() -> None:
    lic = licence()
    renewal = amendments.propose_renewal(
        lic, current(lic), actor=OWNER, owners={OWNER}, number=2, pending=None,
        end=END + timedelta(days=365),
    )  # fmt: skip
    assert renewal.kind == amendments.ProposalKind.RENEWAL
    assert renewal.terms.effective_from == END + timedelta(days=1)
    assert renewal.terms.territories == ("TH",) and renewal.terms.royalty_rate == 10
    for bad_end, lic_end in [(END, END), (END + timedelta(days=9), None)]:
        with pytest.raises(InvalidPeriod):
            amendments.propose_renewal(
                licence(end=lic_end), current(licence(end=lic_end)), actor=OWNER,
                owners={OWNER}, number=2, pending=None, end=bad_end,
            )  # fmt: skip


def test_amended_licence_holds_the_latest_terms_over_its_whole_period() -> None:
    lic = licence()
    after = amendments.amended(lic, segments([amendments.original(lic).terms, new_terms()]))
    assert after.terms.territories == ("TH", "VN") and after.terms.royalty_rate == 12
    assert after.terms.period == Period(START, END) and after.id == lic.id


# --- what the change adds: an oracle over a small universe of days, territories, media ----

DAYS = [START + timedelta(days=d) for d in range(12)]
TERRITORIES = ("TH", "VN", "MY")
MEDIA = (Medium.STREAMING, Medium.DOWNLOAD)


def points(found: list[Segment], *, exclusive: bool = False) -> set[tuple[date, str, Medium]]:
    """Every (day, territory, medium) the segments use (only their exclusive ones)."""
    return {
        (d, t, m)
        for s in found
        if s.exclusive or not exclusive
        for d, t, m in product(DAYS, s.territories, s.media)
        if s.period.start <= d and (s.period.end is None or d <= s.period.end)
    }


versions = st.builds(
    lambda frm, length, ts, ms, ex: VersionTerms(
        DAYS[frm], DAYS[min(frm + length, len(DAYS) - 1)], tuple(sorted(ts)), tuple(ms), ex,
        Decimal(1),
    ),
    st.integers(0, 11), st.integers(0, 11),
    st.sets(st.sampled_from(TERRITORIES), min_size=1),
    st.lists(st.sampled_from(MEDIA), min_size=1, max_size=2, unique=True),
    st.booleans(),
)  # fmt: skip


@given(st.lists(versions, min_size=1, max_size=3), versions)
def test_added_footprints_cover_exactly_what_is_new_or_newly_exclusive(
    earlier: list[VersionTerms], change: VersionTerms
) -> None:
    old = list(segments(earlier))
    new = list(segments([*earlier, change]))
    added = added_footprints(old, new)
    covered = {
        (d, t, m)
        for f in added
        for d, t, m in product(DAYS, f.territories, f.media)
        if f.period.start <= d and (f.period.end is None or d <= f.period.end)
    }
    new_points, old_points = points(new), points(old)
    # Never more than the new terms use; always every use the old terms did not have.
    assert covered <= new_points
    assert new_points - old_points <= covered
    # A use held non-exclusively that becomes exclusive is re-checked too.
    assert points(new, exclusive=True) - points(old, exclusive=True) <= covered


def test_a_reduction_adds_nothing() -> None:
    old = [Segment(Period(START, END), ("TH", "VN"), MEDIA, True, Decimal(1))]
    new = [
        Segment(Period(START, date(Y, 6, 30)), ("TH", "VN"), MEDIA, True, Decimal(1)),
        Segment(Period(date(Y, 7, 1), date(Y, 9, 30)), ("TH",), MEDIA[:1], False, Decimal(2)),
    ]
    assert added_footprints(old, new) == []


def test_becoming_exclusive_rechecks_the_whole_new_footprint() -> None:
    old = [Segment(Period(START, END), ("TH",), MEDIA[:1], False, Decimal(1))]
    new = [Segment(Period(START, END), ("TH",), MEDIA[:1], True, Decimal(1))]
    (added,) = added_footprints(old, new)
    assert added.exclusive and added.territories == {"TH"} and added.period == Period(START, END)


# --- usage lines meet an amended licence as its stretches of terms ------------------------------


def _line(start: date, end: date, territory: str = "TH") -> UsageLine:
    return UsageLine(
        line_key="1", isrc=None, iswc=None, title="Song", writers=(), performers=(), units=1,
        revenue=Decimal("100.00"), currency="USD", territory=territory,
        period=Period(start, end), medium=Medium.STREAMING,
    )  # fmt: skip


def _amended_cover() -> list[LicenceCover]:
    """Thailand at 10 % from 1 January, then Thailand and Vietnam at 12 % from 1 July."""
    cover = LicenceCover(
        id=UUID(int=9), work_id=UUID(int=8), covered=Period(START, END),
        territories=frozenset({"TH", "VN"}), media=frozenset({Medium.STREAMING}),
        currency="USD", royalty_rate=Decimal("12.00"),
    )  # fmt: skip
    july = date(Y, 7, 1)
    stretches = [
        Segment(Period(START, july - timedelta(days=1)), ("TH",), (Medium.STREAMING,), True,
                Decimal("10.00")),
        Segment(Period(july, END), ("TH", "VN"), (Medium.STREAMING,), True, Decimal("12.00")),
    ]  # fmt: skip
    return covers_by_terms(cover, stretches)


def test_a_line_is_due_at_the_rate_and_in_the_territories_of_the_terms_over_its_period() -> None:
    covers = _amended_cover()
    march = licence_for(_line(date(Y, 3, 1), date(Y, 3, 31)), covers)
    august = licence_for(_line(date(Y, 8, 1), date(Y, 8, 31)), covers)
    assert march is not None and march.royalty_rate == Decimal("10.00")
    assert august is not None and august.royalty_rate == Decimal("12.00")
    # Vietnam joined the licence in July: a March line there is under no terms of it.
    assert licence_for(_line(date(Y, 3, 1), date(Y, 3, 31), "VN"), covers) is None
    assert licence_for(_line(date(Y, 8, 1), date(Y, 8, 31), "VN"), covers) is not None


def test_a_line_spanning_a_change_of_terms_is_due_under_none_of_them() -> None:
    assert licence_for(_line(date(Y, 6, 15), date(Y, 7, 15)), _amended_cover()) is None
