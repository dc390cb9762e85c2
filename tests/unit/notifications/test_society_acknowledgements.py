"""A society's rejection (or conflict) of a registration reaches the work's filer and holders;
its acceptance tells nobody (DOMAIN.md, "Acknowledgements")."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from contracts.events import SocietyAcknowledgementReceived
from notifications.domain.messages import compose
from notifications.domain.recipients import recipients
from notifications.handlers import ReadModel, _read

FILER, CO_WRITER = uuid4(), uuid4()


def _ack(status: str, code: str) -> SocietyAcknowledgementReceived:
    return SocietyAcknowledgementReceived(
        occurred_at=datetime(2026, 12, 7, tzinfo=UTC), work_id=uuid4(), society="052",
        registration_number="R-2026-000045", status=status, cwr_status=code,
        title="Bengawan Solo", filed_by=FILER, holder_ids=[FILER, CO_WRITER],
        file_name="CW260001052_ARR.V21",
    )  # fmt: skip


@pytest.mark.parametrize(("status", "code"), [("REJECTED", "RJ"), ("CONFLICT", "CO")])
def test_a_rejection_or_conflict_reaches_the_filer_and_the_holders(status: str, code: str):
    named, facts = _read(ReadModel({}, {}), _ack(status, code))
    told = set(recipients("society.acknowledgement_received", named))
    assert told == {FILER, CO_WRITER}
    body = compose("society.acknowledgement_received", facts, FILER).body
    assert "R-2026-000045" in body and f"society 052 answered {status}" in body


def test_an_acceptance_tells_nobody():
    named, _ = _read(ReadModel({}, {}), _ack("ACCEPTED", "AS"))
    assert not set(recipients("society.acknowledgement_received", named))
