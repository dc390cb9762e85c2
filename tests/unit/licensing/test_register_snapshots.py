"""How a work snapshot becomes the owners' shares the statements split by, and which of two
snapshots of one aggregate the read model keeps (domain.snapshots)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from contracts.enums import Role, WorkKind, WorkStatus
from licensing.domain.snapshots import Stamp, shares_effective_from, supersedes
from licensing.handlers import shares_by_party

from contracts import events

A, B = UUID(int=1), UUID(int=2)
NOW = datetime.now(UTC)
EARLIER, LATER = NOW - timedelta(minutes=10), NOW + timedelta(minutes=10)


def test_an_owner_holding_several_roles_gets_one_summed_share() -> None:
    work = events.WorkState(
        id=UUID(int=9),
        filing_number=f"F-{NOW.year}-000001",
        title="Song",
        kind=WorkKind.MUSICAL_WORK,
        status=WorkStatus.REGISTERED,
        country_of_origin="TH",
        rights_holders=[
            events.RightsHolder(party_id=A, role=Role.COMPOSER, share=Decimal("40.00")),
            events.RightsHolder(party_id=B, role=Role.PUBLISHER, share=Decimal("35.50")),
            events.RightsHolder(party_id=A, role=Role.LYRICIST, share=Decimal("24.50")),
        ],
        filed_by=A,
        filed_at=NOW,
    )
    assert shares_by_party(work) == {str(A): "64.50", str(B): "35.50"}


def test_a_higher_version_supersedes_whatever_time_its_writer_stamped() -> None:
    assert supersedes(Stamp(3, EARLIER), Stamp(2, LATER))
    assert supersedes(Stamp(1, EARLIER), None)


def test_an_equal_or_lower_version_never_supersedes_whatever_its_time() -> None:
    assert not supersedes(Stamp(2, LATER), Stamp(3, EARLIER))
    assert not supersedes(Stamp(3, LATER), Stamp(3, NOW))


def test_versioned_snapshots_supersede_unversioned_ones_never_the_reverse() -> None:
    assert supersedes(Stamp(1, EARLIER), Stamp(None, LATER))
    assert not supersedes(Stamp(None, LATER), Stamp(1, EARLIER))


def test_unversioned_snapshots_are_ordered_by_time_a_tie_applied() -> None:
    assert supersedes(Stamp(None, NOW), Stamp(None, NOW))
    assert supersedes(Stamp(None, LATER), Stamp(None, NOW))
    assert not supersedes(Stamp(None, EARLIER), Stamp(None, NOW))


def test_new_shares_never_take_effect_before_the_shares_they_replace() -> None:
    assert shares_effective_from(NOW, None) == NOW
    assert shares_effective_from(LATER, NOW) == LATER
    assert shares_effective_from(EARLIER, NOW) == NOW  # a writer whose clock runs behind
