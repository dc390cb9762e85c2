"""Builders of domain objects for the filing unit tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from contracts.enums import Role, WorkKind, WorkStatus
from filing.domain.holders import RightsHolder
from filing.domain.works import Identifiers, Work

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def make_work() -> Callable[..., Work]:
    def build(**overrides: Any) -> Work:
        alice: UUID = overrides.pop("filed_by", uuid4())
        fields: dict[str, Any] = dict(
            id=uuid4(),
            filing_number="F-2026-000001",
            registration_number=None,
            title="Moonlight Over Mekong",
            alternate_titles=(),
            kind=WorkKind.MUSICAL_WORK,
            status=WorkStatus.FILED,
            status_reason=None,
            identifiers=Identifiers(),
            country_of_origin="TH",
            rights_holders=(RightsHolder(alice, Role.COMPOSER, Decimal("100.00")),),
            filed_by=alice,
            filed_at=NOW,
            updated_at=NOW,
        )
        fields.update(overrides)
        if (
            fields["status"] in {WorkStatus.REGISTERED, WorkStatus.DISPUTED}
            and not fields["registration_number"]
        ):
            fields["registration_number"] = "R-2026-000001"
        return Work(**fields)

    return build
