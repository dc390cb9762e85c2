"""Rights holders: roles, shares summing to 100.00, one holding per party and role, transfers."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
from contracts.enums import Role
from contracts.errors import InvalidInput, NotAllowed
from filing.domain.errors import DuplicateHolding, ShareExceedsHolding, UnknownParty
from filing.domain.holders import (
    HOLDERS_MAX,
    RightsHolder,
    ensure_known_parties,
    move_share,
    parse_rights_holders,
)
from hypothesis import given
from hypothesis import strategies as st

A, B, C = uuid4(), uuid4(), uuid4()


def _raw(*holders: tuple[object, object, object]) -> list[dict[str, object]]:
    return [{"party_id": str(p), "role": r, "share": s} for p, r, s in holders]


def test_shares_summing_to_100_are_accepted():
    holders = parse_rights_holders(_raw((A, "COMPOSER", "60.50"), (B, "LYRICIST", "39.50")))
    assert [h.share for h in holders] == [Decimal("60.50"), Decimal("39.50")]
    assert holders[0].role == Role.COMPOSER


def test_shares_summing_to_99_99_are_rejected():
    with pytest.raises(InvalidInput) as caught:
        parse_rights_holders(_raw((A, "COMPOSER", "60.00"), (B, "LYRICIST", "39.99")))
    assert caught.value.field == "rights_holders"


def test_shares_summing_above_100_are_rejected():
    with pytest.raises(InvalidInput):
        parse_rights_holders(_raw((A, "COMPOSER", "60.00"), (B, "LYRICIST", "40.01")))


@pytest.mark.parametrize("share", ["0", "0.00", "-1", "100.01", "33.333", "abc", 50.0, None])
def test_share_out_of_range_or_malformed_is_rejected_naming_it(share):
    with pytest.raises(InvalidInput) as caught:
        parse_rights_holders(_raw((A, "COMPOSER", share), (B, "LYRICIST", "50.00")))
    assert caught.value.field == "rights_holders[0].share"


def test_party_may_appear_once_per_role():
    with pytest.raises(DuplicateHolding) as caught:
        parse_rights_holders(_raw((A, "COMPOSER", "50.00"), (A, "COMPOSER", "50.00")))
    assert caught.value.field == "rights_holders[1].role"


def test_party_may_hold_several_roles():
    holders = parse_rights_holders(_raw((A, "COMPOSER", "50.00"), (A, "LYRICIST", "50.00")))
    assert len(holders) == 2


def test_unknown_role_is_rejected_naming_it():
    with pytest.raises(InvalidInput) as caught:
        parse_rights_holders(_raw((A, "SINGER", "100.00")))
    assert caught.value.field == "rights_holders[0].role"


def test_malformed_party_id_is_rejected_naming_it():
    with pytest.raises(InvalidInput) as caught:
        parse_rights_holders(_raw(("not-a-uuid", "COMPOSER", "100.00")))
    assert caught.value.field == "rights_holders[0].party_id"


@pytest.mark.parametrize("raw", [[], None, "x", [1]])
def test_holders_list_must_be_a_non_empty_list_of_objects(raw):
    with pytest.raises(InvalidInput):
        parse_rights_holders(raw)


def test_holders_list_is_bounded():
    raw = [{"party_id": str(uuid4()), "role": "OTHER", "share": "0.01"}] * (HOLDERS_MAX + 1)
    with pytest.raises(InvalidInput):
        parse_rights_holders(raw)


def test_unknown_party_is_named_by_its_position():
    holders = parse_rights_holders(_raw((A, "COMPOSER", "50.00"), (B, "LYRICIST", "50.00")))
    with pytest.raises(UnknownParty) as caught:
        ensure_known_parties(holders, {A})
    assert caught.value.field == "rights_holders[1].party_id"


def _holders() -> tuple[RightsHolder, ...]:
    return (
        RightsHolder(A, Role.COMPOSER, Decimal("60.00")),
        RightsHolder(B, Role.LYRICIST, Decimal("40.00")),
    )


def test_partial_transfer_moves_share_to_new_holder_in_same_role():
    holders, transfer = move_share(_holders(), from_party_id=A, to_party_id=C, share=Decimal("25.00"))
    assert holders == (
        RightsHolder(A, Role.COMPOSER, Decimal("35.00")),
        RightsHolder(B, Role.LYRICIST, Decimal("40.00")),
        RightsHolder(C, Role.COMPOSER, Decimal("25.00")),
    )
    assert transfer.role == Role.COMPOSER and transfer.share == Decimal("25.00")
    assert sum(h.share for h in holders) == Decimal("100.00")


def test_full_transfer_removes_the_giver():
    holders, _ = move_share(_holders(), from_party_id=A, to_party_id=C, share=Decimal("60.00"))
    assert A not in {h.party_id for h in holders}
    assert sum(h.share for h in holders) == Decimal("100.00")


def test_transfer_adds_to_receivers_holding_in_same_role():
    start = (
        RightsHolder(A, Role.COMPOSER, Decimal("60.00")),
        RightsHolder(B, Role.COMPOSER, Decimal("40.00")),
    )
    holders, _ = move_share(start, from_party_id=A, to_party_id=B, share=Decimal("10.00"))
    assert holders == (
        RightsHolder(A, Role.COMPOSER, Decimal("50.00")),
        RightsHolder(B, Role.COMPOSER, Decimal("50.00")),
    )


def test_transfer_of_more_than_held_is_rejected():
    with pytest.raises(ShareExceedsHolding) as caught:
        move_share(_holders(), from_party_id=A, to_party_id=C, share=Decimal("60.01"))
    assert caught.value.field == "share"


def test_only_an_owner_transfers():
    with pytest.raises(NotAllowed):
        move_share(_holders(), from_party_id=C, to_party_id=A, share=Decimal("1.00"))


def test_transfer_to_oneself_is_rejected():
    with pytest.raises(InvalidInput) as caught:
        move_share(_holders(), from_party_id=A, to_party_id=A, share=Decimal("1.00"))
    assert caught.value.field == "to_party_id"


def test_owner_of_several_roles_must_name_the_role():
    start = (
        RightsHolder(A, Role.COMPOSER, Decimal("50.00")),
        RightsHolder(A, Role.LYRICIST, Decimal("50.00")),
    )
    with pytest.raises(InvalidInput) as caught:
        move_share(start, from_party_id=A, to_party_id=B, share=Decimal("10.00"))
    assert caught.value.field == "role"
    holders, transfer = move_share(
        start, from_party_id=A, to_party_id=B, share=Decimal("10.00"), role=Role.LYRICIST
    )
    assert transfer.role == Role.LYRICIST
    assert RightsHolder(A, Role.LYRICIST, Decimal("40.00")) in holders


def test_transfer_from_a_role_not_held_is_rejected():
    with pytest.raises(InvalidInput) as caught:
        move_share(_holders(), from_party_id=A, to_party_id=C, share=Decimal("1.00"), role=Role.LYRICIST)
    assert caught.value.field == "role"


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=4),
            st.integers(min_value=0, max_value=4),
            st.integers(min_value=1, max_value=10_000),
        ),
        max_size=25,
    )
)
def test_any_sequence_of_transfers_keeps_shares_at_100(moves):
    parties = [A, B, C, uuid4(), uuid4()]
    holders: tuple[RightsHolder, ...] = (
        RightsHolder(A, Role.COMPOSER, Decimal("33.33")),
        RightsHolder(B, Role.LYRICIST, Decimal("66.67")),
    )
    for giver, receiver, cents in moves:
        own = [h for h in holders if h.party_id == parties[giver]]
        if not own or giver == receiver:
            continue
        share = min(Decimal(cents) / 100, own[0].share)
        holders, _ = move_share(
            holders,
            from_party_id=parties[giver],
            to_party_id=parties[receiver],
            share=Decimal(f"{share:.2f}"),
            role=own[0].role,
        )
        assert sum(h.share for h in holders) == Decimal("100.00")
        assert all(h.share > 0 for h in holders)
        assert len({(h.party_id, h.role) for h in holders}) == len(holders)
