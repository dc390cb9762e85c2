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


def test_a_held_statement_tells_the_owners_it_is_in_suspense() -> None:
    facts = EventFacts(
        work_title="X", payable=Decimal("10.00"), currency="THB",
        line_amounts={OWNER: Decimal("10.00")},
    )  # fmt: skip
    held = EventFacts(**{**facts.__dict__, "held": True})
    assert "held in suspense" in compose("royalty.statement_issued", held, OWNER).body
    assert "suspense" not in compose("royalty.statement_issued", facts, OWNER).body
    # An advance paid or a guarantee trued up while the work is disputed is held alike.
    for kind in ("royalty.advance_paid", "royalty.guarantee_trued_up"):
        assert "held in suspense" in compose(kind, held, OWNER).body
        assert "suspense" not in compose(kind, facts, OWNER).body


def test_a_release_tells_the_new_owner_its_amount_and_the_former_one_it_gets_nothing() -> None:
    facts = EventFacts(
        work_title="X", payable=Decimal("10.00"), currency="THB",
        line_amounts={OWNER: Decimal("10.00")},
    )  # fmt: skip
    assert "Your share: 10.00 THB" in compose("royalty.statement_released", facts, OWNER).body
    assert "not among the owners" in compose("royalty.statement_released", facts, OTHER).body


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


def test_a_paid_statement_tells_each_payee_its_own_share() -> None:
    facts = EventFacts(work_title="Rain", paid_on="2026-01-02", payable=Decimal("100.01"),
                       currency="EUR", line_amounts={OWNER: Decimal("60.01")})
    body = compose("royalty.statement_paid", facts, OWNER).body
    assert "paid on 2026-01-02" in body and "Your share: 60.01 EUR" in body
    assert "Your share" not in compose("royalty.statement_paid", facts, OTHER).body


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
