"""Advances, minimum guarantees and deals (DOMAIN.md, "Advances and minimum guarantees"):
the recoupment pool, the true-up's shortfall, who records an advance, joining a deal."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from contracts.enums import LicenceStatus, Medium
from contracts.errors import InvalidInput
from hypothesis import given
from hypothesis import strategies as st
from licensing.commands import OfferLicence, RecordAdvancePayment, parse_terms
from licensing.domain.advances import check_advance_payment, true_up_shortfall
from licensing.domain.deals import Deal, DealRef, check_joins, pool_key
from licensing.domain.errors import (
    DealMismatch,
    LicenceStateError,
    NoAdvance,
    NotTheLicensee,
)
from licensing.domain.lifecycle import Licence
from licensing.domain.royalties import Pool, recoup
from licensing.domain.terms import Period, Terms
from pydantic import ValidationError

from contracts import events

THIS_YEAR = datetime.now(UTC).year
TODAY = datetime.now(UTC).date()
OWNER, LICENSEE, OTHER = UUID(int=1), UUID(int=2), UUID(int=3)
D = Decimal


def _licence(advance: str = "100.00", guarantee: str = "0", **changes: Any) -> Licence:
    terms = Terms(
        territories=("TH",), media=(Medium.STREAMING,), exclusive=False,
        period=Period(date(THIS_YEAR, 1, 1), date(THIS_YEAR, 12, 31)),
        royalty_rate=D("10.00"), advance=D(advance), currency="USD",
        minimum_guarantee=D(guarantee),
    )  # fmt: skip
    licence = Licence(
        id=uuid4(), work_id=uuid4(), licensor_id=OWNER, licensee_id=LICENSEE, terms=terms,
        status=LicenceStatus.ACTIVE,
    )  # fmt: skip
    return replace(licence, **changes)


# --- the recoupment pool ---------------------------------------------------------------------


def _figures(royalties: list[str], pool: Pool) -> list[tuple[Decimal, Decimal, Decimal]]:
    out = []
    for royalty in royalties:
        f = recoup(D(royalty), pool, 2)
        pool = pool.after(f)
        out.append((f.royalty, f.recouped, f.payable))
    return out


def test_a_cross_collateralised_pool_recoups_both_advances_from_both_licences_royalties() -> None:
    # Licence A (advance 300) and licence B (advance 200) in one pool: credits 500.
    # A earns 350, then B earns 100, then A earns 100: nothing is payable until 500 is recouped.
    pool = Pool(credits=D("500.00"))
    assert _figures(["350.00", "100.00", "100.00"], pool) == [
        (D("350.00"), D("350.00"), D("0.00")),
        (D("100.00"), D("100.00"), D("0.00")),
        (D("100.00"), D("50.00"), D("50.00")),
    ]


def test_without_cross_collateralisation_each_licence_recoups_only_its_own_advance() -> None:
    # The same royalties in two pools of their own: A's 450 recoups 300, pays 150;
    # B's 100 recoups 100 of its 200.
    a = _figures(["350.00", "100.00"], Pool(credits=D("300.00")))
    b = _figures(["100.00"], Pool(credits=D("200.00")))
    assert sum(f[2] for f in a) == D("150.00")
    assert b == [(D("100.00"), D("100.00"), D("0.00"))]


def test_credits_growing_later_never_take_back_what_was_paid() -> None:
    # 150 paid beyond an advance of 100; a licence with an advance of 100 joins the pool:
    # the next report of 30 recoups, pays nothing, and takes nothing back.
    pool = Pool(royalties=D("250.00"), payable=D("150.00"), credits=D("200.00"))
    f = recoup(D("30.00"), pool, 2)
    assert (f.recouped, f.payable) == (D("30.00"), D("0.00"))
    later = recoup(D("100.00"), pool.after(f), 2)
    # 380 royalties against 200 credits: 180 payable in all, 150 already paid.
    assert (later.recouped, later.payable) == (D("70.00"), D("30.00"))


def test_a_true_up_is_recouped_by_royalties_reported_after_it() -> None:
    # Advance 100, MG 500, royalties 300 by the end: 200 paid, true-up 200 (a credit).
    # The last period's 300 reported late recoups the true-up, then pays 100:
    # in all the owners get 100 + 200 + 200 + 100 = 600 = the royalties, above the MG.
    pool = Pool(royalties=D("300.00"), payable=D("200.00"), credits=D("300.00"))
    f = recoup(D("300.00"), pool, 2)
    assert (f.recouped, f.payable) == (D("200.00"), D("100.00"))


@given(
    royalties=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=8),
    credits=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=4),
)
def test_a_pool_pays_exactly_the_royalties_beyond_its_credits(
    royalties: list[int], credits: list[int]
) -> None:
    pool = Pool(credits=sum((D(c).scaleb(-2) for c in credits), D(0)))
    figures = _figures([str(D(r).scaleb(-2)) for r in royalties], pool)
    total = sum((f[0] for f in figures), D(0))
    assert sum((f[2] for f in figures), D(0)) == max(D(0), total - pool.credits)
    assert all(f[0] == f[1] + f[2] and f[2] >= 0 and f[1] >= 0 for f in figures)


def test_pool_key_is_the_deal_only_when_cross_collateralised() -> None:
    licence, deal = uuid4(), uuid4()
    assert pool_key(licence, None) == licence
    assert pool_key(licence, DealRef(deal, cross_collateralised=False)) == licence
    assert pool_key(licence, DealRef(deal, cross_collateralised=True)) == deal


# --- the minimum guarantee ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("advance", "guarantee", "royalties", "shortfall"),
    [
        ("100.00", "500.00", "40.00", "400.00"),  # royalties below the advance
        ("100.00", "500.00", "320.55", "179.45"),  # royalties between advance and MG
        ("100.00", "500.00", "500.00", "0"),  # met exactly
        ("100.00", "500.00", "730.00", "0"),  # exceeded
        ("0.00", "250.00", "0.00", "250.00"),  # a guarantee without an advance
        ("100.00", "0", "0.00", "0"),  # no guarantee
    ],
)
def test_the_shortfall_is_the_guarantee_less_the_larger_of_advance_and_royalties(
    advance: str, guarantee: str, royalties: str, shortfall: str
) -> None:
    licence = _licence(advance, guarantee)
    assert true_up_shortfall(licence, royalties=D(royalties)) == D(shortfall)


def test_a_guarantee_is_zero_or_at_least_the_advance() -> None:
    def terms(**money: Any) -> Terms:
        return parse_terms(
            territories=["TH"], media=["STREAMING"], exclusive=False,
            start=date(THIS_YEAR, 1, 1), end=None, royalty_rate="10", currency="USD", **money,
        )  # fmt: skip

    assert terms(advance="100.00").minimum_guarantee == D("0.00")
    assert terms(advance="100.00", minimum_guarantee="100.00").minimum_guarantee == D("100.00")
    for bad in ("99.99", "-1.00", "1.001"):
        with pytest.raises(InvalidInput) as caught:
            terms(advance="100.00", minimum_guarantee=bad)
        assert caught.value.field == "minimum_guarantee"


# --- recording the advance as paid -----------------------------------------------------------


def test_only_the_licensee_records_an_accepted_licences_advance_paid_by_today() -> None:
    licence = _licence()
    check_advance_payment(licence, actor=LICENSEE, paid_on=TODAY, today=TODAY)
    expired = replace(licence, status=LicenceStatus.EXPIRED)
    check_advance_payment(expired, actor=LICENSEE, paid_on=TODAY, today=TODAY)
    with pytest.raises(NotTheLicensee):
        check_advance_payment(licence, actor=OWNER, paid_on=TODAY, today=TODAY)
    with pytest.raises(LicenceStateError):
        offered = replace(licence, status=LicenceStatus.OFFERED)
        check_advance_payment(offered, actor=LICENSEE, paid_on=TODAY, today=TODAY)
    with pytest.raises(NoAdvance):
        check_advance_payment(_licence("0.00"), actor=LICENSEE, paid_on=TODAY, today=TODAY)
    with pytest.raises(InvalidInput) as ahead:
        check_advance_payment(
            licence, actor=LICENSEE, paid_on=TODAY + timedelta(days=1), today=TODAY
        )
    assert ahead.value.field == "paid_on"
    offered_on = TODAY - timedelta(days=3)
    check_advance_payment(licence, actor=LICENSEE, paid_on=offered_on, today=TODAY,
                          offered_on=offered_on)  # fmt: skip
    with pytest.raises(InvalidInput) as before:
        check_advance_payment(licence, actor=LICENSEE, paid_on=offered_on - timedelta(days=1),
                              today=TODAY, offered_on=offered_on)  # fmt: skip
    assert before.value.field == "paid_on"


def test_a_payment_reference_is_one_to_two_hundred_characters_stripped() -> None:
    assert RecordAdvancePayment(paid_on=TODAY, reference="  TT-2291 ").stripped_reference == (
        "TT-2291"
    )
    for bad in ("   ", "x" * 201):
        with pytest.raises(InvalidInput) as caught:
            RecordAdvancePayment(paid_on=TODAY, reference=bad)
        assert caught.value.field == "reference"


# --- deals -------------------------------------------------------------------------------------


def _deal(**changes: Any) -> Deal:
    deal = Deal(
        id=uuid4(), licensor_id=OWNER, licensee_id=LICENSEE, currency="USD",
        cross_collateralised=True, owner_ids=frozenset({OWNER}),
    )  # fmt: skip
    return replace(deal, **changes)


def _join(deal: Deal, **changes: Any) -> None:
    offer: dict[str, Any] = {
        "offeror": OWNER, "licensee": LICENSEE, "currency": "USD",
        "cross_collateralised": deal.cross_collateralised, "owners": frozenset({OWNER}),
    }  # fmt: skip
    check_joins(deal, **(offer | changes))


def test_an_offer_joins_a_deal_only_on_the_deals_own_terms() -> None:
    deal = _deal()
    _join(deal)
    for changes, field in [
        ({"offeror": OTHER}, "deal_id"),
        ({"licensee": OTHER}, "deal_id"),
        ({"currency": "EUR"}, "deal_id"),
        ({"cross_collateralised": False}, "cross_collateralised"),
        ({"owners": frozenset({OWNER, OTHER})}, "deal_id"),
    ]:
        with pytest.raises(DealMismatch) as caught:
            _join(deal, **changes)
        assert caught.value.field == field


def test_a_deal_without_cross_collateralisation_may_group_works_of_other_owners() -> None:
    _join(_deal(cross_collateralised=False), owners=frozenset({OWNER, OTHER}))


def test_cross_collateralisation_is_never_implied_without_a_deal() -> None:
    offer = {
        "work_id": uuid4(), "licensee_id": LICENSEE, "territories": ["TH"],
        "media": ["STREAMING"], "exclusive": False, "start": date(THIS_YEAR, 1, 1),
        "royalty_rate": "10", "currency": "USD",
    }  # fmt: skip
    assert OfferLicence.model_validate(offer).cross_collateralised is False
    with pytest.raises(InvalidInput) as caught:
        OfferLicence.model_validate(offer | {"cross_collateralised": True})
    assert caught.value.field == "cross_collateralised"


# --- the statement events --------------------------------------------------------------------


def _statement(**changes: Any) -> dict[str, Any]:
    return {
        "id": uuid4(), "licence_id": uuid4(), "work_id": uuid4(), "period_start": TODAY,
        "period_end": TODAY, "payable": "100.00", "currency": "USD",
        "lines": [{"party_id": str(OWNER), "share": "60.00", "amount": "60.00"},
                  {"party_id": str(OTHER), "share": "40.00", "amount": "40.00"}],
        "issued_at": datetime.now(UTC), "paid_on": TODAY, "reference": "TT-1",
    } | changes  # fmt: skip


def test_an_advance_statement_event_splits_its_payable_exactly() -> None:
    advance = events.AdvanceStatement.model_validate(_statement())
    assert advance.kind == "ADVANCE" and advance.payable == D("100.00")
    for wrong in ({"payable": "100.01"}, {"reference": ""}, {"lines": []},
                  {"kind": "ROYALTY"}):  # fmt: skip
        with pytest.raises(ValidationError):
            events.AdvanceStatement.model_validate(_statement(**wrong))
    true_up = events.TrueUpStatement.model_validate(
        _statement(minimum_guarantee="500.00", advance="100.00", royalties="400.00")
    )
    assert true_up.kind == "TRUE_UP"
