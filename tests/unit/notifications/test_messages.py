"""Message texts: subject and body per event type, public facts only."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
from notifications.domain.messages import SUBJECT_PREFIX, EventFacts, compose
from notifications.domain.recipients import RULES

OWNER, OTHER = uuid4(), uuid4()


def test_registration_message_names_title_and_registration_number() -> None:
    facts = EventFacts(work_title="Bengawan Solo", registration_number="R-2026-000045")
    message = compose("work.registered", facts, OWNER)
    assert message.subject == f"{SUBJECT_PREFIX} Work registered: Bengawan Solo"
    assert "R-2026-000045" in message.body


def test_rejection_message_gives_the_reason() -> None:
    facts = EventFacts(work_title="X", filing_number="F-2026-000001", reason="ISWC held by R-1")
    assert "ISWC held by R-1" in compose("work.rejected", facts, OWNER).body


def test_statement_message_tells_each_owner_its_own_amount() -> None:
    facts = EventFacts(
        work_title="X",
        payable=Decimal("100.00"),
        currency="THB",
        line_amounts={OWNER: Decimal("66.67"), OTHER: Decimal("33.33")},
    )
    assert "Your share: 66.67 THB" in compose("royalty.statement_issued", facts, OWNER).body
    assert "Your share: 33.33 THB" in compose("royalty.statement_issued", facts, OTHER).body
    assert "Your share" not in compose("royalty.statement_issued", facts, uuid4()).body


@pytest.mark.parametrize("event_type", sorted(RULES))
def test_every_notified_event_type_has_its_own_subject(event_type: str) -> None:
    message = compose(event_type, EventFacts(work_title="T"), OWNER)
    assert message.subject.startswith(SUBJECT_PREFIX)
    assert event_type not in message.subject
    assert message.body


@pytest.mark.parametrize("event_type", sorted(RULES))
def test_missing_facts_never_show_as_none(event_type: str) -> None:
    message = compose(event_type, EventFacts(), OWNER)
    assert "None" not in message.subject and "None" not in message.body


def test_advance_and_true_up_messages_say_what_the_licensee_paid_or_owes() -> None:
    facts = EventFacts(
        work_title="X", payable=Decimal("400.00"), currency="USD",
        line_amounts={OWNER: Decimal("266.68"), OTHER: Decimal("133.32")},
    )  # fmt: skip
    paid = compose("royalty.advance_paid", facts, OWNER)
    owed = compose("royalty.guarantee_trued_up", facts, OTHER)
    assert "paid the advance" in paid.body and "Your share: 266.68 USD" in paid.body
    assert "owes" in owed.body and "Your share: 133.32 USD" in owed.body
    assert paid.subject != owed.subject
