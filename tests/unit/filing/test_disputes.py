"""Disputes (DOMAIN.md, Filing lifecycle): the disputer's standing, owners not disputing
their own work, and the daily limit."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
from contracts.enums import Role, WorkStatus
from contracts.errors import Conflict, InvalidInput, NotAllowed
from filing.commands import DisputeWork, parse
from filing.domain.disputes import (
    EVIDENCE_MAX,
    Standing,
    ensure_under_daily_limit,
    standing,
)
from filing.domain.holders import RightsHolder
from filing.domain.works import dispute_work

OWNER, STRANGER = uuid4(), uuid4()
EVIDENCE = "Session files dated two years before the filing show my melody line in bar 12."


def _standing(evidence_min: int = 50, **given: object) -> Standing:
    """The standing of a dispute body, parsed at the edge, checked against `evidence_min`."""
    command = parse(DisputeWork, {"reason": "mine", **given})
    return standing(
        claimed_role=command.claimed_role,
        claimed_share=command.claimed_share,
        evidence=command.evidence,
        evidence_min=evidence_min,
    )


def test_a_claimed_role_and_share_is_standing() -> None:
    standing = _standing(claimed_role="COMPOSER", claimed_share="33.5")
    assert standing == Standing(claimed_role=Role.COMPOSER, claimed_share=Decimal("33.50"))


def test_evidence_of_the_minimum_length_is_standing() -> None:
    assert _standing(evidence=f"  {EVIDENCE}  ").evidence == EVIDENCE


def test_a_dispute_without_standing_is_refused_naming_evidence() -> None:
    with pytest.raises(InvalidInput) as caught:
        _standing()
    assert caught.value.field == "evidence"
    assert "claimed_share" in caught.value.message


def test_evidence_shorter_than_the_minimum_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        _standing(evidence="x" * 49)
    assert caught.value.field == "evidence" and "50" in caught.value.message
    assert _standing(evidence="x" * 10, evidence_min=10).evidence == "x" * 10


def test_evidence_is_bounded() -> None:
    with pytest.raises(InvalidInput) as caught:
        _standing(evidence="x" * (EVIDENCE_MAX + 1))
    assert caught.value.field == "evidence"


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"claimed_role": "COMPOSER"}, "claimed_share"),
        ({"claimed_share": "10.00"}, "claimed_role"),
        ({"claimed_role": "COMPOSER", "claimed_share": "0"}, "claimed_share"),
        ({"claimed_role": "COMPOSER", "claimed_share": "100.01"}, "claimed_share"),
        ({"claimed_role": "COMPOSER", "claimed_share": "1.005"}, "claimed_share"),
        ({"claimed_role": "KING", "claimed_share": "10.00"}, "claimed_role"),
    ],
)
def test_a_claim_needs_a_known_role_and_a_share_in_range(given: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _standing(**given, evidence=EVIDENCE)
    assert caught.value.field == field


def test_an_owner_may_not_dispute_its_own_work(make_work, now) -> None:
    work = make_work(
        status=WorkStatus.REGISTERED,
        rights_holders=(RightsHolder(OWNER, Role.COMPOSER, Decimal("100.00")),),
        filed_by=OWNER,
    )
    with pytest.raises(NotAllowed) as caught:
        dispute_work(
            work, reason="mine", standing=_standing(evidence=EVIDENCE), disputed_by=OWNER, now=now
        )
    assert caught.value.code == "OWNER_CANNOT_DISPUTE"
    new, change = dispute_work(
        work, reason="mine", standing=_standing(evidence=EVIDENCE), disputed_by=STRANGER, now=now
    )
    assert new.status == WorkStatus.DISPUTED and change.standing is not None
    assert change.standing.evidence == EVIDENCE


def test_the_daily_limit_allows_up_to_the_limit_and_names_it_beyond() -> None:
    for opened in range(5):
        ensure_under_daily_limit(opened, limit=5)
    with pytest.raises(Conflict) as caught:
        ensure_under_daily_limit(5, limit=5)
    assert caught.value.code == "DISPUTE_LIMIT_REACHED" and "5" in caught.value.message
