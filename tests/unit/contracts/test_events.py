"""The event catalogue (EVENTS.md): every type, its topic, key and payload rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from contracts.enums import WorkStatus
from contracts.events import (
    EVENT_TYPES,
    EventData,
    LicenceOwnerConsented,
    MandateEvent,
    UsageLinesEvent,
)
from pydantic import ValidationError

from contracts import events as ev
from contracts import topics

# EVENTS.md, Topics: every event type by topic.
CATALOGUE = {
    "filing.parties.v1": {"party.registered", "party.updated"},
    "filing.works.v1": {
        "work.filed", "work.registered", "work.rejected", "work.review_requested",
        "work.ownership_transferred", "work.disputed", "work.dispute_resolved",
        "work.consent_requested", "work.consent_given", "work.holding_rejected", "work.returned",
    },
    "filing.imports.v1": {"import.completed"},
    "filing.societies.v1": {"society.registration_sent", "society.acknowledgement_received"},
    "licensing.licences.v1": {
        "licence.offered", "licence.activated", "licence.declined", "licence.withdrawn",
        "licence.terminated", "licence.expired", "licence.awaiting_owners",
        "licence.owner_consented", "licence.refused_by_owners", "mandate.granted",
        "mandate.revoked",
        # Amendments and renewals (EVENTS.md).
        "licence.amendment_proposed", "licence.amended", "licence.renewed",
        "licence.amendment_declined",
    },
    "licensing.royalties.v1": {
        "usage.reported", "royalty.statement_issued", "usage.lines_received",
        "usage.lines_matched", "usage.line_claimed", "royalty.statement_released",
        "royalty.statement_paid",
        "royalty.advance_paid",
        "royalty.guarantee_trued_up",
    },
    "notifications.deliveries.v1": {"notification.delivered", "notification.failed"},
}  # fmt: skip
SOURCES = {"filing": "/filing", "licensing": "/licensing", "notifications": "/notifications"}


def test_every_event_type_of_the_spec_has_a_model_on_its_topic() -> None:
    found: dict[str, set[str]] = {}
    for ce_type, cls in EVENT_TYPES.items():
        match = re.fullmatch(r"org\.aseanip\.(\w+)\.(\w+\.\w+)\.v1", ce_type)
        assert match, ce_type
        service, event = match.groups()
        assert cls.source == SOURCES[service]
        assert cls.topic.startswith(f"{service}.")
        found.setdefault(cls.topic, set()).add(event)
    assert found == CATALOGUE


def test_topic_catalogue_and_models_agree() -> None:
    for topic, types in topics.TOPIC_EVENT_TYPES.items():
        assert {EVENT_TYPES[t].topic for t in types} == {topic}
        assert {EVENT_TYPES[t].source for t in types} == {topics.TOPIC_SOURCE[topic]}
    assert sorted(t for ts in topics.TOPIC_EVENT_TYPES.values() for t in ts) == sorted(EVENT_TYPES)
    assert set(topics.TOPIC_EVENT_TYPES) == set(topics.EVENT_TOPICS)


def _expected_key(data: Any) -> object:
    if data.topic == topics.FILING_PARTIES:
        return data.party.id
    if data.topic == topics.FILING_WORKS:
        return data.work.id
    if data.topic == topics.FILING_IMPORTS:
        return data.party_id
    if data.topic == topics.FILING_SOCIETIES:
        return data.work_id
    if isinstance(data, MandateEvent):
        return data.mandate.id
    if isinstance(data, LicenceOwnerConsented):
        return data.licence_id
    if data.topic == topics.LICENSING_LICENCES:
        return data.licence.id
    if isinstance(data, UsageLinesEvent):
        return data.licensee_id
    if data.topic == topics.LICENSING_ROYALTIES:
        if hasattr(data, "licence_id"):  # a statement's payment names its licence itself
            return data.licence_id
        return data.report.licence_id if hasattr(data, "report") else data.statement.licence_id
    assert data.topic == topics.NOTIFICATIONS_DELIVERIES
    return data.recipient_id


@pytest.mark.parametrize("ce_type", sorted(EVENT_TYPES))
def test_record_keys_follow_each_topics_key_rule(
    ce_type: str, samples: dict[str, EventData]
) -> None:
    event = samples[ce_type]
    assert event.aggregate_id() == str(_expected_key(event))


PRIVATE = re.compile(r"email|e_mail|webhook|secret|url|password|phone", re.IGNORECASE)


def _property_names(schema: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(schema, dict):
        names |= set(schema.get("properties", {}))
        for value in schema.values():
            names |= _property_names(value)
    elif isinstance(schema, list):
        for item in schema:
            names |= _property_names(item)
    return names


@pytest.mark.parametrize("ce_type", sorted(EVENT_TYPES))
def test_no_event_carries_contact_details_or_secrets(ce_type: str) -> None:
    names = _property_names(EVENT_TYPES[ce_type].model_json_schema())
    assert not {n for n in names if PRIVATE.search(n)}


def test_party_events_ignore_contact_details_given_to_them() -> None:
    party = ev.PartyState.model_validate(
        {
            "id": "33333333-3333-4333-8333-333333333333",
            "name": "Gesang",
            "kind": "PERSON",
            "country": "ID",
            "email": "gesang@example.org",
            "webhook_url": "https://example.org/hook",
        }
    )
    assert "email" not in party.model_dump_json()
    assert "example.org" not in party.model_dump_json()


def test_work_event_status_must_match_its_type(samples: dict[str, EventData]) -> None:
    registered: Any = samples[topics.WORK_REGISTERED]
    rejected_work = registered.work.model_copy(update={"status": WorkStatus.REJECTED})
    with pytest.raises(ValidationError, match="needs status REGISTERED"):
        ev.WorkRegistered(work=rejected_work, occurred_at=registered.occurred_at)


def test_licence_event_status_must_match_its_type(samples: dict[str, EventData]) -> None:
    offered: Any = samples[topics.LICENCE_OFFERED]
    with pytest.raises(ValidationError, match="needs status ACTIVE"):
        ev.LicenceActivated(
            licence=offered.licence,
            work_owner_ids=offered.work_owner_ids,
            occurred_at=offered.occurred_at,
        )


def _work_payload(**overrides: Any) -> dict[str, Any]:
    holder = "33333333-3333-4333-8333-333333333333"
    return {
        "id": "11111111-1111-4111-8111-111111111111",
        "filing_number": "F-2026-000001",
        "title": "T",
        "kind": "OTHER",
        "status": "FILED",
        "country_of_origin": "TH",
        "rights_holders": [{"party_id": holder, "role": "AUTHOR", "share": "100"}],
        "filed_by": holder,
        "filed_at": "2026-01-01T00:00:00Z",
    } | overrides


def test_work_rights_holder_shares_must_sum_to_100() -> None:
    holders = [
        {"party_id": "33333333-3333-4333-8333-333333333333", "role": "AUTHOR", "share": "60"},
        {"party_id": "44444444-4444-4444-8444-444444444444", "role": "AUTHOR", "share": "39.99"},
    ]
    with pytest.raises(ValidationError, match=r"got 99\.99"):
        ev.WorkState.model_validate(_work_payload(rights_holders=holders))


def test_a_party_appears_at_most_once_per_role() -> None:
    party = "33333333-3333-4333-8333-333333333333"
    holders = [
        {"party_id": party, "role": "AUTHOR", "share": "50"},
        {"party_id": party, "role": "AUTHOR", "share": "50"},
    ]
    with pytest.raises(ValidationError, match="appears twice as AUTHOR"):
        ev.WorkState.model_validate(_work_payload(rights_holders=holders))
    holders[1]["role"] = "COMPOSER"
    assert ev.WorkState.model_validate(_work_payload(rights_holders=holders))


def test_work_identifiers_are_validated_and_normalised() -> None:
    work = ev.WorkState.model_validate(
        _work_payload(identifiers={"iswc": "T0345246801", "isbn": "978-0-306-40615-7"})
    )
    assert work.identifiers.iswc == "T-034.524.680-1"
    assert work.identifiers.isbn == "9780306406157"
    with pytest.raises(ValidationError) as caught:
        ev.WorkState.model_validate(_work_payload(identifiers={"isrc": "US-RC1-76-0001"}))
    assert caught.value.errors()[0]["loc"] == ("identifiers", "isrc")


def test_work_times_must_carry_a_zone_and_are_kept_in_utc() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        ev.WorkState.model_validate(_work_payload(filed_at="2026-01-01T00:00:00"))
    work = ev.WorkState.model_validate(_work_payload(filed_at="2026-01-01T07:00:00+07:00"))
    assert work.filed_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert work.model_dump(mode="json")["filed_at"] == "2026-01-01T00:00:00Z"


def test_licence_territories_are_expanded_on_input(samples: dict[str, EventData]) -> None:
    offered: Any = samples[topics.LICENCE_OFFERED]
    assert offered.licence.terms.territories == [
        "BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "TL", "VN",
    ]  # fmt: skip


def test_licence_end_may_not_precede_start(samples: dict[str, EventData]) -> None:
    terms = samples[topics.LICENCE_OFFERED].model_dump()["licence"]["terms"]
    terms["end"] = "2025-12-31"
    with pytest.raises(ValidationError, match="before start"):
        ev.LicenceTerms.model_validate(terms)


def test_licence_media_are_listed_once(samples: dict[str, EventData]) -> None:
    terms = samples[topics.LICENCE_OFFERED].model_dump()["licence"]["terms"]
    terms["media"] = ["SYNC", "SYNC"]
    with pytest.raises(ValidationError, match="each medium at most once"):
        ev.LicenceTerms.model_validate(terms)


def test_statement_lines_must_sum_exactly_to_payable(samples: dict[str, EventData]) -> None:
    statement = samples[topics.ROYALTY_STATEMENT_ISSUED].model_dump()["statement"]
    statement["lines"][0]["amount"] = Decimal("150.01")
    with pytest.raises(ValidationError, match=r"not to payable 250\.00"):
        ev.RoyaltyStatement.model_validate(statement)


def test_statement_line_amounts_respect_the_currency_minor_units(
    samples: dict[str, EventData],
) -> None:
    statement = samples[topics.ROYALTY_STATEMENT_ISSUED].model_dump()["statement"]
    statement["lines"][0]["amount"] = Decimal("150.005")
    statement["lines"][1]["amount"] = Decimal("99.995")
    with pytest.raises(ValidationError, match=r"lines\[0\].amount: SGD amounts have at most 2"):
        ev.RoyaltyStatement.model_validate(statement)


def test_adjustment_lines_may_be_negative(samples: dict[str, EventData]) -> None:
    statement = samples[topics.ROYALTY_STATEMENT_ISSUED].model_dump()["statement"]
    statement |= {"payable": Decimal("-10.00"), "royalty": Decimal("-10.00")}
    statement["lines"][0]["amount"] = Decimal("-6.00")
    statement["lines"][1]["amount"] = Decimal("-4.00")
    assert ev.RoyaltyStatement.model_validate(statement).payable == Decimal("-10.00")


def test_events_are_immutable(samples: dict[str, EventData]) -> None:
    event: Any = samples[topics.WORK_REGISTERED]
    with pytest.raises(ValidationError, match="frozen"):
        event.occurred_at = datetime.now(UTC)


def test_notification_events_name_the_channel_never_the_address(
    samples: dict[str, EventData],
) -> None:
    failed = samples[topics.NOTIFICATION_FAILED].model_dump(mode="json")
    assert failed["channel"] == "EMAIL"
    assert UUID(failed["event_id"])


def test_times_on_the_wire_are_text_never_unix_numbers() -> None:
    with pytest.raises(ValidationError, match="not a number"):
        ev.WorkState.model_validate(_work_payload(filed_at=1_767_225_600))
