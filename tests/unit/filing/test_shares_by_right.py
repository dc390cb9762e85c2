"""Shares by right (performing, mechanical, sync), societies per right and territory
collection shares (DOMAIN.md, "Shares by right, societies and territories")."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
from contracts.enums import Role
from contracts.errors import InvalidInput
from contracts.shares import collection_share
from filing.domain.errors import ShareExceedsHolding, TerritorySharesFixed
from filing.domain.holders import (
    RightsHolder,
    move_share,
    parse_rights_holders,
    rights_json,
    with_rights,
)

from contracts import events as contract

W, P, X = uuid4(), uuid4(), uuid4()


def _writer_and_publisher(**publisher: object) -> list[dict[str, object]]:
    return [
        {"party_id": str(W), "role": "COMPOSER", "share": "50.00", "mechanical_share": "0.00",
         "sync_share": "0.00", "performing_society": "21"},
        {"party_id": str(P), "role": "PUBLISHER", "share": "50.00", "mechanical_share": "100.00",
         "sync_share": "100.00", **publisher},
    ]  # fmt: skip


def test_single_share_holds_every_right():
    (holder,) = parse_rights_holders([{"party_id": str(W), "role": "COMPOSER", "share": "100"}])
    assert [holder.share_of(r) for r in ("performing", "mechanical", "sync")] == [
        Decimal("100.00")
    ] * 3
    assert not holder.by_right and rights_json(holder) is None


def test_each_right_sums_to_100_on_its_own():
    writer, publisher = parse_rights_holders(_writer_and_publisher())
    assert writer.share_of("mechanical") == Decimal("0.00")
    assert publisher.share_of("sync") == Decimal("100.00")
    assert writer.performing_society == "021"  # CISAC codes are kept as CWR writes them


def test_a_right_not_summing_to_100_names_the_right():
    raw = _writer_and_publisher()
    raw[1]["mechanical_share"] = "90.00"
    with pytest.raises(InvalidInput) as caught:
        parse_rights_holders(raw)
    assert caught.value.field == "rights_holders.mechanical_share"


def test_a_stated_share_equal_to_the_share_is_not_stated_otherwise():
    (holder,) = parse_rights_holders(
        [{"party_id": str(W), "role": "COMPOSER", "share": "100", "mechanical_share": "100"}]
    )
    assert holder.mechanical_share is None


@pytest.mark.parametrize("code", ["1234", "A21", "", "٢١"])
def test_a_society_is_a_cisac_code_of_up_to_three_ascii_digits(code: str):
    raw = [{"party_id": str(W), "role": "COMPOSER", "share": "100", "sync_society": code}]
    with pytest.raises(InvalidInput) as caught:
        parse_rights_holders(raw)
    assert caught.value.field == "rights_holders[0].sync_society"


def test_territory_collection_shares_default_to_ownership_and_must_sum_per_right():
    raw = _writer_and_publisher()
    raw[0]["territory_shares"] = [{"territory": "th", "performing_share": "40.00"}]
    with pytest.raises(InvalidInput) as caught:  # 40 + the publisher's 50 is 90 in TH
        parse_rights_holders(raw)
    assert caught.value.field == "rights_holders.territory_shares"
    raw[1]["territory_shares"] = [{"territory": "TH", "performing_share": "60.00"}]
    writer, publisher = parse_rights_holders(raw)
    assert collection_share(writer, "TH", "performing") == Decimal("40.00")
    assert collection_share(publisher, "TH", "mechanical") == Decimal("100.00")
    assert collection_share(writer, "MY", "performing") == Decimal("50.00")


def test_a_territory_is_listed_once_per_holder():
    raw = _writer_and_publisher()
    raw[0]["territory_shares"] = [{"territory": "TH"}, {"territory": "TH"}]
    with pytest.raises(InvalidInput) as caught:
        parse_rights_holders(raw)
    assert caught.value.field == "rights_holders[0].territory_shares[1]"


def test_stored_rights_read_back_the_same():
    raw = _writer_and_publisher(sync_society="052")
    raw[0]["territory_shares"] = [{"territory": "TH", "performing_share": "40.00"}]
    raw[1]["territory_shares"] = [{"territory": "TH", "performing_share": "60.00"}]
    for holder in parse_rights_holders(raw):
        plain = RightsHolder(holder.party_id, holder.role, holder.share)
        assert with_rights(plain, rights_json(holder)) == holder


def test_events_carry_the_rights_and_check_them():
    holders = parse_rights_holders(_writer_and_publisher())
    wire = [contract.RightsHolder.model_validate(h, from_attributes=True) for h in holders]
    contract.check_rights_holders(wire)
    dumped = wire[0].model_dump(mode="json")
    assert dumped["mechanical_share"] == "0.00" and dumped["performing_society"] == "021"
    assert "territory_shares" not in dumped  # unstated fields stay off the wire
    plain = contract.RightsHolder(party_id=W, role=Role.COMPOSER, share=Decimal("100"))
    assert plain.model_dump(mode="json") == {"party_id": str(W), "role": "COMPOSER",
                                             "share": "100.00"}  # fmt: skip
    broken = [wire[0], wire[1].model_copy(update={"sync_share": Decimal("90")})]
    with pytest.raises(InvalidInput):
        contract.check_rights_holders(broken)


def test_transfer_moves_the_rights_that_follow_the_share():
    writer, publisher = parse_rights_holders(_writer_and_publisher())
    holders, _ = move_share((writer, publisher), from_party_id=P, to_party_id=X,
                            share=Decimal("20.00"))  # fmt: skip
    by_party = {h.party_id: h for h in holders}
    # The publisher states its mechanical and sync shares: they stay with it.
    assert by_party[X].share == Decimal("20.00")
    assert by_party[X].share_of("mechanical") == Decimal("0.00")
    assert by_party[P].share_of("mechanical") == Decimal("100.00")
    assert by_party[X].performing_society is None
    single = parse_rights_holders([{"party_id": str(W), "role": "COMPOSER", "share": "100"}])
    (_, given), _ = move_share(single, from_party_id=W, to_party_id=X, share=Decimal("30"))
    assert given.share_of("mechanical") == Decimal("30") and not given.by_right


def test_giving_away_the_performing_share_but_keeping_other_rights_is_refused():
    writer, publisher = parse_rights_holders(_writer_and_publisher())
    with pytest.raises(ShareExceedsHolding):
        move_share((writer, publisher), from_party_id=P, to_party_id=X, share=Decimal("50"))


def test_a_work_with_territory_shares_is_not_transferred_by_share():
    raw = _writer_and_publisher()
    raw[0]["territory_shares"] = [{"territory": "TH", "performing_share": "40.00"}]
    raw[1]["territory_shares"] = [{"territory": "TH", "performing_share": "60.00"}]
    holders = parse_rights_holders(raw)
    with pytest.raises(TerritorySharesFixed):
        move_share(holders, from_party_id=P, to_party_id=X, share=Decimal("10"))
