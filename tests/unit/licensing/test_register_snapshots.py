"""How a work snapshot becomes the owners' shares the statements split by."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from contracts.enums import Role, WorkKind, WorkStatus
from licensing.handlers import shares_by_party

from contracts import events

A, B = UUID(int=1), UUID(int=2)


def test_an_owner_holding_several_roles_gets_one_summed_share() -> None:
    work = events.WorkState(
        id=UUID(int=9),
        filing_number="F-2026-000001",
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
        filed_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert shares_by_party(work) == {str(A): "64.50", str(B): "35.50"}
