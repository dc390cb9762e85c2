"""Who learns of each event type (DOMAIN.md, "Notifications")."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from contracts.events import ALL_EVENTS, LicenceEvent, UsageReported
from notifications.domain.recipients import RULES, NamedParties, recipients, short_type

A, B, C, D, E, S = (uuid4() for _ in range(6))
SOCIETIES = frozenset({S})


def test_short_type_strips_namespace_and_version() -> None:
    assert short_type("org.aseanip.filing.work.registered.v1") == "work.registered"
    assert (
        short_type("org.aseanip.licensing.royalty.statement_issued.v1")
        == "royalty.statement_issued"
    )


@pytest.mark.parametrize("event_type", ["work.filed", "work.rejected", "work.review_requested"])
def test_filer_and_every_rights_holder_learn_filing_outcomes(event_type: str) -> None:
    named = NamedParties(rights_holders=frozenset({A, B}))
    assert set(recipients(event_type, named, societies=SOCIETIES)) == {A, B}


def test_registration_reaches_holders_and_every_society() -> None:
    named = NamedParties(rights_holders=frozenset({A, B}))
    assert set(recipients("work.registered", named, societies=SOCIETIES)) == {A, B, S}


def test_transfer_reaches_co_owners_and_the_party_that_left() -> None:
    named = NamedParties(
        rights_holders=frozenset({B, C}),
        previous_holders=frozenset({A, B}),
        transfer_parties=frozenset({A, C}),
    )
    assert set(recipients("work.ownership_transferred", named)) == {A, B, C}


def test_dispute_reaches_co_owners_and_the_disputant() -> None:
    named = NamedParties(rights_holders=frozenset({A, B}), disputant=D)
    assert set(recipients("work.disputed", named)) == {A, B, D}


def test_dispute_resolution_reaches_replaced_holders_too() -> None:
    named = NamedParties(
        rights_holders=frozenset({C}), previous_holders=frozenset({A, B}), disputant=D
    )
    assert set(recipients("work.dispute_resolved", named)) == {A, B, C, D}


# Every step of a licence's life that its owners and its licensee are told of.
# Every step of a licence's life the catalogue publishes, and the usage reported under it:
# a licence event added to the contracts is covered here without editing this test.
# The co-owners' consent steps come before the licensee has an offer (DOMAIN.md).
CONSENT_STEPS = ["licence.awaiting_owners", "licence.refused_by_owners"]
LICENCE_STEPS = [
    *(short_type(event.ce_type) for event in ALL_EVENTS if issubclass(event, LicenceEvent)
      if short_type(event.ce_type) not in CONSENT_STEPS),
    short_type(UsageReported.ce_type),
]


@pytest.mark.parametrize("event_type", LICENCE_STEPS)
def test_owners_and_licensee_learn_every_licence_step(event_type: str) -> None:
    named = NamedParties(work_owners=frozenset({A, B}), licensor=A, licensee=E)
    assert set(recipients(event_type, named, societies=SOCIETIES)) == {A, B, E}


@pytest.mark.parametrize("event_type", CONSENT_STEPS)
def test_owners_asked_and_the_offeror_learn_of_consent_steps_not_yet_the_licensee(
    event_type: str,
) -> None:
    named = NamedParties(work_owners=frozenset({A, B}), licensor=A, licensee=E)
    assert set(recipients(event_type, named, societies=SOCIETIES)) == {A, B}


def test_statement_reaches_owners_licensee_and_societies() -> None:
    named = NamedParties(
        work_owners=frozenset({A}), statement_parties=frozenset({A, B}), licensor=A, licensee=E
    )
    assert set(recipients("royalty.statement_issued", named, societies=SOCIETIES)) == {A, B, E, S}


def test_party_learns_of_its_own_registration() -> None:
    assert recipients("party.registered", NamedParties(subject_party=A)) == (A,)


def test_each_party_appears_once_even_when_named_twice() -> None:
    named = NamedParties(work_owners=frozenset({A}), licensor=A, licensee=A)
    assert recipients("licence.offered", named) == (A,)


def test_unknown_and_own_event_types_notify_nobody() -> None:
    named = NamedParties(subject_party=A, rights_holders=frozenset({B}))
    assert recipients("notification.delivered", named, societies=SOCIETIES) == ()
    assert recipients("work.exploded", named) == ()


def test_societies_are_not_told_of_licence_offers() -> None:
    named = NamedParties(work_owners=frozenset({A}), licensee=E)
    assert S not in recipients("licence.offered", named, societies=SOCIETIES)


def test_every_published_event_type_of_the_other_services_has_a_rule() -> None:
    expected = {
        "party.registered",
        "party.updated",
        "work.filed",
        "work.registered",
        "work.rejected",
        "work.review_requested",
        "work.ownership_transferred",
        "work.disputed",
        "work.dispute_resolved",
        # Co-owners' consent: a single answer notifies nobody by itself (DOMAIN.md).
        "work.consent_requested",
        "work.returned",
        "import.completed",
        "society.acknowledgement_received",
        *LICENCE_STEPS,
        *CONSENT_STEPS,
        "royalty.statement_issued",
        "royalty.statement_released",
        "royalty.statement_paid",
        "royalty.advance_paid",
        "royalty.guarantee_trued_up",
    }
    assert set(RULES) == expected


def _ids(*parties: UUID) -> frozenset[UUID]:
    return frozenset(parties)


def test_the_payees_of_a_paid_statement_learn_of_it() -> None:
    named = NamedParties(statement_parties=frozenset({A, B}), licensee=E)
    assert set(recipients("royalty.statement_paid", named, societies=SOCIETIES)) == {A, B}
