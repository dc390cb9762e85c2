"""Suspense while a work is disputed: which holds a resolution releases, and to whom."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from licensing.domain.snapshots import Stamp
from licensing.domain.suspense import Hold, in_suspense, released_by, releases

THIS_YEAR = datetime.now(UTC).year
A, B, C = UUID(int=1), UUID(int=2), UUID(int=3)
L1, L2 = UUID(int=11), UUID(int=12)
AT = datetime(THIS_YEAR, 1, 1, tzinfo=UTC)


def _hold(
    n: int, licence: UUID, payable: str, *, version: int = 5, currency: str = "USD", month: int = 1
) -> Hold:
    return Hold(
        statement_id=UUID(int=100 + n),
        licence_id=licence,
        currency=currency,
        payable=Decimal(payable),
        period_start=date(THIS_YEAR, month, 1),
        period_end=date(THIS_YEAR, month, 28),
        held_under=Stamp(version=version, occurred_at=AT),
    )


def _exponent(currency: str) -> int:
    return {"USD": 2, "JPY": 0, "BHD": 3}[currency]


def test_release_pays_the_held_total_to_the_resolutions_owners_to_the_cent() -> None:
    holds = [_hold(1, L1, "33.33"), _hold(2, L1, "66.68", month=3)]
    [release] = releases(
        holds,
        resolution=Stamp(version=6, occurred_at=AT),
        owners={A: Decimal("33.33"), B: Decimal("33.33"), C: Decimal("33.34")},
        exponent_of=_exponent,
    )
    assert release.payable == Decimal("100.01")
    # 100.01 x 1/3-ish: 33.33, 33.33, 33.345... largest remainders get the extra cents.
    amounts = {line.party_id: line.amount for line in release.lines}
    assert amounts == {A: Decimal("33.33"), B: Decimal("33.33"), C: Decimal("33.35")}
    assert sum(amounts.values()) == release.payable
    assert release.releases == (UUID(int=101), UUID(int=102))
    assert (release.period_start, release.period_end) == (
        date(THIS_YEAR, 1, 1),
        date(THIS_YEAR, 3, 28),
    )


def test_one_release_per_licence_in_its_own_currency() -> None:
    holds = [_hold(1, L2, "1001", currency="JPY"), _hold(2, L1, "0.005", currency="BHD")]
    made = releases(
        holds,
        resolution=Stamp(version=6, occurred_at=AT),
        owners={A: Decimal("50.00"), B: Decimal("50.00")},
        exponent_of=_exponent,
    )
    assert [(r.licence_id, r.currency, r.payable) for r in made] == [
        (L1, "BHD", Decimal("0.005")),
        (L2, "JPY", Decimal("1001")),
    ]
    assert [line.amount for line in made[0].lines] == [Decimal("0.003"), Decimal("0.002")]
    assert [line.amount for line in made[1].lines] == [Decimal("501"), Decimal("500")]


def test_a_negative_held_correction_reduces_the_release() -> None:
    holds = [_hold(1, L1, "100.00"), _hold(2, L1, "-40.00")]
    [release] = releases(
        holds,
        resolution=Stamp(version=6, occurred_at=AT),
        owners={B: Decimal("100.00")},
        exponent_of=_exponent,
    )
    assert release.payable == Decimal("60.00")
    assert [(line.party_id, line.amount) for line in release.lines] == [(B, Decimal("60.00"))]
    assert in_suspense(holds) == {"USD": Decimal("60.00")}


def test_a_resolution_releases_only_what_was_held_under_an_earlier_version() -> None:
    first_dispute = _hold(1, L1, "10.00", version=5)
    second_dispute = _hold(2, L1, "20.00", version=7)
    resolution = Stamp(version=6, occurred_at=AT)
    assert released_by([first_dispute, second_dispute], resolution) == [first_dispute]
    [release] = releases(
        [first_dispute, second_dispute],
        resolution=resolution,
        owners={A: Decimal("100.00")},
        exponent_of=_exponent,
    )
    assert release.releases == (first_dispute.statement_id,)
    assert release.payable == Decimal("10.00")


def test_the_same_resolution_again_releases_nothing_held_under_it() -> None:
    # A hold is made under the DISPUTED snapshot; a resolution is a later version. A hold under
    # the resolution's own version (a statement issued after it) is never released by it.
    held_after = _hold(1, L1, "10.00", version=6)
    assert released_by([held_after], Stamp(version=6, occurred_at=AT)) == []


def test_unversioned_snapshots_are_ordered_by_time() -> None:
    hold = Hold(
        statement_id=UUID(int=1), licence_id=L1, currency="USD", payable=Decimal("1.00"),
        period_start=date(THIS_YEAR, 1, 1), period_end=date(THIS_YEAR, 1, 2),
        held_under=Stamp(version=None, occurred_at=AT),
    )  # fmt: skip
    assert released_by([hold], Stamp(version=None, occurred_at=AT + timedelta(hours=1)))
    assert not released_by([hold], Stamp(version=None, occurred_at=AT - timedelta(hours=1)))
    assert released_by([hold], Stamp(version=1, occurred_at=AT - timedelta(hours=1)))


def test_nothing_held_releases_nothing_and_holds_nothing_in_suspense() -> None:
    assert releases(
        [], resolution=Stamp(version=2, occurred_at=AT), owners={A: Decimal(100)},
        exponent_of=_exponent,
    ) == []  # fmt: skip
    assert in_suspense([]) == {}


def test_amount_in_suspense_is_per_currency() -> None:
    holds = [_hold(1, L1, "1.10"), _hold(2, L1, "2.20"), _hold(3, L2, "5", currency="JPY")]
    assert in_suspense(holds) == {"JPY": Decimal("5"), "USD": Decimal("3.30")}
