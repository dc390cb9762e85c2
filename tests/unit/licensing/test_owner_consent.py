"""Co-owners' consent to exclusive licences, the non-exclusive rule, and mandates (DOMAIN.md,
"Co-owners' consent to licences, and mandates")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from contracts.enums import LicenceStatus, Medium, OwnerConsentStatus, WorkStatus
from contracts.errors import Conflict, IllegalTransition, InvalidInput, NotAllowed
from contracts.rights import RIGHTS_OF_MEDIUM, rights_used
from contracts.shares import RIGHTS
from licensing.domain import consent, lifecycle, mandates
from licensing.domain.consent import HolderShares, OwnerConsent
from licensing.domain.errors import NotAnOwner, SelfMandate
from licensing.domain.terms import Period, Terms

TODAY = datetime.now(UTC).date()
WRITER, PUBLISHER, ADMIN, LICENSEE, STRANGER = (UUID(int=i) for i in range(1, 6))
WORK = UUID(int=10)
OTHER_WORK = UUID(int=11)
# The writer holds 50 % of the performing right and none of the mechanical; the publisher
# the rest; the sync right is split 60/40.
HOLDERS = [
    HolderShares(WRITER, Decimal("50.00"), Decimal("0.00"), Decimal("60.00")),
    HolderShares(PUBLISHER, Decimal("50.00"), Decimal("100.00"), Decimal("40.00")),
]


def needed(
    media: list[Medium],
    *,
    offeror: UUID = PUBLISHER,
    exclusive: bool = True,
    held: list[mandates.MandateTerms] | None = None,
    on: date = TODAY,
) -> dict[UUID, OwnerConsent]:
    found = consent.consents_for_offer(
        offeror=offeror, work_id=WORK, exclusive=exclusive, media=media, holders=HOLDERS,
        mandates=held or [], today=on,
    )  # fmt: skip
    return {c.party_id: c for c in found}


def mandate(
    *,
    grantor: UUID = WRITER,
    agent: UUID = PUBLISHER,
    work_id: UUID | None = WORK,
    media: frozenset[Medium] = frozenset(),
    valid_from: date = TODAY,
    valid_until: date | None = None,
) -> mandates.MandateTerms:
    return mandates.grant(
        mandate_id=UUID(int=77), grantor=grantor, agent=agent, work_id=work_id,
        work_owners={WRITER, PUBLISHER}, media=media, valid_from=valid_from,
        valid_until=valid_until,
    )  # fmt: skip


# --- the rights a medium uses ------------------------------------------------------------------


def test_every_medium_uses_at_least_one_known_right() -> None:
    assert set(RIGHTS_OF_MEDIUM) == set(Medium)
    assert all(rights and rights <= set(RIGHTS) for rights in RIGHTS_OF_MEDIUM.values())


def test_streaming_uses_the_performing_and_the_mechanical_right() -> None:
    assert rights_used([Medium.STREAMING]) == {"performing", "mechanical"}
    assert rights_used([Medium.SYNC, Medium.DOWNLOAD]) == {"sync", "mechanical"}


# --- who must agree ----------------------------------------------------------------------------


def test_non_exclusive_licence_needs_no_other_owner() -> None:
    assert needed([Medium.STREAMING, Medium.SYNC], exclusive=False) == {}


def test_exclusive_licence_asks_every_other_holder_of_the_licensed_rights() -> None:
    found = needed([Medium.SYNC])
    assert found[PUBLISHER].status == OwnerConsentStatus.OFFEROR
    assert found[WRITER].status == OwnerConsentStatus.PENDING
    assert found[WRITER].share == Decimal("60.00")
    assert consent.pending(found.values()) == [WRITER]


def test_holder_of_none_of_the_licensed_right_is_not_asked() -> None:
    # A download uses the mechanical right only, all the publisher's.
    found = needed([Medium.DOWNLOAD])
    assert list(found) == [PUBLISHER]
    assert consent.pending(found.values()) == []


def test_share_shown_is_the_largest_of_the_licensed_rights() -> None:
    # Streaming: the writer holds 50 performing, 0 mechanical.
    assert needed([Medium.STREAMING])[WRITER].share == Decimal("50.00")
    assert needed([Medium.STREAMING])[PUBLISHER].share == Decimal("100.00")


def test_roles_of_one_party_are_summed_per_right() -> None:
    holders = [
        HolderShares(WRITER, Decimal("30.00")),
        HolderShares(WRITER, Decimal("20.00")),
        HolderShares(PUBLISHER, Decimal("50.00")),
    ]
    found = consent.consents_for_offer(
        offeror=PUBLISHER, work_id=WORK, exclusive=True, media=[Medium.BROADCAST],
        holders=holders, mandates=[], today=TODAY,
    )  # fmt: skip
    assert [(c.party_id, c.share) for c in found if c.party_id == WRITER] == [
        (WRITER, Decimal("50.00"))
    ]


# --- mandates ----------------------------------------------------------------------------------


def test_mandate_in_force_gives_the_grantors_consent() -> None:
    found = needed([Medium.SYNC], held=[mandate()])
    assert found[WRITER].status == OwnerConsentStatus.MANDATE
    assert found[WRITER].mandate_id == UUID(int=77)
    assert consent.pending(found.values()) == []


def test_mandate_for_all_the_grantors_works_covers_this_one() -> None:
    found = needed([Medium.SYNC], held=[mandate(work_id=None)])
    assert found[WRITER].status == OwnerConsentStatus.MANDATE


@pytest.mark.parametrize(
    "terms",
    [
        {"work_id": OTHER_WORK},
        {"media": frozenset({Medium.BROADCAST})},
        {"valid_from": TODAY + timedelta(days=1)},
        {"valid_from": TODAY - timedelta(days=10), "valid_until": TODAY - timedelta(days=1)},
        {"agent": ADMIN},
    ],
    ids=["other work", "other media", "not yet valid", "expired", "other agent"],
)
def test_mandate_that_does_not_cover_the_offer_gives_nothing(terms: dict[str, object]) -> None:
    found = needed([Medium.SYNC], held=[mandate(**terms)])  # type: ignore[arg-type]
    assert found[WRITER].status == OwnerConsentStatus.PENDING


def test_mandate_must_cover_every_medium_of_the_offer() -> None:
    partial = mandate(media=frozenset({Medium.SYNC}))
    assert needed([Medium.SYNC, Medium.BROADCAST], held=[partial])[WRITER].status == (
        OwnerConsentStatus.PENDING
    )


def test_revoked_mandate_gives_nothing() -> None:
    revoked = mandates.revoke(mandate(), actor=WRITER, now=datetime.now(UTC))
    assert needed([Medium.SYNC], held=[revoked])[WRITER].status == OwnerConsentStatus.PENDING


def test_only_the_grantor_revokes_and_only_once() -> None:
    granted = mandate()
    with pytest.raises(NotAllowed):
        mandates.revoke(granted, actor=PUBLISHER, now=datetime.now(UTC))
    revoked = mandates.revoke(granted, actor=WRITER, now=datetime.now(UTC))
    with pytest.raises(Conflict):
        mandates.revoke(revoked, actor=WRITER, now=datetime.now(UTC))


def test_mandate_to_oneself_or_for_a_work_one_does_not_own_is_refused() -> None:
    with pytest.raises(SelfMandate) as own:
        mandate(agent=WRITER)
    assert own.value.field == "agent_id"
    with pytest.raises(NotAnOwner) as stranger:
        mandate(grantor=STRANGER)
    assert stranger.value.field == "work_id"
    # For all its works, a grantor needs to own none yet.
    assert mandate(grantor=STRANGER, work_id=None).grantor_id == STRANGER


def test_mandate_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput) as bad:
        mandate(valid_until=TODAY - timedelta(days=1))
    assert bad.value.field == "valid_until"


# --- answers -----------------------------------------------------------------------------------


def test_asked_owner_consents_once() -> None:
    asked = list(needed([Medium.SYNC]).values())
    given = consent.answer(asked, party=WRITER, refuse=False)
    assert given.status == OwnerConsentStatus.CONSENTED
    answered = [given if c.party_id == WRITER else c for c in asked]
    assert consent.pending(answered) == []
    with pytest.raises(Conflict):
        consent.answer(answered, party=WRITER, refuse=True, reason="changed my mind")


@pytest.mark.parametrize("party", [PUBLISHER, STRANGER, LICENSEE])
def test_only_an_asked_owner_may_answer(party: UUID) -> None:
    with pytest.raises(NotAllowed):
        consent.answer(list(needed([Medium.SYNC]).values()), party=party, refuse=False)


def test_refusal_needs_a_reason() -> None:
    asked = list(needed([Medium.SYNC]).values())
    with pytest.raises(InvalidInput) as bad:
        consent.answer(asked, party=WRITER, refuse=True, reason="  ")
    assert bad.value.field == "reason"
    refused = consent.answer(asked, party=WRITER, refuse=True, reason=" too cheap ")
    assert (refused.status, refused.reason) == (OwnerConsentStatus.REFUSED, "too cheap")


def test_lapse_names_the_owners_who_did_not_answer() -> None:
    now = datetime.now(UTC)
    assert consent.is_lapsed(now - timedelta(seconds=1), now)
    assert not consent.is_lapsed(now, now)
    reason = consent.lapse_reason(needed([Medium.SYNC]).values())
    assert reason.startswith(consent.LAPSED) and str(WRITER) in reason
    assert str(PUBLISHER) not in reason


# --- the lifecycle -----------------------------------------------------------------------------

TERMS = Terms(
    territories=("TH",), media=(Medium.SYNC,), exclusive=True,
    period=Period(TODAY, None), royalty_rate=Decimal("10.00"), advance=Decimal("0.00"),
    currency="USD",
)  # fmt: skip
WORK_VIEW = lifecycle.WorkView(WORK, WorkStatus.REGISTERED, frozenset({WRITER, PUBLISHER}))


def awaiting() -> lifecycle.Licence:
    return lifecycle.offer(
        licence_id=UUID(int=99), work=WORK_VIEW, offeror=PUBLISHER, licensee=LICENSEE,
        terms=TERMS, awaiting_owners=True,
    )  # fmt: skip


def test_offer_awaiting_owners_cannot_be_accepted_or_declined() -> None:
    licence = awaiting()
    assert licence.status == LicenceStatus.AWAITING_OWNERS
    with pytest.raises(IllegalTransition):
        lifecycle.accept(licence, actor=LICENSEE, work=WORK_VIEW)
    with pytest.raises(IllegalTransition):
        lifecycle.decline(licence, actor=LICENSEE)


def test_owners_agreeing_offers_it_to_the_licensee() -> None:
    offered = lifecycle.owners_agreed(awaiting())
    assert offered.status == LicenceStatus.OFFERED
    assert lifecycle.accept(offered, actor=LICENSEE, work=WORK_VIEW).status == (
        LicenceStatus.ACTIVE
    )


def test_refusal_ends_the_offer_for_good() -> None:
    refused = lifecycle.refused_by_owners(awaiting(), "too cheap")
    assert (refused.status, refused.status_reason) == (
        LicenceStatus.REFUSED_BY_OWNERS, "too cheap"
    )
    with pytest.raises(IllegalTransition):
        lifecycle.owners_agreed(refused)


def test_offeror_may_withdraw_while_owners_are_asked() -> None:
    assert lifecycle.withdraw(awaiting(), actor=PUBLISHER).status == LicenceStatus.WITHDRAWN


def test_an_offered_licence_cannot_be_refused_by_owners_afterwards() -> None:
    offered = lifecycle.owners_agreed(awaiting())
    with pytest.raises(IllegalTransition):
        lifecycle.refused_by_owners(offered, "late")
